"""Parse Moodle XML question banks into a :class:`~checker.exam.model.Bank`.

The file is ``<quiz>`` holding ``<question type="...">`` elements.  ``multichoice``
(single or multiple answer) and ``truefalse`` are read fully: ``<name><text>``
gives the id, ``<questiontext><text>`` the stem (HTML reduced to plain text) and each
``<answer fraction="...">`` an option with its ``<text>`` and ``<feedback><text>``;
the fraction (a percentage) becomes the weight and marks the option right when it is
above zero.  ``<question type="category">`` sets the category of the questions after
it.  Every other type is returned with ``skipped`` set.

The XML is read with the standard-library expat parser so that each ``<question>``
keeps its line number.  DOCTYPE and ENTITY declarations are refused outright: a quiz
never needs them, and refusing them closes the door on entity-expansion attacks.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.parsers import expat

from ._text import collapse, guarded, html_to_text, option_letter, prepare, skip_reason
from .model import Bank, BankError, ExamFormatError, Option, Question

_KIND_OF_TYPE = {
    "multichoice": "multichoice",
    "truefalse": "truefalse",
    "numerical": "numerical",
    "matching": "matching",
    "shortanswer": "shortanswer",
    "essay": "essay",
    "description": "description",
    "cloze": "cloze",
}
# Formats whose text is shown as HTML by Moodle; the others are taken literally.
_LITERAL_FORMATS = ("plain_text", "markdown")


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _Problem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _build_tree(text: str, source: str) -> tuple[ET.Element, dict[int, int]]:
    """Parse text into an Element tree and a map from id(element) to its start line."""
    builder = ET.TreeBuilder()
    lines: dict[int, int] = {}
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def start(tag: str, attrs: dict[str, str]) -> None:
        lines[id(builder.start(tag, attrs))] = parser.CurrentLineNumber

    def refuse_doctype(*_args: object) -> None:
        raise _Refused(
            parser.CurrentLineNumber,
            "DOCTYPE declarations are not allowed in a question bank (possible entity "
            "expansion attack); remove the <!DOCTYPE ...> line",
        )

    def refuse_entity(*_args: object) -> None:
        raise _Refused(parser.CurrentLineNumber, "ENTITY declarations are not allowed")

    def refuse_external(*_args: object) -> int:
        raise _Refused(parser.CurrentLineNumber, "external entities are not allowed")

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_external
    try:
        parser.Parse(text, True)
    except _Refused as refused:
        raise ExamFormatError(source, refused.line, refused.message) from None
    except expat.ExpatError as exc:
        raise ExamFormatError(
            source, exc.lineno, f"not well-formed XML: {expat.ErrorString(exc.code)}"
        ) from None
    return builder.close(), lines


def _text_of(element: ET.Element | None, *, html: bool = True) -> str:
    """Plain text of a Moodle text holder (an element with a <text> child)."""
    if element is None:
        return ""
    holder = element.find("text")
    raw = "".join((holder if holder is not None else element).itertext())
    if not html or element.get("format", "html") in _LITERAL_FORMATS:
        return collapse(raw)
    return html_to_text(raw)


def _fraction(answer: ET.Element, line: int, number: int) -> float | None:
    raw = answer.get("fraction")
    if raw is None:
        return None
    try:
        percent = float(raw)
    except ValueError:
        raise _Problem(
            line, f"answer {number} has fraction {raw!r}; expected a percentage like 100 or -50"
        ) from None
    if not -100.0 <= percent <= 100.0:
        raise _Problem(line, f"answer {number} has fraction {raw}; expected -100..100")
    return percent / 100.0


def _question(
    element: ET.Element, qtype: str, line: int, number: int, source: str, category: str | None
) -> Question:
    kind = _KIND_OF_TYPE.get(qtype, "other")
    name = _text_of(element.find("name"), html=False)
    qid = name or f"q{number}"
    stem = _text_of(element.find("questiontext"))
    answers = element.findall("answer")
    if kind not in ("multichoice", "truefalse"):
        return Question(
            id=qid,
            kind=kind,
            stem=stem,
            options=(),
            key=None,
            line=line,
            source=source,
            category=category,
            skipped=skip_reason(kind, qtype),
        )
    if not stem:
        raise _Problem(line, f"{qtype} question has no <questiontext><text>; expected the stem")
    weights = [_fraction(a, line, i) for i, a in enumerate(answers, start=1)]
    if kind == "truefalse":
        right = [
            _text_of(a, html=False).lower()
            for a, w in zip(answers, weights, strict=True)
            if w is not None and w > 0
        ]
        if len(right) != 1 or right[0] not in ("true", "false"):
            raise _Problem(
                line,
                'truefalse question needs exactly one <answer fraction="100"> whose text '
                "is 'true' or 'false'",
            )
        return Question(
            id=qid,
            kind=kind,
            stem=stem,
            options=(),
            key=right[0] == "true",
            line=line,
            source=source,
            category=category,
        )
    options: list[Option] = []
    for index, (answer, weight) in enumerate(zip(answers, weights, strict=True)):
        text = _text_of(answer)
        if not text:
            raise _Problem(line, f"answer {index + 1} has no text; expected <answer><text>...")
        feedback = _text_of(answer.find("feedback")) or None
        options.append(
            Option(
                letter=option_letter(index),
                text=text,
                correct=weight is not None and weight > 0,
                weight=weight,
                feedback=feedback,
            )
        )
    if len(options) < 2:
        raise _Problem(
            line, f"multichoice question has {len(options)} <answer>; expected at least 2"
        )
    key = tuple(o.letter for o in options if o.correct)
    if not key:
        raise _Problem(
            line, "multichoice question has no right answer; expected an answer with fraction > 0"
        )
    return Question(
        id=qid,
        kind=kind,
        stem=stem,
        options=tuple(options),
        key=key,
        line=line,
        source=source,
        category=category,
    )


@guarded("moodlexml")
def parse(text: str, source: str = "<string>") -> Bank:
    """Parse Moodle XML; per-question problems become BankErrors, the rest is still read."""
    root, lines = _build_tree(prepare(text, source), source)
    if root.tag != "quiz":
        raise ExamFormatError(
            source, lines.get(id(root)), f"root element is <{root.tag}>; expected <quiz>"
        )
    questions: list[Question] = []
    errors: list[BankError] = []
    category: str | None = None
    number = 0
    for element in root.findall("question"):
        line = lines.get(id(element), 1)
        qtype = element.get("type", "").strip()
        if qtype == "category":
            category = _text_of(element.find("category"), html=False) or None
            continue
        number += 1
        if not qtype:
            errors.append(BankError(source, line, "<question> has no type attribute"))
            continue
        try:
            questions.append(_question(element, qtype, line, number, source, category))
        except _Problem as problem:
            errors.append(BankError(source, problem.line, problem.message))
    return Bank(source=source, format="moodlexml", questions=tuple(questions), errors=tuple(errors))
