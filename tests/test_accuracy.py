"""Labelled accuracy set: hand-written statements with the verdict the contract calls for.

The rows in `fixtures/statements.tsv` were labelled from the seed article, the graph and the
documented verdict semantics, not from the checker's output. A failure lists every row the
checker got wrong, with the rule that fired, so a regression can be traced row by row.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

TSV = Path(__file__).parent / "fixtures" / "statements.tsv"
VERDICTS = {"true", "false", "partly_true", "unknown"}
GROUPS = {
    "plain",
    "paraphrase",
    "negation",
    "quantifier",
    "passive",
    "surface",
    "taxonomy",
    "undecidable",
}
MIN_ACCURACY = 0.95
MIN_PER_GROUP = 10


def _load() -> list[dict[str, str]]:
    with TSV.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        assert reader.fieldnames == ["text", "expected", "group", "note"], reader.fieldnames
        return list(reader)


ROWS = _load()


@pytest.fixture(scope="module")
def results(checker):
    """(row, verdict) pairs: the session's Checker, every text in one batch."""
    verdicts = list(checker.check_many([row["text"] for row in ROWS]))
    assert len(verdicts) == len(ROWS)
    return list(zip(ROWS, verdicts, strict=True))


def _report(bad) -> str:
    lines = [
        f"  [{row['group']}] {row['text']!r}: expected {row['expected']}, "
        f"got {v.verdict} (rule {v.rule})"
        for row, v in bad
    ]
    return "\n".join(lines)


def test_fixture_is_well_formed():
    assert len(ROWS) >= 230
    texts = [row["text"] for row in ROWS]
    assert len(set(texts)) == len(texts), "duplicate statements"
    for row in ROWS:
        assert row["text"].strip(), row
        assert row["expected"] in VERDICTS, row
        assert row["group"] in GROUPS, row
    undecidable = [r for r in ROWS if r["group"] == "undecidable"]
    assert len(undecidable) >= 45
    assert all(r["expected"] == "unknown" for r in undecidable)


def test_each_group_has_enough_rows():
    counts = Counter(row["group"] for row in ROWS)
    thin = {g: counts.get(g, 0) for g in GROUPS if counts.get(g, 0) < MIN_PER_GROUP}
    assert not thin, f"groups with fewer than {MIN_PER_GROUP} rows: {thin}"


def test_overall_accuracy(results):
    bad = [(row, v) for row, v in results if v.verdict != row["expected"]]
    accuracy = 1 - len(bad) / len(results)
    assert accuracy >= MIN_ACCURACY, (
        f"accuracy {accuracy:.3f} < {MIN_ACCURACY} "
        f"({len(bad)} of {len(results)} misclassified):\n{_report(bad)}"
    )


def test_no_verdict_where_the_graph_is_silent(results):
    bad = [
        (row, v)
        for row, v in results
        if row["expected"] == "unknown" and v.verdict in ("true", "false")
    ]
    assert not bad, f"{len(bad)} rows expected unknown got a verdict:\n{_report(bad)}"
