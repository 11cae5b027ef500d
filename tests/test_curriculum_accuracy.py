"""Accuracy across the deep-learning curriculum (issue 5): the curators' labelled statements.

Each file was written by the curator of its topics, labelled by the verdict contract rather
than by the checker's output. The bar: at least 90% right, and never a true/false verdict
where the graph has nothing to say.
"""

from __future__ import annotations

import csv

import pytest
from conftest import FIXTURES

FILES = ("curriculum_a.tsv", "curriculum_b.tsv")


@pytest.fixture(scope="module")
def results(checker):
    rows = []
    for name in FILES:
        with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
            rows += list(csv.DictReader(handle, delimiter="\t"))
    verdicts = list(checker.check_many([row["text"] for row in rows]))
    return list(zip(rows, verdicts, strict=True))


def _report(pairs) -> str:
    return "\n".join(
        f"  [{r['topic']}] {r['text']!r}: expected {r['expected']}, got {v.verdict} ({v.rule})"
        for r, v in pairs
    )


def test_the_set_is_large_and_covers_every_topic(results):
    assert len(results) >= 300
    assert len({row["topic"] for row, _ in results}) >= 8


def test_accuracy_at_least_90_percent(results):
    wrong = [(r, v) for r, v in results if v.verdict != r["expected"]]
    accuracy = 1 - len(wrong) / len(results)
    assert accuracy >= 0.90, f"accuracy {accuracy:.3f}; misclassified:\n{_report(wrong)}"


def test_no_verdict_where_the_graph_is_silent(results):
    bad = [(r, v) for r, v in results if r["expected"] == "unknown" and v.verdict != "unknown"]
    assert not bad, _report(bad)
