"""Evaluation: the real development statements by chapter, and where each undecided one stops.

For each chapter (the `section` column's chapter number, or its CS231n note) prints how
many statements are right, wrong and undecided, and splits the undecided ones by what is
missing:

- knowledge: no claim text of the graph (label, paraphrase or definition) names every
  concept the statement names (itself or a broader one) and half of its other words: the
  fact is not there to be read;
- reading: some claim text names them all and at least half of the statement's other words
  and relation phrases, yet the statement is not read as it: the fact may be there in
  other words (an upper bound: the text may also say something else).

(Until session 6 the split followed the checker's rule names, `no-claim` against
`no-relation` and `unaccounted`; but most statements stopped as `no-relation` or
`unaccounted` have no claim text one word away, so that split overstated the reading.)

Run: python bench/statements_by_topic.py [TSV]
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter, defaultdict

from checker.align import CONCEPT, units_of
from checker.check import Checker

DEV = "tests/fixtures/real/statements_dev.tsv"


def chapter(section: str) -> str:
    number = re.match(r"(\d+)\.", section)
    return f"d2l ch. {number.group(1)}" if number else section.split(":")[0]


def main(path: str = DEV) -> None:
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    checker = Checker()
    verdicts = checker.check_many([row["text"] for row in rows])
    counts: dict[str, Counter] = defaultdict(Counter)
    for row, verdict in zip(rows, verdicts, strict=True):
        tally = counts[chapter(row["section"])]
        tally["n"] += 1
        if verdict.verdict == "unknown":
            tally["reading" if _named_together(checker, row["text"]) else "knowledge"] += 1
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


def _named_together(checker: Checker, text: str) -> bool:
    """Whether some claim text names every concept the statement names (itself or a broader
    one) and at least half of its other words and relation phrases."""
    units = units_of(checker.scanner(checker.nlp.tokenizer(text)))
    concepts = [u for u in units if u.kind == CONCEPT]
    others = {_key(u) for u in units if u.kind != CONCEPT}
    if not concepts:
        return False
    for n in checker.index.candidates(concepts):
        said = {_key(u) for u in checker.index.texts[n].units if u.kind != CONCEPT}
        if 2 * len(others & said) >= len(others):
            return True
    return False


def _key(unit) -> tuple:
    return (unit.kind, unit.lemma, unit.forward, unit.inverse)


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
