"""`dlcheck check` and `dlcheck explain` as a user runs them."""

from __future__ import annotations

import json


def test_text_output_names_verdict_explanation_and_path(run_cli):
    result = run_cli("check", "Deep learning requires GPUs")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "FALSE  Deep learning requires GPUs"
    assert "Instead:" in lines[1]
    assert "Why (path through the graph):" in result.output
    assert "GPU is a kind of specialized hardware" in result.output
    assert "\x1b[" not in result.output  # no colour when piped


def test_json_output_is_one_object(run_cli):
    result = run_cli("check", "Deep learning requires GPUs", "--format", "json")
    data = json.loads(result.output)
    assert data["verdict"] == "false"
    assert data["claim"]["status"] == "false"


def test_stdin_jsonl_keeps_order_and_reports_bad_lines(run_cli):
    lines = b"Deep learning requires GPUs\n\n\xff\xfe broken\nThe cat sat on the mat\n"
    result = run_cli("check", "-", "--format", "jsonl", input=lines)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    # The blank line 2 is skipped; the undecodable line 3 keeps its place as an error.
    assert [r.get("verdict", "error") for r in records] == ["false", "error", "unknown"]
    assert records[1]["line"] == 3
    assert records[1]["error"].startswith("not valid UTF-8")
    assert result.exit_code == 1
    assert "line 3: not valid UTF-8" in result.stderr


def test_stdin_all_good_exits_0(run_cli):
    result = run_cli(
        "check",
        "-",
        "--format",
        "jsonl",
        input="Deep learning requires GPUs\nDeep learning is magic\n",
    )
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2


def test_empty_statement_is_a_usage_error(run_cli):
    result = run_cli("check", "   ")
    assert result.exit_code == 2
    assert result.stderr == "dlcheck: error: empty statement: give a sentence about deep learning\n"


def test_too_long_statement_is_a_usage_error(run_cli):
    result = run_cli("check", "deep learning " * 1000)
    assert result.exit_code == 2
    assert "limit is 10000" in result.stderr


def test_control_characters_are_read_as_spaces(run_cli):
    result = run_cli("check", "Deep learning\x00requires\x07GPUs", "--format", "json")
    assert json.loads(result.output)["verdict"] == "false"


def test_jsonld_is_a_claim_review(run_cli):
    result = run_cli("check", "Deep learning is only for experts", "--format", "jsonld")
    review = json.loads(result.output)
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == "Deep learning is only for experts"
    assert review["reviewRating"]["alternateName"] == "false"
    assert review["reviewRating"]["ratingValue"] == 1
    assert review["itemReviewed"]["@type"] == "Claim"
    assert review["author"]["name"]
    assert review["datePublished"]
    assert any("Myth 5" in (s["citation"] or "") for s in review["isBasedOn"])


def test_explain_draws_mermaid_and_dot(run_cli):
    mermaid = run_cli("explain", "CNNs require GPUs").output
    assert mermaid.startswith("flowchart LR\n")
    assert '("convolutional neural network")' in mermaid
    assert '-- "broader" -->' in mermaid
    dot = run_cli("explain", "CNNs require GPUs", "--format", "dot").output
    assert dot.startswith("digraph justification {")
    assert '[label="broader"]' in dot
    assert dot.rstrip().endswith("}")


def test_custom_graph_is_used(run_cli, tmp_path):
    from conftest import FIXTURES, seed_graph_args

    graph = (*seed_graph_args(), "--graph", str(FIXTURES / "broken.ttl"))
    result = run_cli("check", "Things need things", *graph)
    assert result.exit_code == 0
    assert result.output.startswith("UNKNOWN")


def test_stdin_jsonld_keeps_a_record_for_every_line(run_cli):
    # Before: bad lines were only on stderr, and the records no longer matched the input.
    lines = b"Deep learning requires GPUs\n\xff broken\nThe cat sat on the mat\n"
    result = run_cli("check", "-", "--format", "jsonld", input=lines)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 3
    assert records[0]["@type"] == "ClaimReview"
    assert records[1]["line"] == 2 and records[1]["error"].startswith("not valid UTF-8")
    assert result.exit_code == 1
