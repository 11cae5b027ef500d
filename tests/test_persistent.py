"""The on-disk store behind query, stats, lint and export: same answers as parsing the Turtle,
built once per content, atomically, privately, and never reached by a refused query."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from conftest import FIXTURES

from kg import persistent, sparql
from kg.errors import DlcheckError, GraphLoadError

QUERIES = sorted((Path(__file__).parent.parent / "docs" / "queries").glob("*.rq"))
# Curator queries that list problems: the bundled graph has none, so their answer is empty.
EMPTY_BY_DESIGN = {"unmentioned-concepts"}
SMALL = """
@prefix c:    <https://w3id.org/dlcheck/kg/concept/> .
@prefix dlc:  <https://w3id.org/dlcheck/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
c:gpu a dlc:Hardware ; skos:prefLabel "GPU"@en ; skos:altLabel "graphics card" .
"""


@pytest.fixture
def own_cache(tmp_path, monkeypatch) -> Path:
    """A cache directory of this test alone, so that what gets built there can be watched."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("DLCHECK_CACHE_DIR", str(folder))
    monkeypatch.setattr(persistent, "_open", {})
    return folder


@pytest.fixture(scope="module")
def answers(graph):
    """Each documented query's Results, from the parsed Turtle and from the store, run once
    per query for its three formats: rdflib takes seconds a query over the bundled graph, and
    a Result formatted again gives the same text."""
    found = {}

    def answer(path: Path) -> tuple:
        if path not in found:
            prepared = sparql.prepare(path.read_text())
            found[path] = (
                sparql.run(graph, prepared),
                persistent.run_query(persistent.open_store(), prepared),
            )
        return found[path]

    return answer


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_documented_queries_answer_as_they_did_from_the_turtle(answers, path, fmt):
    from_turtle, from_store = answers(path)
    parsed = sparql.format_result(from_turtle, fmt)
    stored = sparql.format_result(from_store, fmt)
    assert stored == parsed
    if path.stem not in EMPTY_BY_DESIGN:
        assert stored.count("\n") > 3


def test_ask_construct_and_plain_literals_read_back_as_rdflib_parses_them(own_cache, tmp_path):
    small = tmp_path / "small.ttl"
    small.write_text(SMALL)
    store = persistent.open_store([small])
    ask = sparql.prepare("ASK { c:gpu a dlc:Hardware }")
    assert sparql.format_result(persistent.run_query(store, ask), "table") == "true\n"
    select = sparql.prepare("SELECT ?l WHERE { c:gpu skos:altLabel ?l }")
    binding = json.loads(sparql.format_result(persistent.run_query(store, select), "json"))
    assert binding["results"]["bindings"] == [{"l": {"type": "literal", "value": "graphics card"}}]
    construct = sparql.prepare("CONSTRUCT { ?s skos:prefLabel ?l } WHERE { ?s skos:prefLabel ?l }")
    turtle = sparql.format_result(persistent.run_query(store, construct), "turtle")
    assert 'c:gpu skos:prefLabel "GPU"@en' in turtle


def test_built_once_per_content_atomically_and_privately(own_cache, tmp_path):
    small = tmp_path / "small.ttl"
    small.write_text(SMALL)
    persistent.open_store([small])
    stores = own_cache / "stores"
    built = [p for p in stores.iterdir()]
    assert len(built) == 1 and (built[0] / ".complete").is_file()
    assert stat.S_IMODE(stores.stat().st_mode) == 0o700
    assert stat.S_IMODE(built[0].stat().st_mode) == 0o700
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in built[0].iterdir())
    first_build = (built[0] / ".complete").stat().st_mtime_ns

    persistent._open.clear()  # a new command: the store is opened, not built again
    persistent.open_store([small])
    assert [p for p in stores.iterdir()] == built
    assert (built[0] / ".complete").stat().st_mtime_ns == first_build

    small.write_text(SMALL.replace('"GPU"', '"graphics processing unit"'))
    store = persistent.open_store([small])
    assert len(list(stores.iterdir())) == 2  # new content, new store; no build directory left
    labels = sparql.prepare("SELECT ?l WHERE { c:gpu skos:prefLabel ?l }")
    assert "graphics processing unit" in sparql.format_result(
        persistent.run_query(store, labels), "csv"
    )


def test_store_is_read_only(own_cache, tmp_path):
    small = tmp_path / "small.ttl"
    small.write_text(SMALL)
    with pytest.raises(RuntimeError, match="read-write"):
        persistent.open_store([small]).update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    graph = persistent.store_graph([small])
    triple = next(iter(graph))
    with pytest.raises(DlcheckError, match="read-only"):
        graph.add(triple)


def test_turtle_errors_name_file_and_line_as_before(own_cache, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e "open .\n')
    with pytest.raises(GraphLoadError, match=f"{bad}:3: "):
        persistent.open_store([bad])
    assert not [p for p in (own_cache / "stores").iterdir()]  # nothing half-built left


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * FROM <http://127.0.0.1:9/g.ttl> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://127.0.0.1:9/g.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "LOAD <http://127.0.0.1:9/g.ttl>",
    ],
)
def test_refused_queries_never_reach_the_store(own_cache, run_cli, text):
    result = run_cli("query", text)
    assert result.exit_code == 2
    assert "refused" in result.stderr
    assert not (own_cache / "stores").exists()


@pytest.mark.parametrize("files", [None, [FIXTURES / "broken.ttl"]], ids=["bundled", "broken"])
def test_stats_counted_by_the_store_equal_those_walked_from_the_turtle(files, graph):
    from kg.stats import graph_stats, store_stats
    from kg.store import load_graph

    # The bundled Turtle is the session's graph: another rdflib Graph of it costs seconds.
    parsed = graph if files is None else load_graph(files)
    assert store_stats(persistent.open_store(files)) == graph_stats(parsed)


def test_stats_are_kept_per_content_and_count_an_edit_at_once(own_cache, tmp_path, run_cli):
    small = tmp_path / "small.ttl"
    small.write_text(SMALL)
    first = run_cli("stats", "--format", "json", "--no-bundled", "--graph", str(small))
    assert json.loads(first.output)["concepts"] == 1
    assert list(own_cache.glob("stats-*.pickle"))  # kept, keyed by the files' content
    # The kept counts answer without the store; an edit is counted on the next run.
    again = run_cli("stats", "--format", "json", "--no-bundled", "--graph", str(small))
    assert again.output == first.output
    small.write_text(SMALL + 'c:tpu a dlc:Hardware ; skos:prefLabel "TPU"@en .\n')
    edited = run_cli("stats", "--format", "json", "--no-bundled", "--graph", str(small))
    assert json.loads(edited.output)["concepts"] == 2


def test_curator_commands_read_the_store_and_answer_as_before(graph, bundled_findings, run_cli):
    from kg.stats import graph_stats

    stats = run_cli("stats", "--format", "json")
    assert json.loads(stats.output) == graph_stats(graph)
    lint = run_cli("lint", "--format", "json")
    assert json.loads(lint.output) == [f.as_dict() for f in bundled_findings]
    export = run_cli("export", "--topic", "hardware")
    import io

    from kg.export import export as run_export

    out = io.BytesIO()
    run_export(graph, "turtle", out, "hardware")
    assert export.output == out.getvalue().decode()
    assert Path(os.environ["DLCHECK_CACHE_DIR"], "stores").is_dir()
