"""Evaluation: the real development statements by chapter, and where each undecided one stops.

For each chapter (the `section` column's chapter number, or its CS231n note) prints how
many statements are right, wrong and undecided, and splits the undecided ones by what is
missing:

- knowledge: the graph lacks the concept or any claim linking the statement's concepts
  (rules `no-concept`, `no-claim`);
- reading: the graph knows the concepts, but the statement's relation or some of its words
  are not read (rules `no-relation`, `unaccounted` and the other reading rules).

Run: python bench/statements_by_topic.py [TSV]
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter, defaultdict

from checker.check import Checker

DEV = "tests/fixtures/real/statements_dev.tsv"
KNOWLEDGE = {"no-concept", "no-claim"}


def chapter(section: str) -> str:
    number = re.match(r"(\d+)\.", section)
    return f"d2l ch. {number.group(1)}" if number else section.split(":")[0]


def main(path: str = DEV) -> None:
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    verdicts = Checker().check_many([row["text"] for row in rows])
    counts: dict[str, Counter] = defaultdict(Counter)
    for row, verdict in zip(rows, verdicts, strict=True):
        tally = counts[chapter(row["section"])]
        tally["n"] += 1
        if verdict.verdict == "unknown":
            tally["knowledge" if verdict.rule in KNOWLEDGE else "reading"] += 1
        elif verdict.verdict == row["expected"]:
            tally["right"] += 1
        else:
            tally["wrong"] += 1
    print("| chapter | statements | right | wrong | undecided: knowledge | undecided: reading |")
    print("|---|---|---|---|---|---|")
    total: Counter = Counter()
    for name in sorted(counts, key=_chapter_order):
        total.update(counts[name])
        print(_row(name, counts[name]))
    print(_row("**all**", total))


def _row(name: str, tally: Counter) -> str:
    cells = [tally[k] for k in ("n", "right", "wrong", "knowledge", "reading")]
    return f"| {name} | " + " | ".join(str(c) for c in cells) + " |"


def _chapter_order(name: str) -> tuple:
    """d2l chapters by number, then the other notes by name."""
    if name.startswith("d2l"):
        return (0, int(name.split()[-1]), name)
    return (1, 0, name)


if __name__ == "__main__":
    main(*sys.argv[1:])
