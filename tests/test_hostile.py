"""Every command over the hostile corpus (tests/hostile/): what docs/security.md promises.

For each run: no traceback and no "internal error"; a documented exit status; stderr is
only dlcheck's own one-line messages (or an exam file's file:line warnings); and no file
changes but the named output.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "hostile"
TURTLE = sorted(HOSTILE.glob("*.ttl"))
QUERIES = sorted(HOSTILE.glob("*.rq"))
BANKS = sorted(p for p in HOSTILE.iterdir() if p.suffix in (".gift", ".xml", ".csv", ".json"))
BANKS += [HOSTILE / "escape.aiken.txt"]
STATEMENTS = HOSTILE / "statements.txt"
EXIT_STATUSES = {0, 1, 2}  # README: success, failure, usage error
# What dlcheck itself says, or an exam file's warning ("path:line: message").
_OWN_LINE = re.compile(r"^(dlcheck: (error|note): .+|.+:\d+: .+)$")


def _fingerprint() -> dict[str, str]:
    """Every file of the corpus and of the bundled graph, by content."""
    watched = [*HOSTILE.iterdir(), *(ROOT / "kg" / "data").glob("*.ttl")]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(watched)}


@pytest.fixture
def shared(monkeypatch, request):
    """Commands that check statements reuse the session's checker: building it is the slow part."""
    session_checker = request.getfixturevalue("checker")
    module = importlib.import_module("checker.check")
    monkeypatch.setattr(module, "Checker", lambda graph_files=None: session_checker)


@pytest.fixture(scope="module")
def untouched():
    before = _fingerprint()
    yield
    assert _fingerprint() == before, "a command changed a file it was not told to write"


def _assert_well_behaved(result) -> None:
    assert result.exit_code in EXIT_STATUSES, (result.exit_code, result.stderr[-500:])
    everything = result.stdout + result.stderr
    assert "Traceback" not in everything
    assert "internal error" not in result.stderr
    for line in result.stderr.splitlines():
        assert _OWN_LINE.match(line), line
        assert "\x1b" not in line or line.startswith(str(HOSTILE)), line
    if result.exit_code != 0:
        assert result.stderr.strip(), "a failure must say why"


@pytest.mark.parametrize("path", TURTLE, ids=lambda p: p.name)
def test_graph_commands_over_hostile_turtle(run_cli, untouched, path):
    # The hostile file alone (with the ontology): what it does to the commands is the point,
    # and each new file beside the bundled graph would build a store of 78,000 triples.
    graph = ("--no-bundled", "--graph", str(path))
    stats = run_cli("stats", *graph)
    _assert_well_behaved(stats)
    if stats.exit_code != 0:
        # Loading failed with its one line; every graph command fails the same way.
        assert stats.stderr.count("\n") == 1
        assert stats.stderr.startswith(f"dlcheck: error: {path}")
        assert "recursion" not in stats.stderr  # Python's words, not the user's
        return
    for args in (("lint",), ("query", "ASK { ?s ?p ?o }"), ("export", "--format", "nt")):
        _assert_well_behaved(run_cli(*args, *graph))


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.name)
def test_query_over_hostile_sparql(run_cli, untouched, path, tmp_path):
    small = tmp_path / "small.ttl"
    small.write_text('<urn:a> <http://www.w3.org/2000/01/rdf-schema#label> "text" .\n')
    for args in ((str(path),), ("-",)):
        data = path.read_bytes() if args == ("-",) else None
        # The small file alone (with the ontology), as for hostile Turtle: beside the bundled
        # graph it made the run build a store of the bundled graph's size for these queries.
        result = run_cli("query", *args, "--no-bundled", "--graph", str(small), input=data)
        _assert_well_behaved(result)
        if result.exit_code:
            assert result.stderr.count("\n") == 1


def test_check_over_hostile_statements(run_cli, untouched, shared):
    for fmt in ("text", "jsonl", "jsonld"):
        result = run_cli("check", "-", "--format", fmt, input=STATEMENTS.read_bytes())
        _assert_well_behaved(result)
    bad = run_cli("check", "-", "--format", "jsonl", input=(HOSTILE / "bad_lines.txt").read_bytes())
    _assert_well_behaved(bad)
    assert bad.exit_code == 1 and len(bad.stdout.splitlines()) == 4  # one record a line


@pytest.mark.parametrize(
    "line", [s for s in STATEMENTS.read_text(encoding="utf-8").splitlines() if s][:6]
)
def test_check_and_explain_over_one_hostile_statement(run_cli, untouched, shared, line):
    for args in (("check", line, "--format", "json"), ("explain", line)):
        result = run_cli(*args)
        _assert_well_behaved(result)
        if result.exit_code:
            assert result.stderr.count("\n") == 1


def test_exam_over_hostile_banks(run_cli, untouched, shared):
    for fmt in ("text", "csv", "junit"):
        result = run_cli("exam", *map(str, BANKS), "--format", fmt)
        _assert_well_behaved(result)
        assert result.exit_code == 1  # some files cannot be read: said, and the rest checked
    csv_out = run_cli("exam", str(HOSTILE / "formula.csv"), "--format", "csv").stdout
    assert "\n=" not in csv_out and ",=" not in csv_out


def test_export_writes_only_the_named_output(run_cli, untouched, tmp_path):
    target = tmp_path / "out.ttl"
    graph = ("--no-bundled", "--graph", str(HOSTILE / "bom.ttl"))  # the file alone: quick
    result = run_cli("export", *graph, "-o", str(target))
    _assert_well_behaved(result)
    assert result.exit_code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]
