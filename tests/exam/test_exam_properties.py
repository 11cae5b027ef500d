"""Property tests: for any input, every parser returns a Bank or raises ExamFormatError."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from checker.exam import FORMATS, Bank, ExamFormatError, parse_text, read_bank

# Characters that mean something to at least one format, so random text reaches deep paths.
SYNTAX = [
    *"{}~=#:%\\[]<>&;/\"',.)\t\n -_ABCDTF0123456789",
    "::",
    "//",
    "->",
    "####",
    "\\n",
    "$CATEGORY:",
    "ANSWER:",
    "A. ",
    "B) ",
    "{T}",
    "{=",
    "~%50%",
    "[html]",
    "<quiz>",
    "</quiz>",
    '<question type="multichoice">',
    '<question type="truefalse">',
    "</question>",
    "<questiontext><text>",
    "</text></questiontext>",
    '<answer fraction="100"><text>',
    '<answer fraction="-50"><text>',
    "</text></answer>",
    "<![CDATA[",
    "]]>",
    "<!DOCTYPE",
    "&amp;",
    "&#",
    "question,A,B,answer\n",
    '{"question": "',
    '", "A": "',
    '", "answer": ',
    "[",
    "]",
    "null",
    "true",
]
texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(SYNTAX) | st.text(max_size=5), max_size=80).map("".join),
)


def check(fmt: str, text: str) -> None:
    try:
        bank = parse_text(text, fmt, "prop")
    except ExamFormatError as exc:
        assert "internal" not in exc.message, exc.message
        str(exc)
        return
    assert isinstance(bank, Bank)
    assert bank.format == fmt
    for question in bank.questions:
        assert question.line >= 1
        if question.kind == "multichoice" and question.key is not None:
            letters = {o.letter for o in question.options}
            assert set(question.key) <= letters
    for error in bank.errors:
        assert error.line >= 1 and error.message


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@settings(max_examples=200, deadline=None)
@given(text=texts)
@example(text="")
@example(text="{")
@example(text="<![foo[x]]>{=a ~b}")
def test_parser_never_raises_anything_else(fmt, text):
    check(fmt, text)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    data=st.binary(max_size=400) | texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
    suffix=st.sampled_from([".gift", ".txt", ".aiken", ".xml", ".csv", ".json", ".jsonl"]),
)
def test_read_bank_on_random_bytes(tmp_path, data, suffix):
    path = Path(tempfile.mkstemp(suffix=suffix, dir=tmp_path)[1])
    path.write_bytes(data)
    try:
        bank = read_bank(path)
    except ExamFormatError as exc:
        assert "internal" not in exc.message, exc.message
        assert exc.source == str(path)
    else:
        assert isinstance(bank, Bank)
    finally:
        path.unlink()
