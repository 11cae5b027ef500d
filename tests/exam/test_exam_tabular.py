"""Tests for the CSV, JSON and JSON Lines parsers that share one record layout."""

from __future__ import annotations

import pytest

from checker.exam import ExamFormatError, Question
from checker.exam.tabular import parse_csv, parse_json, parse_jsonl


def view(q: Question) -> tuple[object, ...]:
    return (q.id, q.kind, q.stem, tuple(o.text for o in q.options), q.key)


# (CSV text, expected views)
CSV_CASES = [
    ("question,A,B,answer\nQ?,x,y,B",
     [("q1", "multichoice", "Q?", ("x", "y"), ("B",))]),
    ("ID;TYPE;Question;a;b;c;Answer\nk1;;Semicolons?;x;y;z;c",
     [("k1", "multichoice", "Semicolons?", ("x", "y", "z"), ("C",))]),
    ("question\tA\tB\tanswer\nTabs, with commas?\tx, y\tz\tA",
     [("q1", "multichoice", "Tabs, with commas?", ("x, y", "z"), ("A",))]),
    ('question,A,B,C,answer\n"Quoted, with\nnewline",x,,z,"A, C"',
     [("q1", "multichoice", "Quoted, with newline", ("x", "z"), ("A", "C"))]),
    ("question,A,B,answer\nNo key,x,y,",
     [("q1", "multichoice", "No key", ("x", "y"), None)]),
    ("type,question,answer\ntruefalse,TF1,true\nTF,TF2,F\ntrue/false,TF3,False\ntruefalse,TF4,",
     [("q1", "truefalse", "TF1", (), True), ("q2", "truefalse", "TF2", (), False),
      ("q3", "truefalse", "TF3", (), False), ("q4", "truefalse", "TF4", (), None)]),
    ("type,question\nessay,Write.\nnumerical,How many?",
     [("q1", "essay", "Write.", (), None), ("q2", "numerical", "How many?", (), None)]),
    ("\n\nquestion,A,B,answer\n\nQ?,x,y,a b\n,,,\n",
     [("q1", "multichoice", "Q?", ("x", "y"), ("A", "B"))]),
]  # fmt: skip


@pytest.mark.parametrize("text,expected", CSV_CASES)
def test_csv(text, expected):
    bank = parse_csv(text, "t.csv")
    assert bank.errors == ()
    assert bank.format == "csv"
    assert [view(q) for q in bank.questions] == expected


def test_csv_lines_and_flags():
    text = 'question,A,B,answer\n"two\nlines",x,y,A\n\nnext,x,y,\n'
    bank = parse_csv(text, "t.csv")
    assert [q.line for q in bank.questions] == [2, 5]
    assert [o.correct for o in bank.questions[0].options] == [True, False]
    assert [o.correct for o in bank.questions[1].options] == [None, None]


HEADER = "id,type,question,A,B,C,answer"

# (CSV text, expected (line, message) errors, ids still parsed)
CSV_ERRORS = [
    (f"{HEADER}\nq1,,,x,y,,A\nok,,Q,x,y,,A",
     [(2, "missing question text; expected a non-empty 'question' field")], ["ok"]),
    (f"{HEADER}\nq1,,Q,x,y,,C\nok,,Q,x,y,,A",
     [(2, "answer names option C, which is empty")], ["ok"]),
    (f"{HEADER}\nq1,,Q,x,y,,G\nok,,Q,x,y,,A",
     [(2, "answer must be option letters like 'B' or 'B,D'; got 'G'")], ["ok"]),
    (f"{HEADER},notes,Extra\nok,,Q,x,y,,A,n,e",
     [(1, "unknown column(s) 'notes', 'Extra' are ignored; expected id, type, question, A-F, "
          "answer")], ["ok"]),
    (f"{HEADER}\nq1,,Q,x,,,A\nok,,Q,x,y,,A",
     [(2, "multichoice question has 1 option(s); expected at least 2")], ["ok"]),
    (f"{HEADER}\nq1,poll,Q,x,y,,A\nok,,Q,x,y,,A",
     [(2, "unknown type 'poll'; expected multichoice or truefalse")], ["ok"]),
    (f"{HEADER}\nq1,truefalse,Q,x,,,T\nok,,Q,x,y,,A",
     [(2, "a truefalse question takes no options; leave A-F empty")], ["ok"]),
    (f"{HEADER}\nq1,truefalse,Q,,,,maybe\nok,,Q,x,y,,A",
     [(2, "truefalse answer must be true, false, T or F; got 'maybe'")], ["ok"]),
    (f"{HEADER}\nq1,,Q,x,y,,A,surplus\nok,,Q,x,y,,A",
     [(2, "row has 8 values but the header (line 1) has 7 columns")], ["ok"]),
    ("question,A,a,B,answer\nQ,x,ignored,y,A",
     [(1, "column 'A' appears twice; the first one is used")], ["q1"]),
]  # fmt: skip


@pytest.mark.parametrize("text,errors,ids", CSV_ERRORS)
def test_csv_error(text, errors, ids):
    bank = parse_csv(text, "t.csv")
    assert [(e.line, e.message) for e in bank.errors] == errors
    assert [q.id for q in bank.questions] == ids


@pytest.mark.parametrize(
    "text,expected",
    [
        ("A,B,answer\nx,y,A", (1, "no 'question' column in the header; expected a first row "
                                  "like id,type,question,A,B,C,D,answer")),
        ('question,A\n"unterminated,x\n', None),
    ],
)  # fmt: skip
def test_csv_fatal(text, expected):
    if expected is None:
        # An unterminated quote swallows the rest of the file; either outcome is acceptable
        # as long as nothing but ExamFormatError escapes.
        try:
            parse_csv(text, "t.csv")
        except ExamFormatError:
            pass
        return
    with pytest.raises(ExamFormatError) as info:
        parse_csv(text, "t.csv")
    assert (info.value.line, info.value.message) == expected


# (JSON text, expected views)
JSON_CASES = [
    ('[{"question": "Q?", "A": "x", "B": "y", "answer": "A"}]',
     [("q1", "multichoice", "Q?", ("x", "y"), ("A",))]),
    ('{"questions": [{"ID": "k", "Question": "Q?", "a": "x", "b": "y", "Answer": ["a", "B"]}]}',
     [("k", "multichoice", "Q?", ("x", "y"), ("A", "B"))]),
    ('[{"type": "truefalse", "question": "TF", "answer": false},'
     ' {"type": "truefalse", "question": "TF2", "answer": "T"}]',
     [("q1", "truefalse", "TF", (), False), ("q2", "truefalse", "TF2", (), True)]),
    ('[{"question": "Numbers as text", "A": 1, "B": 2.5, "answer": "B", "id": 7}]',
     [("7", "multichoice", "Numbers as text", ("1", "2.5"), ("B",))]),
    ('[{"question": "Null fields", "A": "x", "B": "y", "C": null, "answer": null}]',
     [("q1", "multichoice", "Null fields", ("x", "y"), None)]),
]  # fmt: skip


@pytest.mark.parametrize("text,expected", JSON_CASES)
def test_json(text, expected):
    bank = parse_json(text, "t.json")
    assert bank.errors == ()
    assert [view(q) for q in bank.questions] == expected


def test_json_line_numbers_point_at_each_object():
    text = '{\n  "meta": {"a": [1, 2]},\n  "questions": [\n    {"question": "Q1", "A": "x", "B": "y"},\n\n    {"question": "Q2", "A": "x",\n     "B": "y"}\n  ]\n}'  # noqa: E501
    bank = parse_json(text, "t.json")
    assert [q.line for q in bank.questions] == [4, 6]
    flat = '[{"question": "Q1", "A": "x", "B": "y"}, {"question": "Q2", "A": "x", "B": "y"}]'
    assert [q.line for q in parse_json(flat, "t.json").questions] == [1, 1]


# (JSON text, expected (line, message) errors, ids still parsed)
JSON_ERRORS = [
    ('[\n{"question": "", "A": "x", "B": "y"},\n'
     '{"id": "ok", "question": "Q", "A": "x", "B": "y"}\n]',
     [(2, "missing question text; expected a non-empty 'question' field")], ["ok"]),
    ('[\n{"question": "Q", "A": "x", "B": "y", "answer": "D"}\n]',
     [(2, "answer names option D, which is empty")], []),
    ('[\n{"question": "Q", "A": "x", "B": "y", "hint": "h", "level": 2}\n]',
     [(2, "unknown field(s) 'hint', 'level'; expected id, type, question, A-F, answer")], ["q1"]),
    ('[\n"just a string",\n[1, 2]\n]',
     [(2, "expected an object with a 'question' field, not str"),
      (3, "expected an object with a 'question' field, not list")], []),
    ('[\n{"question": {"nested": 1}}\n]', [(2, "field 'question' must be text, not dict")], []),
    ('[\n{"question": "Q", "A": "x", "a": "y"}\n]', [(2, "field 'A' is given twice")], []),
]  # fmt: skip


@pytest.mark.parametrize("text,errors,ids", JSON_ERRORS)
def test_json_error(text, errors, ids):
    bank = parse_json(text, "t.json")
    assert [(e.line, e.message) for e in bank.errors] == errors
    assert [q.id for q in bank.questions] == ids


@pytest.mark.parametrize(
    "text,expected",
    [
        ('[{"question": "Q",}]', (1, "not valid JSON: Expecting property name enclosed in double "
                                     "quotes")),
        ('[\n{"question": "Q"}\n', (3, "not valid JSON: Expecting ',' delimiter")),
        ('{"items": []}', (1, 'expected a JSON list of question objects or {"questions": [...]}')),
        ('"text"', (1, 'expected a JSON list of question objects or {"questions": [...]}')),
        ("[" * 100_000 + "]" * 100_000, (None, "input is nested too deeply")),
    ],
)  # fmt: skip
def test_json_fatal(text, expected):
    with pytest.raises(ExamFormatError) as info:
        parse_json(text, "t.json")
    assert (info.value.line, info.value.message) == expected


def test_jsonl():
    text = (
        '{"question": "Q1", "A": "x", "B": "y", "answer": "A"}\n'
        "\n"
        "{not json\n"
        '{"type": "truefalse", "question": "Q2", "answer": true}\n'
        "[1]\n"
    )
    bank = parse_jsonl(text, "t.jsonl")
    assert bank.format == "jsonl"
    assert [(view(q), q.line) for q in bank.questions] == [
        (("q1", "multichoice", "Q1", ("x", "y"), ("A",)), 1),
        (("q3", "truefalse", "Q2", (), True), 4),
    ]
    assert [(e.line, e.message) for e in bank.errors] == [
        (3, "not valid JSON: Expecting property name enclosed in double quotes (column 2)"),
        (5, "expected an object with a 'question' field, not list"),
    ]
