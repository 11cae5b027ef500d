"""The curator commands as a user runs them: exit statuses, one-line errors, formats."""

from __future__ import annotations

import json

from conftest import FIXTURES, seed_graph_args


def test_validate_passes_on_the_bundled_graph(run_cli):
    result = run_cli("validate")
    assert result.exit_code == 0
    assert "conforms" in result.output


def test_validate_fails_on_a_broken_graph_with_a_report(run_cli):
    # The seed topics, which conform, plus the broken file: its five problems are the report.
    result = run_cli("validate", *seed_graph_args(), "--graph", str(FIXTURES / "broken.ttl"))
    assert result.exit_code == 1
    assert "does not conform: 5 problem(s)" in result.output


def test_turtle_syntax_error_names_file_and_line(run_cli, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e "open .\n')
    result = run_cli("validate", "--graph", str(bad))
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert f"{bad}:3:" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_missing_graph_file_is_one_line(run_cli, tmp_path):
    result = run_cli("stats", "--graph", str(tmp_path / "nope.ttl"))
    assert result.exit_code == 1
    assert "no such file" in result.stderr


def test_query_from_argument_file_and_stdin(run_cli, tmp_path):
    text = "SELECT ?l WHERE { c:tpu skos:prefLabel ?l }"
    assert run_cli("query", text, "--format", "csv").output == "l\nTPU\n"
    rq = tmp_path / "q.rq"
    rq.write_text(text)
    assert run_cli("query", str(rq), "--format", "csv").output == "l\nTPU\n"
    assert run_cli("query", "-", "--format", "csv", input=text).output == "l\nTPU\n"


def test_refused_query_exits_2_with_the_reason(run_cli):
    result = run_cli("query", "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }")
    assert result.exit_code == 2
    assert result.stderr.startswith("dlcheck: error: refused: SERVICE")


def test_query_syntax_error_exits_2(run_cli):
    result = run_cli("query", "SELECT WHERE {")
    assert result.exit_code == 2
    assert "SPARQL syntax error at line 1" in result.stderr


def test_unknown_format_is_a_usage_error(run_cli):
    result = run_cli("query", "ASK {}", "--format", "yaml")
    assert result.exit_code == 2


def test_stats_json_counts_the_graph(run_cli):
    result = run_cli("stats", "--format", "json")
    assert result.exit_code == 0
    stats = json.loads(result.output)
    assert stats["claims"] == sum(stats["claims_by_status"].values())
    assert stats["claims_by_status"]["false"] >= 5
    assert stats["concepts"] >= 50
    assert stats["triples"] > 1000
    assert {t["topic"] for t in stats["topics"]} >= {"interpretability", "hardware and compute"}


def test_stats_counts_claims_per_book_chapter(run_cli):
    """Coverage by chapter: the books the graph cites (dcterms:type "book"), chapter by
    chapter; papers are not split into chapters."""
    stats = json.loads(run_cli("stats", "--format", "json").output)
    chapters = {(c["book"], c["chapter"]): c for c in stats["chapters"]}
    d2l = [c for (book, _), c in chapters.items() if book.endswith("Dive into Deep Learning")]
    assert {c["chapter"] for c in d2l} >= {7, 8, 9, 10, 11}
    assert all(c["claims"] >= c["misconceptions"] for c in chapters.values())
    assert not any("Attention Is All You Need" in book for book, _ in chapters)
    text = run_cli("stats").output
    assert "book chapter" in text and "Dive into Deep Learning, ch. 7 " in text


def test_every_command_has_help_text(run_cli):
    from cli import cli

    for name, command in cli.commands.items():
        assert command.help, f"{name} has no help"
        assert run_cli(name, "--help").exit_code == 0
