"""Tests for the Moodle XML parser: question types, HTML text, lines, errors, refusals."""

from __future__ import annotations

import pytest

from checker.exam import ExamFormatError, Question
from checker.exam.moodle_xml import parse


def view(q: Question) -> tuple[object, ...]:
    return (q.id, q.kind, q.stem, tuple(o.text for o in q.options), q.key)


def quiz(*questions: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>"


def mc(stem: str, *answers: tuple[str, str], name: str | None = None, extra: str = "") -> str:
    name_xml = f"<name><text>{name}</text></name>" if name else ""
    answers_xml = "".join(f'<answer fraction="{f}"><text>{t}</text></answer>' for f, t in answers)
    return (
        f'<question type="multichoice">{name_xml}<questiontext format="html">'
        f"<text>{stem}</text></questiontext>{extra}{answers_xml}</question>"
    )


# (XML text, expected views)
CASES = [
    (quiz(mc("Plain stem", ("100", "right"), ("0", "wrong"), name="n1")),
     [("n1", "multichoice", "Plain stem", ("right", "wrong"), ("A",))]),
    (quiz(mc("<![CDATA[<p>Is <b>this</b>&nbsp;bold?</p><p>Yes.</p>]]>",
             ("0", "no"), ("100", "yes"))),
     [("q1", "multichoice", "Is this bold? Yes.", ("no", "yes"), ("B",))]),
    (quiz(mc("&lt;p&gt;Escaped &amp;amp; markup&lt;/p&gt;", ("100", "a"), ("0", "b"))),
     [("q1", "multichoice", "Escaped & markup", ("a", "b"), ("A",))]),
    (quiz(mc("Multi", ("50", "a"), ("50", "b"), ("-100", "c"), extra="<single>false</single>")),
     [("q1", "multichoice", "Multi", ("a", "b", "c"), ("A", "B"))]),
    (quiz(mc("Thirds", ("33.33333", "a"), ("33.33333", "b"), ("33.33334", "c"), ("0", "d"))),
     [("q1", "multichoice", "Thirds", ("a", "b", "c", "d"), ("A", "B", "C"))]),
    (quiz('<question type="truefalse"><questiontext><text>TF</text></questiontext>'
          '<answer fraction="0"><text>true</text></answer>'
          '<answer fraction="100"><text>false</text></answer></question>'),
     [("q1", "truefalse", "TF", (), False)]),
    (quiz('<question type="truefalse"><name><text>t</text></name><questiontext>'
          '<text>TF</text></questiontext><answer fraction="100"><text>True</text></answer>'
          '<answer fraction="0"><text>False</text></answer></question>'),
     [("t", "truefalse", "TF", (), True)]),
    (quiz('<question type="shortanswer"><questiontext><text>S</text></questiontext>'
          '<answer fraction="100"><text>x</text></answer></question>',
          '<question type="ddwtos"><questiontext><text>D</text></questiontext></question>',
          '<question type="cloze"><questiontext><text>C</text></questiontext></question>'),
     [("q1", "shortanswer", "S", (), None), ("q2", "other", "D", (), None),
      ("q3", "cloze", "C", (), None)]),
    (quiz('<question type="multichoice"><questiontext format="plain_text">'
          '<text>a &lt;b&gt; c</text></questiontext>'
          '<answer fraction="100" format="plain_text"><text>&lt;i&gt;</text></answer>'
          '<answer fraction="0"><text>y</text></answer></question>'),
     [("q1", "multichoice", "a <b> c", ("<i>", "y"), ("A",))]),
]  # fmt: skip


@pytest.mark.parametrize("text,expected", CASES)
def test_parse(text, expected):
    bank = parse(text, "q.xml")
    assert bank.errors == ()
    assert bank.format == "moodlexml"
    assert [view(q) for q in bank.questions] == expected


def test_weights_feedback_category_and_lines():
    text = quiz(
        '<question type="category"><category><text>$course$/top/DL</text></category></question>',
        '<question type="multichoice">\n<questiontext><text>Q</text></questiontext>\n'
        '<answer fraction="100"><text>a</text><feedback format="html">'
        "<text><![CDATA[<b>Good</b>]]></text></feedback></answer>\n"
        '<answer fraction="-50"><text>b</text></answer>\n'
        "<answer><text>c</text></answer>\n</question>",
    )
    bank = parse(text, "q.xml")
    (q,) = bank.questions
    assert q.category == "$course$/top/DL"
    assert q.line == 4
    assert [(o.letter, o.correct, o.weight, o.feedback) for o in q.options] == [
        ("A", True, 1.0, "Good"),
        ("B", False, -0.5, None),
        ("C", False, None, None),
    ]


def test_skip_reasons():
    text = quiz(
        '<question type="essay"><questiontext><text>E</text></questiontext></question>',
        '<question type="gapselect"><questiontext><text>G</text></questiontext></question>',
    )
    assert [q.skipped for q in parse(text, "q.xml").questions] == [
        "essay questions are not supported",
        "question type 'gapselect' is not supported",
    ]


NO_KEY = "multichoice question has no right answer; expected an answer with fraction > 0"

# (XML text, expected (line, message) errors, ids still parsed)
ERROR_CASES = [
    (quiz(mc("No key", ("0", "a"), ("0", "b")), mc("Fine", ("100", "a"), ("0", "b"))),
     [(3, NO_KEY)], ["q2"]),
    (quiz(mc("One", ("100", "a"))),
     [(3, "multichoice question has 1 <answer>; expected at least 2")], []),
    (quiz(mc("Bad fraction", ("lots", "a"), ("0", "b"))),
     [(3, "answer 1 has fraction 'lots'; expected a percentage like 100 or -50")], []),
    (quiz(mc("Big fraction", ("200", "a"), ("0", "b"))),
     [(3, "answer 1 has fraction 200; expected -100..100")], []),
    (quiz(mc("Empty answer", ("100", ""), ("0", "b"))),
     [(3, "answer 1 has no text; expected <answer><text>...")], []),
    (quiz('<question type="multichoice"><answer fraction="100"><text>a</text></answer>'
          '</question>'),
     [(3, "multichoice question has no <questiontext><text>; expected the stem")], []),
    (quiz('<question type="truefalse"><questiontext><text>TF</text></questiontext>'
          '<answer fraction="0"><text>true</text></answer></question>'),
     [(3, "truefalse question needs exactly one <answer fraction=\"100\"> whose text is "
          "'true' or 'false'")], []),
    (quiz("<question><questiontext><text>x</text></questiontext></question>"),
     [(3, "<question> has no type attribute")], []),
]  # fmt: skip


@pytest.mark.parametrize("text,errors,ids", ERROR_CASES)
def test_error(text, errors, ids):
    bank = parse(text, "q.xml")
    assert [(e.line, e.message) for e in bank.errors] == errors
    assert [q.id for q in bank.questions] == ids


# (XML text, expected (line, message) of the ExamFormatError)
FATAL_CASES = [
    ("<quiz><question></quiz>", (1, "not well-formed XML: mismatched tag")),
    ("<quiz>\n<a>&nbsp;</a>\n</quiz>", (2, "not well-formed XML: undefined entity")),
    ("<quiz>\n</quiz>\n<quiz/>", (3, "not well-formed XML: junk after document element")),
    ('<?xml version="1.0"?>\n<!DOCTYPE quiz [\n<!ENTITY a "aaaa">\n]>\n<quiz>&a;</quiz>',
     (2, "DOCTYPE declarations are not allowed in a question bank (possible entity expansion "
         "attack); remove the <!DOCTYPE ...> line")),
    ('<!DOCTYPE quiz SYSTEM "http://example.invalid/quiz.dtd"><quiz/>',
     (1, "DOCTYPE declarations are not allowed in a question bank (possible entity expansion "
         "attack); remove the <!DOCTYPE ...> line")),
    ("<questions><question/></questions>", (1, "root element is <questions>; expected <quiz>")),
    ("just text", (1, "not well-formed XML: syntax error")),
]  # fmt: skip


@pytest.mark.parametrize("text,expected", FATAL_CASES)
def test_fatal(text, expected):
    with pytest.raises(ExamFormatError) as info:
        parse(text, "bad.xml")
    assert (info.value.line, info.value.message) == expected
    assert str(info.value) == f"bad.xml:{expected[0]}: {expected[1]}"


def test_billion_laughs_is_refused_quickly():
    entities = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    text = f'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY l0 "ha">{entities}]><quiz>&l9;</quiz>'
    with pytest.raises(ExamFormatError, match="DOCTYPE"):
        parse(text, "bomb.xml")
