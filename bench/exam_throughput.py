"""Benchmark: answering an exam bank against checking its option statements, in one run.

A synthetic GIFT bank of N four-option questions is built in memory from the graph's own
labels: stems name a topic concept ("Which of the following is NOT true about CNNs?",
"What is the purpose of dropout?", "Which of these is a regularization technique?"),
options are claim sentences, "It <relation> <object>" (the solver puts the topic in),
"<Relation> <object>" (the solver prefixes the topic) and free subject-relation-object
statements. Timed: parse + solve of the bank (stem reading, both checking passes, choice),
and the checker's own ``check_many`` over exactly the statements the solver checked (the
options as written and the combined statements, recorded on a first run), each with a
fresh checker built beforehand (building the pipeline is not timed). The exam layer's
overhead is the first time over the second, less one.

Run: python bench/exam_throughput.py [--questions 10000] [--seed 7] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time

from checker.check import Checker
from checker.exam import parse_text
from checker.exam.solver import ExamSolver
from kg.knowledge import KnowledgeBase

STEMS = (
    "Which of the following is NOT true about {topic}?",
    "Which statement about {topic} is true?",
    "Which of the following is a myth about {topic}?",
    "Which statement about {topic} is correct?",
    # Stems whose options are set into templates and frames (checker/exam/stem_rules.json).
    "What is {topic}?",
    "What is the purpose of {topic}?",
    "Which of these is a {topic}?",
    "What does {topic} reduce?",
)
_GIFT_SPECIAL = re.compile(r"([~=#{}:\\])")


def _escape(text: str) -> str:
    return _GIFT_SPECIAL.sub(r"\\\1", text)


def synthetic_bank(kb: KnowledgeBase, questions: int, seed: int) -> tuple[str, list[str]]:
    """GIFT text of the bank, and its option texts in bank order."""
    rng = random.Random(seed)
    concepts = sorted(kb.concepts.values(), key=lambda c: c.iri)
    claims = sorted(kb.claims.values(), key=lambda c: c.iri)
    relations = [r for r in sorted(kb.relations.values(), key=lambda r: r.iri) if r.labels]
    topics = [c for c in concepts if any(cl.subject == c.iri for cl in claims)]

    def option() -> str:
        kind = rng.random()
        obj = rng.choice(concepts).label
        verb = rng.choice(rng.choice(relations).labels)
        if kind < 0.4:
            return rng.choice(claims).label.rstrip(".")
        if kind < 0.7:
            return f"It {verb} {obj}"
        if kind < 0.85:
            return f"{verb[:1].upper()}{verb[1:]} {obj}"
        return (
            f"{rng.choice(concepts).label[:1].upper()}{rng.choice(concepts).label[1:]} {verb} {obj}"
        )

    blocks, texts = [], []
    for i in range(questions):
        topic = rng.choice(topics).label
        stem = rng.choice(STEMS).format(topic=topic)
        options = [option() for _ in range(4)]
        right = rng.randrange(4)
        answers = " ".join(
            f"{'=' if n == right else '~'}{_escape(text)}" for n, text in enumerate(options)
        )
        blocks.append(f"::q{i}::{_escape(stem)}{{{answers}}}")
        texts += options
    return "\n\n".join(blocks) + "\n", texts


class Recorder:
    """A checker that notes every text the solver sends to ``check_many``."""

    def __init__(self, checker: Checker):
        self.nlp, self.kb, self._checker = checker.nlp, checker.kb, checker
        self.scanner = checker.scanner  # the description match reads with it
        self.texts: list[str] = []

    def check_many(self, texts):
        texts = list(texts)
        self.texts += texts
        return self._checker.check_many(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the median is kept")
    args = parser.parse_args()

    kb = Checker().kb
    gift, options = synthetic_bank(kb, args.questions, args.seed)
    recorder = Recorder(Checker())
    list(ExamSolver(recorder).solve(parse_text(gift, "gift", "<synthetic>").questions))
    statements = recorder.texts  # what the exam layer checks: options and combined statements
    n_statements = len(statements)

    exam_times, check_times, stats = [], [], {}
    for _ in range(args.repeat):
        # A fresh checker for each timing, so that neither profits from the other's memo.
        baseline = Checker()
        start = time.perf_counter()
        verdicts = list(baseline.check_many(statements))
        check_times.append(time.perf_counter() - start)

        solver = ExamSolver(Checker())
        start = time.perf_counter()
        bank = parse_text(gift, "gift", "<synthetic>")
        parsed = time.perf_counter()
        results = list(solver.solve(bank.questions))
        exam_times.append(time.perf_counter() - start)
        stats = {
            "parse": parsed - start,
            "questions": len(results),
            "bank errors": len(bank.errors),
            "checked": solver.checked,
            "rewritten": sum(o.how != "as-is" for r in results for o in r.options),
            "decided": sum(r.outcome == "chosen" for r in results),
            "unknown": sum(v.verdict == "unknown" for v in verdicts),
        }

    exam_s, check_s = statistics.median(exam_times), statistics.median(check_times)
    q_rate = stats["questions"] / exam_s
    exam_rate = n_statements / exam_s
    check_rate = n_statements / check_s
    print(
        f"bank         {stats['questions']:,} questions, {len(options):,} options, "
        f"{n_statements:,} distinct statements checked, "
        f"{stats['bank errors']} bank errors, {stats['rewritten']:,} options rewritten "
        f"about the topic, {stats['decided']:,} questions decided"
    )
    print(
        f"exam         parse+solve {exam_s:.2f} s (parse {stats['parse']:.2f} s)   "
        f"{q_rate:,.0f} questions/s   {exam_rate:,.0f} statements/s"
    )
    print(f"checker      check_many {check_s:.2f} s   {check_rate:,.0f} statements/s")
    print(
        f"exam checked {stats['checked']:,} distinct statements (options as written, then the "
        f"rewritten ones): {stats['checked'] / exam_s:,.0f}/s, "
        f"{stats['checked'] / exam_s / check_rate:.2f} of the checker's rate"
    )
    print(
        f"ratio        exam/checker statements/s {exam_rate / check_rate:.2f}   "
        f"(exam costs {check_rate / exam_rate:.2f}x the checking of its statements: "
        f"the exam layer adds {100 * (exam_s / check_s - 1):.0f}%)"
    )


if __name__ == "__main__":
    main()
