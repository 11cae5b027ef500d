"""`dlcheck kg template` and `dlcheck kg import`: claims from a sheet, checked before written."""

from __future__ import annotations

import csv
import io

import pytest
from conftest import FIXTURES, seed_files
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, PROV

from cli import check_texts
from kg.sheet import COLUMNS, EXAMPLE_ROW

HEADER = ",".join(COLUMNS[:-1]) + "\n"
CLAIM = URIRef(
    "https://w3id.org/dlcheck/kg/claim/deep-neural-networks-generally-outperform-shallow-networks"
)
GOOD = (
    "Deep neural networks generally outperform shallow networks.,deep neural network,"
    "outperforms,shallow model,true,generally,src:b-zhang-2023,,,,"
    "Deeper networks usually beat shallow ones.\n"
)


def _base() -> list:
    """The graph the rows are imported over: the seed topics, the publication they cite and
    the one concept they need (an import compiles its base, and the bundled graph is big)."""
    from kg.store import bundled_data_files

    (sources,) = [path for path in bundled_data_files() if path.name == "sources-b.ttl"]
    return [*seed_files(), sources, FIXTURES / "sheet_base.ttl"]


def _import(run_cli, *args: str):
    base = [arg for path in _base() for arg in ("--graph", str(path))]
    return run_cli("kg", "import", *args, "--no-bundled", *base)


@pytest.fixture
def sheet(tmp_path):
    def write(*rows: str, name: str = "claims.csv"):
        path = tmp_path / name
        path.write_text(HEADER + "".join(rows), encoding="utf-8")
        return path

    return write


def _error(result, status: int = 1) -> str:
    assert result.exit_code == status, result.output
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def test_the_template_imports_as_it_is(run_cli, tmp_path):
    template = tmp_path / "sheet.csv"
    assert run_cli("kg", "template", "-o", str(template)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(template.read_text())))
    assert rows == [EXAMPLE_ROW]
    again = run_cli("kg", "template", "-o", str(template))
    assert "already exists" in _error(again, 2)

    out = tmp_path / "mine.ttl"
    result = run_cli("kg", "import", str(template), "-o", str(out), "--by", "Ada Lovelace")
    assert result.exit_code == 0, result.stderr
    assert result.output == f"imported 1 claim(s) into {out}; each checks to its own status\n"
    graph = Graph().parse(out)
    (claim,) = graph.subjects(PROV.wasAttributedTo, None)
    agent = graph.value(claim, PROV.wasAttributedTo)
    assert str(agent) == "https://w3id.org/dlcheck/kg/curator/ada-lovelace"
    assert graph.value(claim, DCTERMS.created) == graph.value(claim, DCTERMS.modified)
    # The imported claim is there for every command that reads the graph with --graph.
    checked = run_cli("check", EXAMPLE_ROW["statement"], "--graph", str(out), "--format", "json")
    assert '"verdict": "true"' in checked.output


def test_an_unknown_label_points_at_its_line_with_suggestions(run_cli, sheet, tmp_path):
    bad = GOOD.replace("deep neural network,", "deep nueral network,")
    path = sheet(GOOD.replace("Deep neural", "Very deep neural"), bad)
    out = tmp_path / "out.ttl"
    message = _error(_import(run_cli, str(path), "-o", str(out), "--by", "me"))
    assert message.startswith(
        f"dlcheck: error: {path}:3: subject: no concept labelled 'deep nueral network'; "
        "closest: 'deep neural network', "
    )
    assert not out.exists()
    relation = sheet(GOOD.replace("outperforms", "outperfroms"))
    assert "closest: 'outperforms'" in _error(
        _import(run_cli, str(relation), "-o", str(out), "--by", "me")
    )


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            GOOD.replace(",true,", ",truish,"),
            ":2: status 'truish' is not one of: true, false, partly true",
        ),
        (GOOD.replace(",src:b-zhang-2023,", ",,"), ":2: source is empty"),
        (
            "Deep learning requires massive datasets to succeed.,deep learning,requires,"
            "large dataset,false,,src:b-zhang-2023,,,,\n",
            ":2: the graph already holds this statement as claim:",
        ),
        # A false claim without a correction breaks a SHACL shape: nothing is written.
        (GOOD.replace(",true,", ",false,"), ":2: does not validate: claim:deep-neural-networks"),
    ],
)
def test_rows_that_cannot_be_imported(run_cli, sheet, tmp_path, row, expected):
    out = tmp_path / "out.ttl"
    message = _error(_import(run_cli, str(sheet(row)), "-o", str(out), "--by", "me"))
    assert expected in message
    assert not out.exists()


def test_unknown_column_and_missing_curator(run_cli, tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("statment,subject\n")
    message = _error(_import(run_cli, str(path), "-o", str(tmp_path / "o.ttl"), "--by", "me"))
    assert "claims.csv:1: unknown column 'statment' (did you mean 'statement'?)" in message
    none = _import(run_cli, str(path), "-o", str(tmp_path / "o.ttl"))
    assert "--by NAME" in _error(none, 2)


def test_a_statement_that_fails_the_self_check_leaves_the_file_alone(run_cli, sheet, tmp_path):
    out = tmp_path / "out.ttl"
    out.write_text("# the curator's earlier import\n")
    # A paraphrase that is word for word a myth of the graph cannot get the row's status.
    myth = "Deep learning requires massive datasets to succeed."
    path = sheet(GOOD.replace("Deeper networks usually beat shallow ones.", myth))
    message = _error(_import(run_cli, str(path), "-o", str(out), "--by", "me"))
    assert f"{path}:2: self-check: {myth!r} checks as " in message
    assert message.endswith(", not true; reword it\n")
    assert out.read_text() == "# the curator's earlier import\n"


def test_reimport_keeps_created_and_moves_modified(run_cli, sheet, tmp_path, monkeypatch):
    from datetime import datetime, timezone

    from kg import sheet as sheet_module

    out = tmp_path / "out.ttl"
    path = sheet(GOOD)
    first = datetime(2026, 1, 1, tzinfo=timezone.utc)
    later = datetime(2026, 2, 1, tzinfo=timezone.utc)
    sheet_module.import_sheet(path, out, _base(), "me", check_texts, first)
    sheet_module.import_sheet(path, out, _base(), "me", check_texts, later)
    graph = Graph().parse(out)
    assert str(graph.value(CLAIM, DCTERMS.created)).startswith("2026-01-01")
    assert str(graph.value(CLAIM, DCTERMS.modified)).startswith("2026-02-01")


def test_curator_from_the_settings_file(run_cli, sheet, tmp_path, monkeypatch):
    settings = tmp_path / "config.ini"
    settings.write_text("[dlcheck]\ncurator = Grace Hopper\n")
    monkeypatch.setenv("DLCHECK_CONFIG", str(settings))
    out = tmp_path / "out.ttl"
    result = _import(run_cli, str(sheet(GOOD)), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "curator/grace-hopper" in out.read_text()


def test_yaml_sheet_when_pyyaml_is_installed(tmp_path):
    pytest.importorskip("yaml")
    from kg.sheet import read_rows

    path = tmp_path / "claims.yaml"
    path.write_text("- statement: A\n  subject: b\n  paraphrases: [x, y]\n\n- statement: C\n")
    rows = read_rows(path)
    assert [(r.line, r.get("statement")) for r in rows] == [(1, "A"), (5, "C")]
    assert rows[0].get("paraphrases") == "x | y"
