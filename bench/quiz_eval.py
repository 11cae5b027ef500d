"""Evaluation: how the exam solver does on a bank of real quiz items with trusted keys.

Reads the bank with ``checker.exam.read_bank``, answers it with ``ExamSolver(Checker())``
and prints: right (the choice is the key), wrong (a choice against the key), undecided
(no choice, ambiguous included); the key statuses (agrees / disagrees / unsure); and, for
the questions left undecided, why, by category: what became of the keyed option (its
statement's verdict and the checker's rule, or why no statement was made) and how the
stem was read. ``--list`` prints every undecided question with its keyed statement.

The keys are taken as right, so every ``disagrees`` is a false alarm.

Run: python bench/quiz_eval.py [BANK] [--list] [--wrong]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

from checker.check import Checker
from checker.exam import read_bank
from checker.exam.solver import AGREES, CHOSEN, DISAGREES, ExamSolver, QuestionResult

DEV = "tests/fixtures/real/quiz_dev.gift"
_RULE = re.compile(r"\(rule: ([\w-]+)\)")


def keyed_reason(result: QuestionResult, checker: Checker) -> str:
    """Why an undecided question's keyed option did not decide it, as one category."""
    if result.question.kind == "truefalse":
        verdict = checker.check(result.question.stem)
        return f"true/false {verdict.verdict}: {verdict.rule}"
    keyed = [o for o in result.options if o.keyed]
    if not keyed:
        return "no keyed option"
    option = keyed[0]
    if option.how == "above":
        return "keyed all/none of the above: " + option.verdict
    if option.statement is None:
        return f"key: no statement ({option.how})"
    if option.verdict != "unknown":
        wants = "false" if result.asks_for == "not_true" else "true"
        if option.verdict == wants:
            return f"key {option.verdict}, but {result.note.split(';')[0]}"
        return f"key {option.verdict} (against the question)"
    found = _RULE.search(option.explanation)
    if "does not answer this question" in option.explanation:
        return "key: verdict through another relation"
    if "different verdicts" in option.explanation:
        return "key: statements disagree"
    return f"key unknown: {found.group(1) if found else checker.check(option.statement).rule}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bank", nargs="?", default=DEV)
    parser.add_argument("--list", action="store_true", help="print every undecided question")
    parser.add_argument("--wrong", action="store_true", help="print every wrong choice")
    args = parser.parse_args()

    checker = Checker()
    solver = ExamSolver(checker)
    results = list(solver.solve(read_bank(args.bank).questions))
    total = len(results)
    right = [r for r in results if r.outcome == CHOSEN and r.key_status == AGREES]
    wrong = [r for r in results if r.outcome == CHOSEN and r.key_status != AGREES]
    undecided = [r for r in results if r.outcome != CHOSEN]
    status = Counter(r.key_status for r in results)

    def share(n: int) -> str:
        return f"{n} ({100 * n / total:.1f}%)"

    print(f"{args.bank}: {total} questions")
    print(
        f"right {share(len(right))}  wrong {share(len(wrong))}  undecided {share(len(undecided))}"
    )
    print(
        f"key status: agrees {status[AGREES]}  disagrees {status[DISAGREES]}"
        f"  unsure {status['unsure']}  no key {status['no_key']}"
    )
    forms = Counter((r.form or r.question.kind) for r in results)
    right_forms = Counter((r.form or r.question.kind) for r in right)
    print("\nform: right / all")
    for form, n in forms.most_common():
        print(f"  {form:12} {right_forms[form]:3} / {n}")

    reasons = {id(r): keyed_reason(r, checker) for r in undecided}
    print("\nundecided, by what became of the keyed option:")
    for reason, n in Counter(reasons.values()).most_common():
        print(f"  {n:4}  {reason}")

    if args.wrong:
        print("\nwrong:")
        for r in wrong:
            print(f"- {r.question.id} [{r.form}] {r.question.stem[:100]}")
            print(f"    chose {r.choice}, key {r.question.key} ({r.key_status}): {r.note}")
    if args.list:
        print("\nundecided:")
        for r in undecided:
            keyed = next((o for o in r.options if o.keyed), None)
            print(f"- {r.question.id} [{r.form}] {r.question.stem[:110]}")
            print(f"    {reasons[id(r)]}")
            if keyed is not None:
                print(f"    key {keyed.letter}: {keyed.text[:90]}")
                for statement in keyed.tried:
                    print(f"      -> {statement}")


if __name__ == "__main__":
    main()
