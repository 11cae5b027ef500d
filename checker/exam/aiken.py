"""Parse Aiken question banks into a :class:`~checker.exam.model.Bank`.

An Aiken question is a stem (one or more lines), then options ``A.`` or ``A)``
with upper-case letters in order, then an ``ANSWER: X`` line; blank lines separate
questions.  ``ANSWER: B, D`` is also accepted and keys both options.  As in
Moodle, blank lines carry no meaning, so a blank line between stem and options is
harmless.  A question ends at its ``ANSWER`` line, or, when that is missing, at the
next line that is neither an option nor an ``ANSWER``; a problem in one question
becomes a BankError and reading goes on with the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ._text import collapse, guarded, prepare
from .model import Bank, BankError, Option, Question

_OPTION = re.compile(r"^\s*([A-Z])[.)][ \t]+(.*)$")
_BARE_OPTION = re.compile(r"^\s*([A-Z])[.)]\s*$")
_ANSWER = re.compile(r"^\s*ANSWER\s*:(.*)$", re.IGNORECASE)
_ANSWER_LETTERS = re.compile(r"^[A-Za-z](?:\s*[,;\s]\s*[A-Za-z])*$")


class _Problem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class _Draft:
    """A question being collected line by line."""

    first_line: int
    stem: list[str] = field(default_factory=list)
    options: list[tuple[str, str, int]] = field(default_factory=list)  # letter, text, line


def _check_options(draft: _Draft) -> None:
    if not draft.stem:
        raise _Problem(
            draft.first_line, "options without a question stem; expected the question text first"
        )
    seen: set[str] = set()
    for index, (letter, text, line) in enumerate(draft.options):
        if not text.strip():
            raise _Problem(line, f"option {letter} has no text; expected '{letter}. text'")
        if letter in seen:
            raise _Problem(line, f"duplicated option letter {letter}; each letter may appear once")
        expected = chr(ord("A") + index)
        if letter != expected:
            raise _Problem(line, f"option {letter} is out of order; expected {expected}")
        seen.add(letter)
    if len(draft.options) < 2:
        raise _Problem(
            draft.first_line,
            f"question has {len(draft.options)} option(s); expected at least 2 lines like "
            "'A. text' (upper-case letter, then '.' or ')')",
        )


def _finish(draft: _Draft, answer: str, answer_line: int, number: int, source: str) -> Question:
    _check_options(draft)
    value = answer.strip()
    if not value:
        raise _Problem(answer_line, "ANSWER line names no option; expected e.g. 'ANSWER: B'")
    if not _ANSWER_LETTERS.match(value):
        raise _Problem(
            answer_line, f"ANSWER must name option letters like 'B' or 'B, D'; got {value!r}"
        )
    letters = tuple(dict.fromkeys(ch.upper() for ch in value if ch.isalpha()))
    present = {letter for letter, _t, _l in draft.options}
    for letter in letters:
        if letter not in present:
            raise _Problem(
                answer_line,
                f"ANSWER names option {letter}, but the question has options "
                f"{', '.join(sorted(present))}",
            )
    options = tuple(
        Option(
            letter=letter,
            text=collapse(text),
            correct=letter in letters,
            weight=None,
            feedback=None,
        )
        for letter, text, _line in draft.options
    )
    return Question(
        id=f"q{number}",
        kind="multichoice",
        stem=collapse(" ".join(draft.stem)),
        options=options,
        key=letters,
        line=draft.first_line,
        source=source,
    )


@guarded("aiken")
def parse(text: str, source: str = "<string>") -> Bank:
    """Parse Aiken text; per-question problems become BankErrors, the rest is still read."""
    text = prepare(text, source)
    questions: list[Question] = []
    errors: list[BankError] = []
    draft: _Draft | None = None
    number = 0

    def fail(problem: _Problem) -> None:
        errors.append(BankError(source, problem.line, problem.message))

    def missing_answer(current: _Draft) -> None:
        try:
            _check_options(current)
        except _Problem as problem:
            fail(problem)
            return
        fail(
            _Problem(
                current.first_line,
                "question has no 'ANSWER: X' line; expected it after the last option",
            )
        )

    # Blank lines are ignored, as Moodle does, so a blank between stem and options is fine.
    for line_number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        answer = _ANSWER.match(line)
        if answer:
            if draft is None:
                fail(_Problem(line_number, "ANSWER line without a question before it"))
                continue
            try:
                questions.append(_finish(draft, answer.group(1), line_number, number, source))
            except _Problem as problem:
                fail(problem)
            draft = None
            continue
        option = _OPTION.match(line) or _BARE_OPTION.match(line)
        if option:
            if draft is None:
                number += 1
                draft = _Draft(first_line=line_number)
            text_part = option.group(2) if option.re is _OPTION else ""
            draft.options.append((option.group(1), text_part, line_number))
            continue
        if draft is not None and draft.options:
            # A stem line after options means the previous question never gave its ANSWER.
            missing_answer(draft)
            draft = None
        if draft is None:
            number += 1
            draft = _Draft(first_line=line_number)
        draft.stem.append(line)
    if draft is not None:
        missing_answer(draft)
    return Bank(source=source, format="aiken", questions=tuple(questions), errors=tuple(errors))
