"""Read exam question banks (GIFT, Aiken, Moodle XML, CSV, JSON, JSONL) into one model.

``read_bank(path)`` picks the parser from the file name (or ``input_format``),
checks the bytes (size, binary, UTF-8) and returns a :class:`Bank`: the questions
it could read plus a :class:`BankError` per broken question.  Anything that makes
the whole file unreadable raises :class:`ExamFormatError`, and nothing else is
raised for bad input.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable

from . import aiken, gift, moodle_xml, tabular
from .model import (
    DECIDABLE_KINDS,
    FORMATS,
    SKIPPED_KINDS,
    Bank,
    BankError,
    ExamFormatError,
    Option,
    Question,
)

__all__ = [
    "DECIDABLE_KINDS",
    "FORMATS",
    "MAX_FILE_BYTES",
    "SKIPPED_KINDS",
    "Bank",
    "BankError",
    "ExamFormatError",
    "Option",
    "Question",
    "audit",
    "detect_format",
    "parse_text",
    "read_bank",
    "sniff_text_format",
]

#: Files larger than this are refused before being read.
MAX_FILE_BYTES = 50 * 1024 * 1024


def audit(paths, solver, **options):
    """Read the banks in `paths`, answer all their questions with one solver, and report
    file by file: checker.exam.bank_audit.audit, imported when called, since it needs the
    checker (and spaCy) where reading a bank does not."""
    from .bank_audit import audit as run

    return run(paths, solver, **options)


_PARSERS: dict[str, Callable[[str, str], Bank]] = {
    "gift": gift.parse,
    "aiken": aiken.parse,
    "moodlexml": moodle_xml.parse,
    "csv": tabular.parse_csv,
    "json": tabular.parse_json,
    "jsonl": tabular.parse_jsonl,
}
_ALIASES = {"xml": "moodlexml", "moodle-xml": "moodlexml", "moodle_xml": "moodlexml"}
_EXTENSIONS = {
    ".gift": "gift",
    ".aiken": "aiken",
    ".xml": "moodlexml",
    ".csv": "csv",
    ".tsv": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_ACCEPTED = (
    "accepted formats: gift (.gift, .txt), aiken (.aiken, .txt), moodlexml (.xml), "
    "csv (.csv), json (.json), jsonl (.jsonl)"
)

_GIFT_BLOCK = re.compile(r"(?<!\\)\{\s*(?:[=~#}]|T\b|F\b|TRUE\b|FALSE\b)")
_GIFT_TITLE = re.compile(r"^\s*::.*?::", re.MULTILINE)
_GIFT_CATEGORY = re.compile(r"^\s*\$CATEGORY:", re.MULTILINE)
_AIKEN_ANSWER = re.compile(r"^\s*ANSWER\s*:\s*[A-Z]", re.MULTILINE | re.IGNORECASE)


def _normalise_format(name: str, source: str) -> str:
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in _PARSERS:
        raise ExamFormatError(source, None, f"unknown input format {name!r}; {_ACCEPTED}")
    return key


def sniff_text_format(text: str) -> str:
    """Tell GIFT from Aiken for a ``.txt`` file: whichever has more of its markers wins."""
    gift_marks = (
        len(_GIFT_BLOCK.findall(text))
        + len(_GIFT_TITLE.findall(text))
        + len(_GIFT_CATEGORY.findall(text))
    )
    aiken_marks = len(_AIKEN_ANSWER.findall(text))
    return "gift" if gift_marks > aiken_marks else "aiken"


def detect_format(path: str | os.PathLike[str], text: str | None = None) -> str:
    """Format name for a file name; ``.txt`` needs the text to choose GIFT or Aiken."""
    name = os.fspath(path).lower()
    if name.endswith((".aiken.txt",)):
        return "aiken"
    if name.endswith(".gift.txt"):
        return "gift"
    ext = os.path.splitext(name)[1]
    if ext == ".txt":
        return sniff_text_format(text or "")
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    raise ExamFormatError(
        os.fspath(path),
        None,
        f"cannot tell the format from the extension {ext or '(none)'!r}; use --input-format "
        f"({'/'.join(FORMATS)}); {_ACCEPTED}",
    )


def parse_text(text: str, fmt: str, source: str = "<string>") -> Bank:
    """Parse in-memory text in the named format (one of :data:`FORMATS`)."""
    return _PARSERS[_normalise_format(fmt, source)](text, source)


def _decode(data: bytes, source: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExamFormatError(source, None, "UTF-16 text; save the file as UTF-8")
    if b"\x00" in data:
        raise ExamFormatError(
            source, None, "binary file (contains NUL bytes); expected a text question bank"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ExamFormatError(source, line, "not UTF-8 text; save the file as UTF-8") from None


def read_bank(path: str | os.PathLike[str], input_format: str | None = None) -> Bank:
    """Read a question-bank file; the format comes from the extension unless given."""
    source = os.fspath(path)
    fmt = _normalise_format(input_format, source) if input_format else None
    if fmt is None and not source.lower().endswith(".txt"):
        fmt = detect_format(source)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            # A FIFO or device would be read until its writer stops, which may be never.
            what = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise ExamFormatError(source, None, f"cannot read file: {what}")
        size = info.st_size
        if size > MAX_FILE_BYTES:
            raise ExamFormatError(
                source,
                None,
                f"file is {size / 1024 / 1024:.1f} MB; the limit is "
                f"{MAX_FILE_BYTES // 1024 // 1024} MB",
            )
        with open(path, "rb") as handle:
            # Read one byte past the limit in case the file grew after stat().
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ExamFormatError(source, None, f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ExamFormatError(
            source, None, f"file is over the {MAX_FILE_BYTES // 1024 // 1024} MB limit"
        )
    text = _decode(data, source)
    if not text.strip():
        raise ExamFormatError(source, None, "empty file")
    if fmt is None:
        fmt = detect_format(source, text)
    return _PARSERS[fmt](text, source)
