"""Parse Moodle GIFT question banks into a :class:`~checker.exam.model.Bank`.

The reading follows Moodle's own importer: questions are blocks separated by blank
lines, ``//`` lines are comments, ``::title::`` names a question, ``$CATEGORY:``
sets the category of the questions after it, and the first ``{...}`` block holds
the answers.  The answer block decides the kind, in Moodle's order:

* ``{}`` (or only ``####general feedback``) is an essay,
* ``{#...}`` is numerical,
* anything with ``~`` is multiple choice (``=right``, ``~wrong``, ``~%50%partial``),
* ``=a -> b`` pairs are matching,
* ``{T}``, ``{TRUE}``, ``{F}``, ``{FALSE}`` (optionally ``#wrong-feedback#right-feedback``)
  is true/false,
* any other non-empty block (``=`` answers only) is short answer,
* no braces at all is a description.

Only multiple choice and true/false can be checked; the other kinds are returned
with ``skipped`` set.  Text after an answer block turns the block into a blank
(``_____``) in the stem, as Moodle's "missing word" questions do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ._text import (
    collapse,
    guarded,
    html_to_text,
    option_letter,
    prepare,
    skip_reason,
    skipped_for,
)
from .model import Bank, BankError, Option, Question

BLANK = "_____"

# Escaped specials become private-use characters so that the structural scan below
# never mistakes them for syntax; they are turned back only in the final text.
_ESCAPABLE = ":#={}~"
_TO_PLACEHOLDER = {ch: chr(0xE000 + i) for i, ch in enumerate(_ESCAPABLE)}
_ESCAPED_NEWLINE = chr(0xE000 + len(_ESCAPABLE))
_FROM_PLACEHOLDER = str.maketrans(
    {**{v: k for k, v in _TO_PLACEHOLDER.items()}, _ESCAPED_NEWLINE: "\n"}
)

_TEXT_FORMATS = ("html", "moodle", "markdown", "plain")
_FORMAT_PREFIX = re.compile(r"^\[([a-z]+)\]")
_WEIGHT = re.compile(r"^%\s*(-?\d+(?:\.\d*)?)\s*%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def _escape(raw: str) -> str:
    out: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
        if ch == "\\" and i + 1 < n:
            nxt = raw[i + 1]
            if nxt == "\\":
                out.append("\\")
                i += 2
                continue
            if nxt in _TO_PLACEHOLDER:
                out.append(_TO_PLACEHOLDER[nxt])
                i += 2
                continue
            if nxt == "n":
                out.append(_ESCAPED_NEWLINE)
                i += 2
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _unescape(text: str) -> str:
    return text.translate(_FROM_PLACEHOLDER)


def _split_format(text: str, default: str) -> tuple[str, str]:
    """Strip a leading ``[html]``-style marker; unknown markers stay part of the text."""
    text = text.strip()
    match = _FORMAT_PREFIX.match(text)
    if match and match.group(1) in _TEXT_FORMATS:
        return match.group(1), text[match.end() :]
    return default, text


def _render(text: str, fmt: str) -> str:
    plain = _unescape(text)
    return html_to_text(plain) if fmt == "html" else collapse(plain)


class _QuestionProblem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class _Block:
    """The escaped text of one blank-line-separated block and where it starts."""

    text: str
    first_line: int

    def line_at(self, offset: int) -> int:
        return self.first_line + self.text.count("\n", 0, offset)


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if current:
                blocks.append(_Block(_escape("\n".join(current)), start))
                current = []
            continue
        if not current:
            start = number
        # Blanking a comment keeps the line count, so offsets still map to file lines.
        current.append("" if line.lstrip().startswith("//") else line)
    if current:
        blocks.append(_Block(_escape("\n".join(current)), start))
    return blocks


def _find_answer_block(body: str, block: _Block, base: int) -> tuple[int, int] | None:
    """Return the offsets of the one ``{`` and its ``}`` in body, or None without braces."""
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    for i, ch in enumerate(body):
        if ch == "{":
            if open_at is not None:
                raise _QuestionProblem(
                    block.line_at(base + open_at),
                    "unclosed '{': expected '}' to end the answer block before the next '{'",
                )
            open_at = i
        elif ch == "}":
            if open_at is None:
                raise _QuestionProblem(
                    block.line_at(base + i),
                    "'}' without a matching '{' (a blank line inside an answer block "
                    "ends the question early)",
                )
            spans.append((open_at, i))
            open_at = None
    if open_at is not None:
        raise _QuestionProblem(
            block.line_at(base + open_at),
            "unclosed '{': expected '}' to end the answer block before the next blank line",
        )
    if len(spans) > 1:
        raise _QuestionProblem(
            block.line_at(base + spans[1][0]),
            "a second answer block '{...}' in the same question; "
            "separate questions with a blank line",
        )
    return spans[0] if spans else None


def _classify(answers: str) -> str:
    if not answers:
        return "essay"
    if answers.startswith("#"):
        return "numerical"
    if "~" in answers:
        return "multichoice"
    if "=" in answers and "->" in answers:
        return "matching"
    if answers.split("#", 1)[0].strip() in _TRUE_FALSE:
        return "truefalse"
    return "shortanswer"


def _has_any_answer(answers: str, kind: str) -> bool:
    """True when a skipped-kind block names at least one non-empty answer."""
    if kind == "numerical":
        answers = answers[1:].split("~", 1)[0]
    pieces = (p.split("#", 1)[0] for p in answers.split("="))
    return any(_WEIGHT.sub("", p.strip()).strip() for p in pieces)


def _multichoice_options(answers: str, fmt: str, line: int) -> tuple[Option, ...]:
    pieces = answers.replace("=", "~=").split("~")
    # Text before the first marker is an unmarked (wrong) answer in Moodle; keep that reading.
    if not pieces[0].strip():
        pieces = pieces[1:]
    parsed: list[tuple[str, float | None, bool, str | None]] = []
    for piece in pieces:
        piece = piece.strip()
        right = piece.startswith("=")
        if right:
            piece = piece[1:].lstrip()
        weight: float | None = None
        match = _WEIGHT.match(piece)
        if match:
            percent = float(match.group(1))
            if not -100.0 <= percent <= 100.0:
                raise _QuestionProblem(
                    line, f"answer weight {match.group(1)}% is outside the range -100%..100%"
                )
            weight = percent / 100.0
            piece = piece[match.end() :]
        body, sep, feedback = piece.partition("#")
        answer_fmt, body = _split_format(body, fmt)
        feedback_fmt, feedback = _split_format(feedback, fmt)
        correct = weight > 0 if weight is not None else right
        parsed.append(
            (
                _render(body, answer_fmt),
                weight,
                correct,
                (_render(feedback, feedback_fmt) or None) if sep else None,
            )
        )
    texts = [p[0] for p in parsed]
    if not any(texts):
        raise _QuestionProblem(
            line, "answer block has no answers; expected answers like {=right ~wrong}"
        )
    for number, text in enumerate(texts, start=1):
        if not text:
            raise _QuestionProblem(
                line, f"answer {number} in the block is empty; expected text after '~' or '='"
            )
    if len(parsed) < 2:
        raise _QuestionProblem(
            line, "a multiple-choice question needs at least 2 answers ({=right ~wrong})"
        )
    if not any(p[2] for p in parsed):
        raise _QuestionProblem(
            line,
            "multiple-choice question has no right answer; mark one with '=' "
            "or give a positive weight like '~%50%'",
        )
    return tuple(
        Option(letter=option_letter(i), text=t, correct=c, weight=w, feedback=f)
        for i, (t, w, c, f) in enumerate(parsed)
    )


def _parse_question(
    block: _Block, base: int, number: int, source: str, category: str | None
) -> Question:
    text = block.text
    lead = len(text) - len(text[base:].lstrip())
    line = block.line_at(lead)
    title: str | None = None
    body_start = lead
    if text.startswith("::", lead):
        end = text.find("::", lead + 2)
        if end == -1:
            body_start = lead + 2
        else:
            title = collapse(_unescape(text[lead + 2 : end])) or None
            body_start = end + 2
    body = text[body_start:]
    qid = title or f"q{number}"
    span = _find_answer_block(body, block, body_start)

    if span is None:
        fmt, stem_text = _split_format(body, "moodle")
        return Question(
            id=qid,
            kind="description",
            stem=_render(stem_text, fmt),
            options=(),
            key=None,
            line=line,
            source=source,
            category=category,
            skipped=skip_reason("description"),
        )

    start, end = span
    # As in Moodle, a block that ends the text vanishes; anywhere else it becomes a blank.
    after = body[end + 1 :]
    stem_raw = body[:start] + BLANK + after if after.strip() else body[:start]
    fmt, stem_text = _split_format(stem_raw, "moodle")
    stem = _render(stem_text, fmt)

    answers = body[start + 1 : end].strip()
    general = answers.rfind("####")
    if general != -1:
        answers = answers[:general].strip()
    kind = _classify(answers)
    brace_line = block.line_at(body_start + start)

    def build(options: tuple[Option, ...], key: bool | tuple[str, ...] | None) -> Question:
        return Question(
            id=qid,
            kind=kind,
            stem=stem,
            options=options,
            key=key,
            line=line,
            source=source,
            category=category,
            skipped=skipped_for(kind),
        )

    if kind == "multichoice":
        options = _multichoice_options(answers, fmt, brace_line)
        return build(options, tuple(o.letter for o in options if o.correct))
    if kind == "truefalse":
        return build((), _TRUE_FALSE[answers.split("#", 1)[0].strip()])
    if kind != "essay" and not _has_any_answer(answers, kind):
        raise _QuestionProblem(
            brace_line,
            "answer block has no answers; expected answers like {=right ~wrong}, "
            "{T} or {F}, or {} for an essay",
        )
    question = build((), None)
    if kind == "shortanswer" and answers.split("#", 1)[0].strip().upper() in _TRUE_FALSE:
        # A lower-case {true} is short answer to Moodle too; say how to make it true/false.
        hint = f"{skip_reason(kind)} (for true/false write {{T}} or {{F}})"
        question = replace(question, skipped=hint)
    return question


@guarded("gift")
def parse(text: str, source: str = "<string>") -> Bank:
    """Parse GIFT text; per-question problems become BankErrors, the rest is still read."""
    text = prepare(text, source)
    questions: list[Question] = []
    errors: list[BankError] = []
    category: str | None = None
    number = 0
    for block in _blocks(text):
        base = len(block.text) - len(block.text.lstrip())
        if base == len(block.text):
            continue  # only comments
        if block.text.startswith("$CATEGORY:", base):
            line_end = block.text.find("\n", base)
            line_end = len(block.text) if line_end == -1 else line_end
            category = collapse(_unescape(block.text[base + len("$CATEGORY:") : line_end])) or None
            # Moodle wants the category alone in its block; a question glued below it is read too.
            base = line_end
            rest = block.text[base:]
            if not rest.strip():
                continue
        number += 1
        try:
            questions.append(_parse_question(block, base, number, source, category))
        except _QuestionProblem as problem:
            errors.append(BankError(source, problem.line, problem.message))
    return Bank(source=source, format="gift", questions=tuple(questions), errors=tuple(errors))
