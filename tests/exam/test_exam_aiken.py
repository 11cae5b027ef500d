"""Tests for the Aiken parser: well-formed questions and every per-question error."""

from __future__ import annotations

import pytest

from checker.exam import Question
from checker.exam.aiken import parse


def view(q: Question) -> tuple[object, ...]:
    return (q.id, q.kind, q.stem, tuple(o.text for o in q.options), q.key)


# (Aiken text, expected views)
CASES = [
    ("Is DL part of ML?\nA. Yes\nB. No\nANSWER: A",
     [("q1", "multichoice", "Is DL part of ML?", ("Yes", "No"), ("A",))]),
    ("Paren style\nA) one\nB) two\nC) three\nANSWER: C",
     [("q1", "multichoice", "Paren style", ("one", "two", "three"), ("C",))]),
    ("Stem over\ntwo lines\nA. x\nB. y\nANSWER: B",
     [("q1", "multichoice", "Stem over two lines", ("x", "y"), ("B",))]),
    ("Blank before options\n\nA. x\n\nB. y\nANSWER: A",
     [("q1", "multichoice", "Blank before options", ("x", "y"), ("A",))]),
    ("  Indented  \n   A.   spaced    text \n B. y\n  ANSWER:   B  ",
     [("q1", "multichoice", "Indented", ("spaced text", "y"), ("B",))]),
    ("Lower-case answer word\nA. x\nB. y\nAnswer: b",
     [("q1", "multichoice", "Lower-case answer word", ("x", "y"), ("B",))]),
    ("Several keys\nA. x\nB. y\nC. z\nANSWER: A, C",
     [("q1", "multichoice", "Several keys", ("x", "y", "z"), ("A", "C"))]),
    ("One\nA. a\nB. b\nANSWER: A\nTwo\nA. c\nB. d\nANSWER: B",
     [("q1", "multichoice", "One", ("a", "b"), ("A",)),
      ("q2", "multichoice", "Two", ("c", "d"), ("B",))]),
    ("Option text may hold A. inside\nA. B. is not an option here\nB. y\nANSWER: A",
     [("q1", "multichoice", "Option text may hold A. inside", ("B. is not an option here", "y"),
       ("A",))]),
]  # fmt: skip


@pytest.mark.parametrize("text,expected", CASES)
def test_parse(text, expected):
    bank = parse(text, "a.txt")
    assert bank.errors == ()
    assert bank.format == "aiken"
    assert [view(q) for q in bank.questions] == expected


def test_options_carry_correct_flags_and_lines():
    bank = parse("\n\nStem\nA. x\nB. y\nANSWER: B\n", "a.txt")
    (q,) = bank.questions
    assert q.line == 3
    assert [(o.letter, o.correct, o.weight, o.feedback) for o in q.options] == [
        ("A", False, None, None),
        ("B", True, None, None),
    ]


GOOD = "Good\nA. x\nB. y\nANSWER: A"

# (Aiken text, expected (line, message) errors, ids still parsed)
ERROR_CASES = [
    (f"No key\nA. x\nB. y\n\n{GOOD}",
     [(1, "question has no 'ANSWER: X' line; expected it after the last option")], ["q2"]),
    (f"No key, no blank\nA. x\nB. y\n{GOOD}",
     [(1, "question has no 'ANSWER: X' line; expected it after the last option")], ["q2"]),
    ("Key missing at end of file\nA. x\nB. y\n",
     [(1, "question has no 'ANSWER: X' line; expected it after the last option")], []),
    (f"A. orphan\nB. option\nANSWER: A\n\n{GOOD}",
     [(1, "options without a question stem; expected the question text first")], ["q2"]),
    (f"Dup\nA. x\nB. y\nB. z\nANSWER: A\n\n{GOOD}",
     [(4, "duplicated option letter B; each letter may appear once")], ["q2"]),
    (f"Order\nA. x\nC. y\nANSWER: A\n\n{GOOD}",
     [(3, "option C is out of order; expected B")], ["q2"]),
    (f"Missing option\nA. x\nB. y\nANSWER: D\n\n{GOOD}",
     [(4, "ANSWER names option D, but the question has options A, B")], ["q2"]),
    (f"Few\nA. x\nANSWER: A\n\n{GOOD}",
     [(1, "question has 1 option(s); expected at least 2 lines like 'A. text' (upper-case "
          "letter, then '.' or ')')")], ["q2"]),
    (f"lower-case options\na. x\nb. y\nANSWER: A\n\n{GOOD}",
     [(1, "question has 0 option(s); expected at least 2 lines like 'A. text' (upper-case "
          "letter, then '.' or ')')")], ["q2"]),
    (f"Empty option\nA.\nB. y\nANSWER: B\n\n{GOOD}",
     [(2, "option A has no text; expected 'A. text'")], ["q2"]),
    (f"Blank key\nA. x\nB. y\nANSWER:\n\n{GOOD}",
     [(4, "ANSWER line names no option; expected e.g. 'ANSWER: B'")], ["q2"]),
    (f"Word key\nA. x\nB. y\nANSWER: yes please\n\n{GOOD}",
     [(4, "ANSWER must name option letters like 'B' or 'B, D'; got 'yes please'")], ["q2"]),
    (f"{GOOD}\nANSWER: B",
     [(5, "ANSWER line without a question before it")], ["q1"]),
]  # fmt: skip


@pytest.mark.parametrize("text,errors,ids", ERROR_CASES)
def test_error(text, errors, ids):
    bank = parse(text, "a.txt")
    assert [(e.line, e.message) for e in bank.errors] == errors
    assert [q.id for q in bank.questions] == ids
