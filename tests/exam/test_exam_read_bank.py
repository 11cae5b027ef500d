"""Tests for read_bank/parse_text: format choice, byte checks, and bad files."""

from __future__ import annotations

import pytest

import checker.exam as exam
from checker.exam import (
    FORMATS,
    Bank,
    BankError,
    ExamFormatError,
    Option,
    Question,
    detect_format,
    parse_text,
    read_bank,
    sniff_text_format,
)

GIFT = "Is DL part of ML? {T}\n"
AIKEN = "Is DL part of ML?\nA. Yes\nB. No\nANSWER: A\n"
XML = (
    '<quiz><question type="truefalse"><questiontext><text>Is DL part of ML?</text>'
    '</questiontext><answer fraction="100"><text>true</text></answer>'
    '<answer fraction="0"><text>false</text></answer></question></quiz>'
)
CSV = "type,question,answer\ntruefalse,Is DL part of ML?,T\n"
JSON = '[{"type": "truefalse", "question": "Is DL part of ML?", "answer": true}]'


def test_formats_tuple():
    assert FORMATS == ("gift", "aiken", "moodlexml", "csv", "json", "jsonl")


# (file name, content, expected format)
DETECT_CASES = [
    ("bank.gift", GIFT, "gift"),
    ("bank.GIFT", GIFT, "gift"),
    ("bank.txt", GIFT, "gift"),
    ("bank.gift.txt", GIFT, "gift"),
    ("bank.aiken", AIKEN, "aiken"),
    ("bank.txt", AIKEN, "aiken"),
    ("bank.aiken.txt", AIKEN, "aiken"),
    ("bank.xml", XML, "moodlexml"),
    ("bank.csv", CSV, "csv"),
    ("bank.tsv", CSV.replace(",", "\t"), "csv"),
    ("bank.json", JSON, "json"),
    ("bank.jsonl", JSON[1:-1] + "\n", "jsonl"),
]


@pytest.mark.parametrize("name,content,fmt", DETECT_CASES)
def test_format_from_extension(tmp_path, name, content, fmt):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    bank = read_bank(path)
    assert bank.format == fmt
    assert bank.errors == ()
    assert bank.source == str(path)
    assert [q.stem for q in bank.questions] == ["Is DL part of ML?"]
    assert bank.questions[0].source == str(path)


@pytest.mark.parametrize(
    "text,expected",
    [
        (GIFT, "gift"),
        (AIKEN, "aiken"),
        ("::t:: no braces at all", "gift"),
        ("$CATEGORY: x\n\nplain", "gift"),
        ("Just prose with no markers.", "aiken"),
        ("An Aiken stem with {braces}\nA. x\nB. y\nANSWER: A", "aiken"),
    ],
)
def test_sniff_text_format(text, expected):
    assert sniff_text_format(text) == expected


def test_override_beats_extension(tmp_path):
    path = tmp_path / "bank.dat"
    path.write_text(AIKEN, encoding="utf-8")
    assert read_bank(path, "aiken").format == "aiken"
    assert read_bank(path, "AIKEN").format == "aiken"
    xml_path = tmp_path / "quiz.txt"
    xml_path.write_text(XML, encoding="utf-8")
    assert read_bank(xml_path, input_format="xml").format == "moodlexml"


def test_unknown_extension_names_accepted_formats(tmp_path):
    path = tmp_path / "bank.docx"
    path.write_text(GIFT, encoding="utf-8")
    with pytest.raises(ExamFormatError) as info:
        read_bank(path)
    message = str(info.value)
    assert message.startswith(f"{path}: cannot tell the format from the extension '.docx'")
    for fmt in FORMATS:
        assert fmt in message
    with pytest.raises(ExamFormatError, match="accepted formats"):
        detect_format("noextension")


def test_unknown_input_format(tmp_path):
    path = tmp_path / "bank.gift"
    path.write_text(GIFT, encoding="utf-8")
    with pytest.raises(ExamFormatError, match="unknown input format 'qti'; accepted formats"):
        read_bank(path, "qti")
    with pytest.raises(ExamFormatError, match="unknown input format"):
        parse_text(GIFT, "word")


# (bytes, expected line, expected message)
BAD_BYTES = [
    (b"", None, "empty file"),
    (b"  \n\t\r\n  ", None, "empty file"),
    (b"\xef\xbb\xbf\n\n", None, "empty file"),
    (b"PK\x03\x04\x00\x00binary", None,
     "binary file (contains NUL bytes); expected a text question bank"),
    ("Deep learning {T}".encode("utf-16"), None, "UTF-16 text; save the file as UTF-8"),
    ("First line ok {T}\n\nCaf\u00e9 is latin-1 {F}\n".encode("latin-1"), 3,
     "not UTF-8 text; save the file as UTF-8"),
]  # fmt: skip


@pytest.mark.parametrize("data,line,message", BAD_BYTES)
@pytest.mark.parametrize("suffix", [".gift", ".txt", ".xml", ".csv", ".json", ".jsonl", ".aiken"])
def test_bad_bytes(tmp_path, data, line, message, suffix):
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(data)
    with pytest.raises(ExamFormatError) as info:
        read_bank(path)
    assert (info.value.source, info.value.line, info.value.message) == (str(path), line, message)


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CSV.encode())
    bank = read_bank(path)
    assert bank.errors == ()
    assert bank.questions[0].key is True


def test_too_large_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(exam, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.gift"
    path.write_text(GIFT * 10, encoding="utf-8")
    with pytest.raises(ExamFormatError) as info:
        read_bank(path)
    assert info.value.message == "file is 0.0 MB; the limit is 0 MB"


def test_real_limit_is_50_mb():
    assert exam.MAX_FILE_BYTES == 50 * 1024 * 1024


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ExamFormatError, match="cannot read file"):
        read_bank(tmp_path / "absent.gift")
    folder = tmp_path / "folder.gift"
    folder.mkdir()
    with pytest.raises(ExamFormatError, match="cannot read file"):
        read_bank(folder)


# Bad files named in the brief: each gives ExamFormatError or BankErrors, never a crash.
BAD_FILES = [
    ("unclosed.gift", "Broken {=a ~b\n", "unclosed '{'"),
    ("nokey.txt", "Question?\nA. x\nB. y\n", "no 'ANSWER: X' line"),
    ("dup.aiken", "Q?\nA. x\nA. y\nANSWER: A\n", "duplicated option letter A"),
    ("missing.aiken", "Q?\nA. x\nB. y\nANSWER: E\n", "ANSWER names option E"),
    ("doctype.xml", '<!DOCTYPE quiz [<!ENTITY x "y">]><quiz/>', "DOCTYPE"),
    ("broken.json", "[{", "not valid JSON"),
    ("emptyopt.csv", "question,A,B,C,answer\nQ,x,y,,C\n", "which is empty"),
]


@pytest.mark.parametrize("name,content,fragment", BAD_FILES)
def test_bad_files_report_problem(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    try:
        bank = read_bank(path)
    except ExamFormatError as exc:
        assert fragment in str(exc)
    else:
        assert bank.questions == ()
        assert any(fragment in str(e) for e in bank.errors)
        assert all(str(e).startswith(f"{path}:") for e in bank.errors)


def test_parse_text_defaults_and_exports():
    bank = parse_text(GIFT, "gift")
    assert isinstance(bank, Bank)
    assert bank.source == "<string>"
    assert parse_text(XML, "moodlexml", "mem.xml").questions[0].source == "mem.xml"
    with pytest.raises(ExamFormatError, match="empty file"):
        parse_text("   ", "json")
    with pytest.raises(ExamFormatError, match="NUL"):
        parse_text("a\x00b {T}", "gift")


def test_model_values_are_frozen_and_print_locations():
    option = Option("A", "x", True, 0.5, None)
    question = Question("q1", "multichoice", "s", (option,), ("A",), 3, "f.gift")
    with pytest.raises(AttributeError):
        question.stem = "changed"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        option.text = "changed"  # type: ignore[misc]
    assert question.category is None and question.skipped is None
    assert str(BankError("f.gift", 3, "bad")) == "f.gift:3: bad"
    assert str(ExamFormatError("f.gift", None, "empty file")) == "f.gift: empty file"
    assert str(ExamFormatError("f.gift", 7, "oops")) == "f.gift:7: oops"
    twin = Question("q1", "multichoice", "s", (option,), ("A",), 3, "f.gift")
    assert hash(question) == hash(twin) and question == twin
