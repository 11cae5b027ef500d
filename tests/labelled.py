"""Reading labelled statement sets (tests/fixtures/*.tsv) and reporting misses row by row."""

from __future__ import annotations

import csv

from conftest import FIXTURES


def labelled(checker, *names: str) -> list[tuple[dict[str, str], object]]:
    """(row, verdict) for every row of the named sets, checked in one stream."""
    rows: list[dict[str, str]] = []
    for name in names:
        with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
            rows += list(csv.DictReader(handle, delimiter="\t"))
    verdicts = list(checker.check_many([row["text"] for row in rows]))
    return list(zip(rows, verdicts, strict=True))


def report(pairs, column: str) -> str:
    """One line per miss: its `column` (topic or group), text, expectation and what fired."""
    return "\n".join(
        f"  [{r[column]}] {r['text']!r}: expected {r['expected']}, got {v.verdict} ({v.rule})"
        for r, v in pairs
    )


def assert_accuracy(results, minimum: float, column: str) -> None:
    wrong = [(r, v) for r, v in results if v.verdict != r["expected"]]
    accuracy = 1 - len(wrong) / len(results)
    assert accuracy >= minimum, f"accuracy {accuracy:.3f}; misclassified:\n{report(wrong, column)}"


def assert_unknown_where_the_graph_is_silent(results, column: str) -> None:
    """Never a true/false verdict for a statement the labels call undecidable."""
    bad = [(r, v) for r, v in results if r["expected"] == "unknown" and v.verdict != "unknown"]
    assert not bad, report(bad, column)
