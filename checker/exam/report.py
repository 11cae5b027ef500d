"""Render exam results for people and tools: text, JSON, CSV and JUnit XML.

Every renderer takes the same list of :class:`FileReport` (one per input file, in the
order given), so a run over several banks is one document in every format.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from .model import BankError
from .solver import DISAGREES, SKIPPED, OptionResult, QuestionResult

FORMATS = ("text", "json", "csv", "junit")

CSV_COLUMNS = (
    "source",
    "line",
    "id",
    "kind",
    "category",
    "text",
    "form",
    "asks_for",
    "topic",
    "outcome",
    "choice",
    "chosen_text",
    "key",
    "key_status",
    "credit",
    "note",
    "skipped",
)
#: The marks of the text report, explained at its top.
LEGEND = (
    "Legend: key status agrees = the checker chose the key; disagrees = a path of the graph "
    "refutes the key; unsure = neither proven nor refuted; no_key = the bank gives none.",
    "        --verbose marks: * chosen by the checker, k keyed by the bank, *k both; "
    "[verdict] of the option's statement.",
)
#: Question text in the text report is cut to this many characters.
TEXT_WIDTH = 90


@dataclass(frozen=True)
class FileReport:
    """What came out of one file: its results, its per-question errors, or why it failed."""

    source: str
    format: str | None
    results: tuple[QuestionResult, ...] = ()
    errors: tuple[BankError, ...] = ()
    failure: str | None = None  # the whole file could not be read


def render(reports: Sequence[FileReport], fmt: str, verbose: bool = False) -> str:
    """The reports in one of :data:`FORMATS`."""
    if fmt == "json":
        return as_json(reports)
    if fmt == "csv":
        return as_csv(reports)
    if fmt == "junit":
        return as_junit(reports)
    return as_text(reports, verbose)


# -- values shared by the formats --------------------------------------------------------


def choice_value(value: bool | tuple[str, ...] | None) -> bool | list[str] | None:
    """A choice or key as JSON: true/false for true/false questions, else a list of letters."""
    if value is None or isinstance(value, bool):
        return value
    return list(value)


def choice_text(value: bool | tuple[str, ...] | None) -> str:
    """A choice or key as text: ``true``/``false``, letters joined by commas, or ``-``."""
    if value is None or value == ():
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    return ",".join(value)


def _asks(result: QuestionResult) -> str:
    if result.outcome == SKIPPED:
        return "skipped"
    return result.asks_for or result.question.kind


def trimmed(text: str, width: int = TEXT_WIDTH) -> str:
    """Text on one line, cut with an ellipsis when longer than width."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def chosen_text(result: QuestionResult) -> str:
    """The chosen options as "A. text", or the true/false choice, or "" when none."""
    if result.choice is None:
        return ""
    if isinstance(result.choice, bool):
        return "true" if result.choice else "false"
    return "; ".join(f"{o.letter}. {o.text}" for o in result.options if o.chosen)


def _option_dict(option: OptionResult) -> dict:
    return {
        "letter": option.letter,
        "text": option.text,
        "statement": option.statement,
        "statements": list(option.tried),
        "how": option.how,
        "verdict": option.verdict,
        "qualifies": option.qualifies,
        "keyed": option.keyed,
        "chosen": option.chosen,
        "explanation": option.explanation,
        "justification": [edge.as_dict() for edge in option.justification],
    }


def question_dict(result: QuestionResult) -> dict:
    """One question as the JSON output shows it."""
    q = result.question
    return {
        "id": q.id,
        "kind": q.kind,
        "text": q.stem,
        "form": result.form,
        "asks_for": result.asks_for,
        "topic": result.topic,
        "topic_text": result.topic_text,
        "outcome": result.outcome,
        "choice": choice_value(result.choice),
        "candidates": list(result.candidates),
        "key": choice_value(q.key),
        "key_status": result.key_status,
        "credit": result.credit,
        "chosen_text": chosen_text(result) or None,
        "note": result.note or None,
        "options": [_option_dict(o) for o in result.options],
        "source": q.source,
        "line": q.line,
        "category": q.category,
        "skipped": q.skipped,
    }


def _evidence(result: QuestionResult) -> str:
    """The chosen and the keyed options with their explanations and paths."""
    lines = [q_text(result), result.note]
    for role, picked in (("chosen", "chosen"), ("key", "keyed")):
        for option in result.options:
            if not getattr(option, picked):
                continue
            name = option.letter or "statement"
            lines.append(f"{role} {name}: {option.statement or option.text}")
            lines.append(f"  {option.explanation}")
            lines += [f"  - {edge.label}" for edge in option.justification]
    return "\n".join(lines)


# -- text --------------------------------------------------------------------------------


def as_text(reports: Sequence[FileReport], verbose: bool = False) -> str:
    """A legend; per file a header, for each question a status line (id, what it asks for,
    choice, key, key status) with its trimmed text, the chosen option and a one-line
    reason below, and the file's totals; then the overall summary."""
    out: list[str] = [*LEGEND]
    overall: Counter[str] = Counter()
    for report in reports:
        tally: Counter[str] = Counter()
        count = len(report.results)
        out.append(f"== {report.source} ({count} question{'s' if count != 1 else ''})")
        if report.failure is not None:
            out.append(f"  (not read: {report.failure})")
            continue
        width = max((len(r.question.id) for r in report.results), default=0)
        for result in report.results:
            tally[result.key_status or SKIPPED] += 1
            out += _text_question(result, width)
            if verbose and result.outcome != SKIPPED:
                out += _text_options(result)
        out.append(f"   {_tally_line(tally)}")
        overall.update(tally)
    out.append(f"all files: {_tally_line(overall)}" if len(reports) > 1 else _tally_line(overall))
    return "\n".join(out) + "\n"


_TALLY_ORDER = ("agrees", "disagrees", "unsure", "no_key", SKIPPED)


def _tally_line(tally: Counter[str]) -> str:
    total = sum(tally.values())
    parts = [f"{tally[k]} {k.replace('_', ' ')}" for k in _TALLY_ORDER if tally[k]]
    return f"{total} question{'s' if total != 1 else ''}: {', '.join(parts) or 'none'}"


def _text_question(result: QuestionResult, width: int) -> list[str]:
    q = result.question
    head = f"{q.id:<{width}}  {_asks(result):<10}"
    if result.outcome == SKIPPED:
        return [f"{head}  ({q.skipped})", f"    {trimmed(q.stem)}"]
    choice = choice_text(result.choice)
    if result.outcome == "ambiguous":
        choice = "?" + choice_text(result.candidates)
    lines = [
        f"{head}  choice {choice:<6} key {choice_text(q.key):<6} {result.key_status}",
        f"    {trimmed(q.stem)}",
    ]
    picked = chosen_text(result)
    if picked and not isinstance(result.choice, bool):
        lines.append(f"    -> {trimmed(picked)}")
    if result.note:
        lines.append(f"    why: {trimmed(result.note, 2 * TEXT_WIDTH)}")
    return lines


def _text_options(result: QuestionResult) -> list[str]:
    lines = []
    for option in result.options:
        mark = "*" if option.chosen else " "
        key = "k" if option.keyed else " "
        name = f"{option.letter}." if option.letter else "  "
        verdict = option.verdict.replace("_", " ")
        lines.append(f"   {mark}{key} {name} [{verdict}] {option.text}")
        for statement in option.tried:
            if statement != option.text:
                lines.append(f"         checked: {statement}")
        lines.append(f"         {option.explanation}")
        lines += [f"         - {edge.label}" for edge in option.justification]
    return lines


# -- JSON and CSV ------------------------------------------------------------------------


def as_json(reports: Sequence[FileReport]) -> str:
    """A JSON list with one object per question (see :func:`question_dict`)."""
    items = [question_dict(r) for report in reports for r in report.results]
    return json.dumps(items, ensure_ascii=False, indent=1) + "\n"


def as_csv(reports: Sequence[FileReport]) -> str:
    """One row per question, with the columns of :data:`CSV_COLUMNS`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for report in reports:
        for result in report.results:
            q = result.question
            writer.writerow(
                _inert(
                    q.source,
                    q.line,
                    q.id,
                    q.kind,
                    q.category or "",
                    q.stem,
                    result.form or "",
                    result.asks_for or "",
                    result.topic_text or "",
                    result.outcome,
                    "" if result.choice is None else choice_text(result.choice),
                    chosen_text(result),
                    "" if q.key is None else choice_text(q.key),
                    result.key_status or "",
                    "" if result.credit is None else result.credit,
                    result.note,
                    q.skipped or "",
                )
            )
    return buffer.getvalue()


# A cell starting with one of these is a formula to a spreadsheet (`=cmd|' /C calc'!A1`).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(*cells) -> tuple:
    """The cells, each text that a spreadsheet would run as a formula quoted with a `'`.

    Exam files come from anywhere, and their ids, categories and texts reach these cells;
    numbers (the line column) stay numbers.
    """
    return tuple(
        "'" + cell if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS) else cell
        for cell in cells
    )


# -- JUnit XML ---------------------------------------------------------------------------


def as_junit(reports: Sequence[FileReport]) -> str:
    """JUnit XML: a testsuite per file, a testcase per question.

    A key the checker disagrees with is a <failure> carrying the evidence; a skipped
    question is <skipped/>; an undecided one passes with a <system-out> note; a file that
    could not be read is a suite with one <error>.
    """
    root = ET.Element("testsuites", name="dlcheck exam")
    totals: Counter[str] = Counter()
    for report in reports:
        suite = ET.SubElement(root, "testsuite", name=report.source)
        counts: Counter[str] = Counter()
        if report.format:
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name="format", value=report.format)
        if report.failure is not None:
            case = ET.SubElement(
                suite, "testcase", name="read file", classname=_classname(report.source, None)
            )
            ET.SubElement(case, "error", message=report.failure, type="ExamFormatError")
            counts.update(tests=1, errors=1)
        for result in report.results:
            counts["tests"] += 1
            case = _testcase(suite, result)
            if result.outcome == SKIPPED:
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=result.question.skipped or "skipped")
            elif result.key_status == DISAGREES:
                counts["failures"] += 1
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=f"key {choice_text(result.question.key)} disagrees with the "
                    f"checker's choice {choice_text(result.choice)}",
                    type="KeyDisagrees",
                )
                failure.text = _evidence(result)
            else:
                # Every answered question says what it was, what was chosen and why.
                out = ET.SubElement(case, "system-out")
                picked = chosen_text(result)
                out.text = "\n".join(
                    [
                        q_text(result),
                        f"{result.outcome}, key {result.key_status}"
                        + (f": {result.note}" if result.note else ""),
                        *([f"chosen: {picked}"] if picked else []),
                    ]
                )
        if report.errors:
            err = ET.SubElement(suite, "system-err")
            err.text = "\n".join(str(e) for e in report.errors)
        for name in ("tests", "failures", "errors", "skipped"):
            suite.set(name, str(counts[name]))
        totals.update(counts)
    for name in ("tests", "failures", "errors", "skipped"):
        root.set(name, str(totals[name]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def q_text(result: QuestionResult) -> str:
    """The question as the reports quote it: trimmed stem."""
    return f"question: {trimmed(result.question.stem)}"


def _testcase(suite: ET.Element, result: QuestionResult) -> ET.Element:
    q = result.question
    return ET.SubElement(
        suite,
        "testcase",
        name=q.id,
        classname=_classname(q.source, q.category),
        file=q.source,
        line=str(q.line),
    )


def _classname(source: str, category: str | None) -> str:
    # Readers split classname on dots into packages: keep the file name in one piece and
    # let the category (a path such as "deep-learning/myths") form the packages below it.
    name = PurePath(source).name.replace(".", "_")
    if category:
        return ".".join([name, *(p for p in category.split("/") if p)])
    return name
