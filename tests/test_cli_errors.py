"""Bad input of every kind is one clear stderr line and a documented exit status, never a
traceback nor an "internal error" (issue #16, item 9)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# The graph files these tests write are read alone (--no-bundled): the errors are the same,
# and the bundled graph beside them would cost a new on-disk store for each.
SMALL_TTL = "<urn:a> <urn:b> <urn:c> .\n"


def _one_line_error(result, exit_code: int) -> str:
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    assert result.stderr.startswith("dlcheck: error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    return result.stderr


def test_an_ill_typed_literal_names_its_file_and_line(run_cli, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n<urn:a> <urn:b> "x"^^xsd:integer .\n'
    )
    message = _one_line_error(run_cli("stats", "--no-bundled", "--graph", str(bad)), 1)
    assert message == f'dlcheck: error: {bad}:2: "x" is not a valid integer ' + (
        "(the literal's text does not fit its datatype)\n"
    )


def test_an_ill_typed_literal_in_a_query_is_quietly_false(run_cli, capfd):
    result = run_cli("query", 'ASK { FILTER("x"^^xsd:integer = 1) }')
    assert (result.exit_code, result.stdout, result.stderr) == (0, "false\n", "")
    assert "Traceback" not in capfd.readouterr().err  # rdflib's own log stays quiet


def test_an_argument_that_is_not_utf8_is_a_usage_error(run_cli):
    # Python hands the bytes of `dlcheck check $'a\xff b'` over as a lone surrogate.
    message = _one_line_error(run_cli("check", "a\udcff b"), 2)
    assert "argument 2" in message and "not valid UTF-8" in message


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('SELECT ?x WHERE { BIND("\\uD800" AS ?x) }', "lone UTF-16 surrogate"),
        ('ASK { ?s ?p "\udc80" }', "not valid UTF-8"),
        ("A" * 300, "SPARQL syntax error"),  # too long for a file name, not a file
    ],
)
def test_query_errors_found_while_running_are_usage_errors(run_cli, tmp_path, query, expected):
    small = tmp_path / "small.ttl"
    small.write_text('<urn:a> <http://www.w3.org/2000/01/rdf-schema#label> "text" .\n')
    message = _one_line_error(run_cli("query", query, "--no-bundled", "--graph", str(small)), 2)
    assert expected in message


@pytest.mark.parametrize(
    "query",
    [
        # An error inside an expression is no error of the query (SPARQL 1.1, 17.3): the
        # sum of text has no value, a filter with a bad regular expression is false.
        "SELECT (SUM(?l) AS ?x) WHERE { ?s rdfs:label ?l }",
        'SELECT ?l WHERE { ?s rdfs:label ?l FILTER REGEX(?l, "(") }',
    ],
)
def test_errors_inside_expressions_leave_no_value(run_cli, tmp_path, query):
    small = tmp_path / "small.ttl"
    small.write_text('<urn:a> <http://www.w3.org/2000/01/rdf-schema#label> "text" .\n')
    result = run_cli("query", query, "--no-bundled", "--graph", str(small), "--format", "csv")
    assert (result.exit_code, result.stderr) == (0, "")
    assert "text" not in result.stdout  # no sum, no label through the broken filter


def test_graph_patterns_read_the_named_graph_as_the_server_does(run_cli, tmp_path):
    small = tmp_path / "small.ttl"
    small.write_text(SMALL_TTL)
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { <urn:a> ?p ?o } } GROUP BY ?g"
    result = run_cli("query", query, "--no-bundled", "--graph", str(small), "--format", "csv")
    assert (result.exit_code, result.stdout) == (0, "g,n\nhttps://w3id.org/dlcheck/kg/,1\n")


@pytest.mark.parametrize(
    ("args", "closed_fd", "stdout", "status", "message"),
    [
        (("query", "ASK {}"), 1, None, 1, "standard output is closed"),
        (("query", "-"), 0, None, 2, "standard input is closed"),
        (("query", "ASK {}"), None, "/dev/full", 1, "standard output: no space left on device"),
    ],
)
def test_closed_and_full_standard_streams(tmp_path, args, closed_fd, stdout, status, message):
    small = tmp_path / "small.ttl"
    small.write_text(SMALL_TTL)
    # A descriptor closed before Python starts: sys.stdin or sys.stdout is then None.
    close = (lambda: os.close(closed_fd)) if closed_fd is not None else None
    with open(stdout or os.devnull, "wb") as out:
        done = subprocess.run(
            [sys.executable, "-m", "cli", *args, "--no-bundled", "--graph", str(small)],
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.PIPE,
            preexec_fn=close,
            timeout=60,
        )
    err = done.stderr.decode()
    assert done.returncode == status, err
    assert err.startswith(f"dlcheck: error: {message}"), err
    assert err.count("\n") == 1, err
