"""An uploaded exam bank, audited in a worker: the report `dlcheck exam` writes, in memory.

Nothing uploaded is stored: the bytes come in the job, are parsed as text, and only the
report goes back (its JSON for the page, and the CSV, JSON and JUnit downloads).
"""

from __future__ import annotations

import json
from pathlib import PurePath

from checker.exam import ExamFormatError, detect_format, parse_text
from checker.exam.report import FileReport, as_csv, as_junit, question_dict
from checker.exam.report import as_json as report_json
from web.endpoint import JSON, Answer


def answer_exam(solver, name: str, data: bytes, fmt: str | None) -> Answer:
    """The report of one bank as JSON: {source, format, failure, errors, questions, downloads}."""
    source = PurePath(name or "upload").name or "upload"
    try:
        text = _text(data, source)
        fmt = fmt or detect_format(source, text)
        bank = parse_text(text, fmt, source)
    except ExamFormatError as exc:
        report = FileReport(source, fmt, failure=str(exc))
        return _answer(report, [])
    results = tuple(solver.solve(bank.questions))
    report = FileReport(bank.source, bank.format, results, bank.errors)
    return _answer(report, [question_dict(r) for r in results])


def _answer(report: FileReport, questions: list[dict]) -> Answer:
    data = {
        "source": report.source,
        "format": report.format,
        "failure": report.failure,
        "errors": [str(e) for e in report.errors],
        "questions": questions,
        "downloads": {
            "csv": as_csv([report]),
            "json": report_json([report]),
            "junit": as_junit([report]),
        },
    }
    return Answer(200, JSON, json.dumps(data, ensure_ascii=False).encode())


def _text(data: bytes, source: str) -> str:
    """The bank as text, refused as `dlcheck exam` refuses a file it cannot read as UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExamFormatError(source, None, "UTF-16 text; save the file as UTF-8")
    if b"\x00" in data:
        raise ExamFormatError(source, None, "binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ExamFormatError(source, line, "not UTF-8 text; save the file as UTF-8") from None
    if not text.strip():
        raise ExamFormatError(source, None, "empty file")
    return text
