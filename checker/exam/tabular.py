"""Parse question banks kept as tables: CSV, a JSON list, or JSON Lines.

All three share one record layout; names are case-insensitive:

==========  ========  ==========================================================
field       required  meaning
==========  ========  ==========================================================
id          no        question id; defaults to ``q<n>``, n counting records from 1
type        no        ``multichoice`` (default) or ``truefalse``; ``numerical``,
                      ``matching``, ``shortanswer``, ``essay``, ``description``,
                      ``cloze`` are accepted and returned as skipped
question    yes       the stem
A .. F      no        option texts; empty ones are dropped (letters are kept, so
                      options A, B, D stay A, B, D); a multichoice needs 2 or more
answer      no        multichoice: option letters, ``B`` or ``B,D`` (``;`` or spaces
                      also separate them); truefalse: ``true``/``false``/``T``/``F``.
                      Left empty, the question has no key.
==========  ========  ==========================================================

* **CSV**: the first non-blank row is the header (it must have a ``question``
  column); the delimiter is whichever of ``,`` ``;`` or tab occurs most in the
  header.  Quoted fields may span lines.  An unknown column is reported once, at the
  header line, and ignored.
* **JSON**: a list of objects, or an object ``{"questions": [...]}``.  ``answer``
  may also be a list of letters or a JSON boolean.
* **JSONL**: one object per line; blank lines are skipped.  A line that is not
  valid JSON is an error for that line only.

Line numbers are the line where the record starts (CSV row, JSONL line, or the
line of the object inside a JSON file).  A record with a problem (no question text,
an answer naming an empty or unknown option, unknown fields, a bad type) becomes a
BankError and the other records are still read.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator

from ._text import collapse, guarded, prepare, skipped_for
from .model import SKIPPED_KINDS, Bank, BankError, ExamFormatError, Option, Question

OPTION_LETTERS = ("A", "B", "C", "D", "E", "F")
FIELDS = ("id", "type", "question", *OPTION_LETTERS, "answer")
_FIELD_LIST = "id, type, question, A-F, answer"
_KNOWN = {name.lower(): name for name in FIELDS}
_TYPE_ALIASES = {
    "": "multichoice",
    "multichoice": "multichoice",
    "multiplechoice": "multichoice",
    "mc": "multichoice",
    "mcq": "multichoice",
    "truefalse": "truefalse",
    "tf": "truefalse",
    **{kind: kind for kind in SKIPPED_KINDS if kind != "other"},
}
_TRUE_WORDS = {"true": True, "t": True, "false": False, "f": False}
_LETTER_SPLIT = re.compile(r"[,;\s]+")
_WS = re.compile(r"[ \t\n\r]*")


class _Problem(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _as_text(name: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if name == "answer" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    raise _Problem(f"field {name!r} must be text, not {type(value).__name__}")


def _record(fields: dict[str, str], line: int, number: int, source: str) -> Question:
    """Build a question from one record whose keys are canonical field names."""
    kind_raw = fields.get("type", "").strip()
    kind = _TYPE_ALIASES.get(re.sub(r"[\s_/-]+", "", kind_raw.lower()))
    if kind is None:
        raise _Problem(f"unknown type {kind_raw!r}; expected multichoice or truefalse")
    stem = collapse(fields.get("question", ""))
    if not stem:
        raise _Problem("missing question text; expected a non-empty 'question' field")
    qid = collapse(fields.get("id", "")) or f"q{number}"
    options = {
        letter: collapse(fields.get(letter, ""))
        for letter in OPTION_LETTERS
        if collapse(fields.get(letter, ""))
    }
    answer = fields.get("answer", "").strip()

    def build(opts: tuple[Option, ...], key: bool | tuple[str, ...] | None) -> Question:
        return Question(
            id=qid,
            kind=kind,
            stem=stem,
            options=opts,
            key=key,
            line=line,
            source=source,
            skipped=skipped_for(kind),
        )

    if kind == "truefalse":
        if options:
            raise _Problem("a truefalse question takes no options; leave A-F empty")
        if not answer:
            return build((), None)
        if answer.lower() not in _TRUE_WORDS:
            raise _Problem(f"truefalse answer must be true, false, T or F; got {answer!r}")
        return build((), _TRUE_WORDS[answer.lower()])
    if kind != "multichoice":
        return build((), None)
    if len(options) < 2:
        raise _Problem(f"multichoice question has {len(options)} option(s); expected at least 2")
    key: tuple[str, ...] | None = None
    if answer:
        letters = [part.upper() for part in _LETTER_SPLIT.split(answer) if part]
        for letter in letters:
            if letter not in OPTION_LETTERS:
                raise _Problem(f"answer must be option letters like 'B' or 'B,D'; got {answer!r}")
            if letter not in options:
                raise _Problem(f"answer names option {letter}, which is empty")
        key = tuple(dict.fromkeys(letters))
    opts = tuple(
        Option(
            letter=letter,
            text=text,
            correct=None if key is None else letter in key,
            weight=None,
            feedback=None,
        )
        for letter, text in options.items()
    )
    return build(opts, key)


def _canonical(obj: dict[object, object]) -> tuple[dict[str, str], list[str]]:
    """Map an object's keys to field names; return the fields and the unknown keys."""
    fields: dict[str, str] = {}
    unknown: list[str] = []
    for raw_key, value in obj.items():
        key = str(raw_key)
        name = _KNOWN.get(key.strip().lower())
        if name is None:
            unknown.append(key)
            continue
        if name in fields:
            raise _Problem(f"field {name!r} is given twice")
        fields[name] = _as_text(name, value)
    return fields, unknown


def _read_objects(
    items: Iterable[tuple[int, object]], source: str
) -> tuple[list[Question], list[BankError]]:
    questions: list[Question] = []
    errors: list[BankError] = []
    for number, (line, obj) in enumerate(items, start=1):
        try:
            if isinstance(obj, _BadLine):
                raise _Problem(obj.message)
            if not isinstance(obj, dict):
                raise _Problem(
                    f"expected an object with a 'question' field, not {type(obj).__name__}"
                )
            fields, unknown = _canonical(obj)
            if unknown:
                errors.append(
                    BankError(
                        source,
                        line,
                        f"unknown field(s) {', '.join(map(repr, unknown))}; expected {_FIELD_LIST}",
                    )
                )
            questions.append(_record(fields, line, number, source))
        except _Problem as problem:
            errors.append(BankError(source, line, problem.message))
    return questions, errors


class _BadLine:
    """Stands in for a JSONL line that did not decode, so it keeps its place and number."""

    def __init__(self, message: str) -> None:
        self.message = message


# ---------------------------------------------------------------- JSON


def _skip_ws(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _array_offsets(text: str, pos: int, decoder: json.JSONDecoder) -> list[int]:
    offsets: list[int] = []
    pos = _skip_ws(text, pos + 1)  # past '['
    while text[pos] != "]":
        offsets.append(pos)
        _value, pos = decoder.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        if text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
    return offsets


def _item_offsets(text: str, top: object) -> list[int]:
    """Offsets where each question object starts, found by re-walking the valid JSON."""
    decoder = json.JSONDecoder()
    pos = _skip_ws(text, 0)
    if isinstance(top, list):
        return _array_offsets(text, pos, decoder)
    offsets: list[int] = []
    pos = _skip_ws(text, pos + 1)  # past '{'
    while text[pos] != "}":
        key, pos = decoder.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        pos = _skip_ws(text, pos + 1)  # past ':'
        if isinstance(key, str) and key.lower() == "questions" and text[pos] == "[":
            # Later duplicates win, as they do for json.loads.
            offsets = _array_offsets(text, pos, decoder)
        _value, pos = decoder.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        if text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
    return offsets


def _lines_of(text: str, offsets: list[int]) -> Iterator[int]:
    line, last = 1, 0
    for offset in offsets:
        line += text.count("\n", last, offset)
        last = offset
        yield line


@guarded("json")
def parse_json(text: str, source: str = "<string>") -> Bank:
    """Parse a JSON list of question objects (or ``{"questions": [...]}``)."""
    text = prepare(text, source)
    try:
        top = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExamFormatError(source, exc.lineno, f"not valid JSON: {exc.msg}") from None
    items = top
    if isinstance(top, dict):
        matches = [v for k, v in top.items() if k.lower() == "questions"]
        items = matches[-1] if matches else None
    if not isinstance(items, list):
        raise ExamFormatError(
            source, 1, 'expected a JSON list of question objects or {"questions": [...]}'
        )
    try:
        lines = list(_lines_of(text, _item_offsets(text, top)))
    except (ValueError, IndexError):
        lines = []
    if len(lines) != len(items):
        # The walk should always agree with json.loads; if not, fall back to positions.
        lines = [index + 1 for index in range(len(items))]
    questions, errors = _read_objects(zip(lines, items, strict=True), source)
    return Bank(source=source, format="json", questions=tuple(questions), errors=tuple(errors))


@guarded("jsonl")
def parse_jsonl(text: str, source: str = "<string>") -> Bank:
    """Parse JSON Lines: one question object per line."""
    text = prepare(text, source)

    def items() -> Iterator[tuple[int, object]]:
        for line_number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                yield line_number, json.loads(line)
            except json.JSONDecodeError as exc:
                yield line_number, _BadLine(f"not valid JSON: {exc.msg} (column {exc.colno})")
            except RecursionError:
                yield line_number, _BadLine("JSON is nested too deeply")

    questions, errors = _read_objects(items(), source)
    return Bank(source=source, format="jsonl", questions=tuple(questions), errors=tuple(errors))


# ---------------------------------------------------------------- CSV


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@guarded("csv")
def parse_csv(text: str, source: str = "<string>") -> Bank:
    """Parse CSV with a header row; the delimiter is sniffed among ``,`` ``;`` and tab."""
    text = prepare(text, source)
    header_line = next(line for line in text.split("\n") if line.strip())
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(header_line), strict=False)
    questions: list[Question] = []
    errors: list[BankError] = []
    columns: list[str | None] = []
    header_at = 0
    previous_end = 0
    number = 0
    try:
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if not columns:
                header_at = start
                columns = _header(row, source, start, errors)
                continue
            number += 1
            try:
                fields: dict[str, str] = {}
                for index, cell in enumerate(row):
                    name = columns[index] if index < len(columns) else None
                    if name is not None:
                        fields[name] = cell
                    elif cell.strip() and index >= len(columns):
                        raise _Problem(
                            f"row has {len(row)} values but the header (line {header_at}) "
                            f"has {len(columns)} columns"
                        )
                questions.append(_record(fields, start, number, source))
            except _Problem as problem:
                errors.append(BankError(source, start, problem.message))
    except csv.Error as exc:
        raise ExamFormatError(source, reader.line_num, f"not readable as CSV: {exc}") from None
    return Bank(source=source, format="csv", questions=tuple(questions), errors=tuple(errors))


def _header(row: list[str], source: str, line: int, errors: list[BankError]) -> list[str | None]:
    """Canonical name per column (None for ignored ones); report unknown or repeated names."""
    columns: list[str | None] = []
    unknown: list[str] = []
    for cell in row:
        name = _KNOWN.get(cell.strip().lower())
        if name is None:
            if cell.strip():
                unknown.append(cell.strip())
            columns.append(None)
        elif name in columns:
            errors.append(
                BankError(source, line, f"column {name!r} appears twice; the first one is used")
            )
            columns.append(None)
        else:
            columns.append(name)
    if "question" not in columns:
        raise ExamFormatError(
            source,
            line,
            "no 'question' column in the header; expected a first row like "
            "id,type,question,A,B,C,D,answer",
        )
    if unknown:
        errors.append(
            BankError(
                source,
                line,
                f"unknown column(s) {', '.join(map(repr, unknown))} are ignored; "
                f"expected {_FIELD_LIST}",
            )
        )
    return columns
