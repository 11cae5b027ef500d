"""`dlcheck exam` as a user runs it: choices on the seed banks, formats, exit statuses."""

from __future__ import annotations

import csv
import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import checker.check
from checker.exam import read_bank

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
AUDIT = ROOT / "tests" / "fixtures" / "exam" / "audit.gift"
SEEDS = ["seed.gift", "seed.aiken.txt", "seed.xml", "seed.csv", "seed.json"]


@pytest.fixture(scope="module")
def shared_checker(request):
    return request.getfixturevalue("checker")  # the session's (the name is this module's)


@pytest.fixture(autouse=True)
def one_checker(monkeypatch, shared_checker):
    """Every run reuses one checker (building the pipeline is the slow part) and counts how
    many the command asks for."""
    made: list[object] = []

    def make(graph_files=None):
        assert graph_files is None
        made.append(shared_checker)
        return shared_checker

    monkeypatch.setattr(checker.check, "Checker", make)
    return made


def exam_json(run_cli, *args: str) -> list[dict]:
    result = run_cli("exam", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# -- the seed banks -----------------------------------------------------------------------

# The right answer to every seed question (hardware-tf's key in seed.gift is wrong on purpose).
RIGHT = {
    "dl-subfield": True,
    "data-not-true": ["A"],
    "black-box-true": ["B"],
    "hardware-tf": False,
    "limits-not-true": ["C"],
    "hardware-true": ["A"],
    "experts-tf": False,
    # A list of frameworks, each a kind of deep learning framework, is read item by item.
    "frameworks-true": ["B"],
}


@pytest.fixture(scope="module")
def seed_gift(shared_checker):
    from click.testing import CliRunner

    import cli

    original = checker.check.Checker
    checker.check.Checker = lambda graph_files=None: shared_checker
    try:
        result = CliRunner().invoke(
            cli.cli, ["exam", "--format", "json", str(EXAMPLES / "seed.gift")]
        )
    finally:
        checker.check.Checker = original
    assert result.exit_code == 0, result.stderr
    return {item["id"]: item for item in json.loads(result.stdout)}


# Read only in part since statements must be accounted for word by word (the reading issue):
# "ways to explain the output", an option that needs its stem. They stay undecided, with an
# unsure key, until the exam layer reads stem and option together (the exam issue).
UNDECIDED = ["explain-tf", "less-data-multi"]


@pytest.mark.parametrize("qid", UNDECIDED)
def test_seed_gift_partly_read_questions_stay_undecided(seed_gift, qid):
    assert (seed_gift[qid]["choice"], seed_gift[qid]["key_status"]) == (None, "unsure")


@pytest.mark.parametrize("qid", list(RIGHT))
def test_seed_gift_right_answer(seed_gift, qid):
    assert seed_gift[qid]["choice"] == RIGHT[qid]


@pytest.mark.parametrize("qid", [q for q in RIGHT if q != "hardware-tf"])
def test_seed_gift_keys_agree(seed_gift, qid):
    assert seed_gift[qid]["key_status"] == "agrees"


def test_seed_gift_flags_the_deliberately_wrong_key(seed_gift):
    item = seed_gift["hardware-tf"]
    assert (item["key"], item["choice"], item["key_status"]) == (True, False, "disagrees")
    assert item["note"] == "the statement is false; the key says True"


def test_seed_gift_never_disagrees_wrongly(seed_gift):
    # Whatever the checker cannot decide yet, a key it agrees or disagrees with is right.
    for qid, item in seed_gift.items():
        if item["key_status"] == "disagrees":
            assert qid == "hardware-tf"
        if item["choice"] is not None:
            assert item["choice"] == RIGHT[qid], qid


def test_every_example_format_gives_the_same_choices(run_cli):
    by_id: dict[str, dict[str, object]] = {}
    by_text: dict[tuple, dict[str, object]] = {}
    for name in SEEDS:
        bank = read_bank(EXAMPLES / name)
        texts = {q.id: (q.stem, tuple(o.text for o in q.options)) for q in bank.questions}
        for item in exam_json(run_cli, str(EXAMPLES / name)):
            if item["skipped"]:
                continue
            if not name.startswith("seed.aiken"):  # Aiken has no ids
                by_id.setdefault(item["id"], {})[name] = item["choice"]
            by_text.setdefault(texts[item["id"]], {})[name] = item["choice"]
    assert len(by_id) == len(RIGHT) + len(UNDECIDED)
    for qid, choices in by_id.items():
        assert len({json.dumps(c) for c in choices.values()}) == 1, (qid, choices)
    shared = [c for c in by_text.values() if "seed.aiken.txt" in c and len(c) > 1]
    assert len(shared) >= 3  # the Aiken questions that the other banks ask too
    for choices in shared:
        assert len({json.dumps(c) for c in choices.values()}) == 1, choices


def test_one_checker_for_all_files(run_cli, one_checker):
    result = run_cli("exam", *(str(EXAMPLES / name) for name in SEEDS))
    assert result.exit_code == 0
    assert len(one_checker) == 1
    assert result.stdout.count("== ") == len(SEEDS)


# -- output formats -----------------------------------------------------------------------


def test_text_output_shows_each_question_with_its_reason(run_cli):
    result = run_cli("exam", str(AUDIT))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Legend: key status agrees")
    assert "* chosen by the checker, k keyed by the bank, *k both" in lines[1]
    assert lines[2] == f"== {AUDIT} (10 questions)"
    at = {line.split()[0]: n for n, line in enumerate(lines) if line and not line[0].isspace()}
    first = at["verb-first"]
    assert lines[first].split() == ["verb-first", "true", "choice", "A", "key", "A", "agrees"]
    assert lines[first + 1] == "    Which statement about deep learning is true?"
    assert lines[first + 2] == "    -> A. Can be trained on CPUs"
    assert lines[first + 3].startswith("    why: A entailed: True: the graph holds")
    wrong = at["wrong-key"]
    assert lines[wrong].split()[:7] == ["wrong-key", "true", "choice", "A", "key", "B", "disagrees"]
    assert lines[wrong + 3].startswith("    why: key B is refuted: False:")
    assert "?A,B" in lines[at["two-true"]] and "unsure" in lines[at["two-true"]]
    assert lines[at["essay"]].split()[1] == "skipped"
    # The file's totals, then the overall summary.
    assert lines[-2] == "   10 questions: 6 agrees, 1 disagrees, 2 unsure, 1 skipped"
    assert lines[-1] == "10 questions: 6 agrees, 1 disagrees, 2 unsure, 1 skipped"


def test_text_output_totals_per_file_and_overall(run_cli):
    out = run_cli("exam", str(AUDIT), str(EXAMPLES / "seed.gift")).stdout.splitlines()
    assert f"== {EXAMPLES / 'seed.gift'} (10 questions)" in out
    totals = [line for line in out if line.startswith("   ") and "questions:" in line]
    assert totals == [
        "   10 questions: 6 agrees, 1 disagrees, 2 unsure, 1 skipped",
        out[-2],
    ]
    assert out[-1].startswith("all files: 20 questions:")


def test_verbose_text_shows_statements_verdicts_and_paths(run_cli):
    out = run_cli("exam", "--verbose", str(AUDIT)).stdout
    assert "   *k A. [true] Can be trained on CPUs" in out
    assert "checked: Deep learning can be trained on CPUs" in out
    assert "(rule: contradicted)" in out
    assert "- GPU is a kind of specialized hardware" in out


def test_json_output_contract(run_cli):
    items = {i["id"]: i for i in exam_json(run_cli, str(AUDIT))}
    assert len(items) == 10
    first = items["verb-first"]
    for field in (
        "id",
        "kind",
        "asks_for",
        "choice",
        "key",
        "key_status",
        "options",
        "source",
        "line",
        "skipped",
    ):
        assert field in first
    assert (first["asks_for"], first["choice"], first["key"]) == ("true", ["A"], ["A"])
    # The same facts as the text report: question text, form, chosen option, reason, credit.
    assert first["text"] == "Which statement about deep learning is true?"
    assert (first["form"], first["chosen_text"], first["credit"]) == (
        "statement",
        "A. Can be trained on CPUs",
        1.0,
    )
    assert first["note"].startswith("A entailed: True: the graph holds")
    option = first["options"][1]
    assert set(option) >= {"letter", "text", "statement", "verdict", "justification"}
    assert (option["statement"], option["verdict"]) == ("Deep learning requires GPUs", "false")
    edge = option["justification"][0]
    assert set(edge) == {"subject", "predicate", "object", "label", "source"}
    # True/false choices and keys are JSON booleans; an undecided choice is null.
    assert (items["tf-myth"]["choice"], items["tf-myth"]["key"]) == (True, True)
    assert items["all-unknown"]["choice"] is None
    assert items["two-true"]["choice"] is None
    assert items["two-true"]["candidates"] == ["A", "B"]
    assert items["essay"]["skipped"] and items["essay"]["key_status"] is None
    assert items["wrong-key"]["key_status"] == "disagrees"
    assert items["essay"]["source"] == str(AUDIT)
    assert items["verb-first"]["line"] == 6


def test_csv_output_one_row_per_question(run_cli):
    result = run_cli("exam", "--format", "csv", str(AUDIT))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 10
    by_id = {r["id"]: r for r in rows}
    assert (by_id["wrong-key"]["choice"], by_id["wrong-key"]["key"]) == ("A", "B")
    assert by_id["wrong-key"]["key_status"] == "disagrees"
    assert (by_id["tf-myth"]["choice"], by_id["tf-myth"]["key"]) == ("true", "true")
    assert by_id["essay"]["skipped"] and by_id["essay"]["outcome"] == "skipped"
    assert by_id["all-unknown"]["choice"] == ""
    wrong = by_id["wrong-key"]
    assert wrong["text"] == "Which statement about hardware for deep learning is true?"
    assert wrong["chosen_text"] == "A. Deep learning models can be trained on CPUs"
    assert wrong["note"].startswith("key B is refuted: False:")
    assert (wrong["form"], wrong["credit"]) == ("statement", "0.0")


def test_junit_output_reads_back(run_cli, tmp_path):
    broken = tmp_path / "broken.gift"
    broken.write_bytes(b"")
    result = run_cli(
        "exam", "--format", "junit", str(AUDIT), str(EXAMPLES / "seed.xml"), str(broken)
    )
    assert result.exit_code == 1  # the empty file
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [str(AUDIT), str(EXAMPLES / "seed.xml"), str(broken)]
    audit, seed, empty = suites
    cases = audit.findall("testcase")
    assert (audit.get("tests"), audit.get("failures"), audit.get("skipped")) == ("10", "1", "1")
    assert len(cases) == 10
    assert all(c.get("classname") == "audit_gift.fixtures.audit" for c in cases)
    failed = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["wrong-key"]
    failure = failed[0].find("failure")
    assert failure.get("message") == "key B disagrees with the checker's choice A"
    assert "chosen A: Deep learning models can be trained on CPUs" in failure.text
    assert "key B: Deep learning requires GPUs" in failure.text
    skipped = [c.get("name") for c in cases if c.find("skipped") is not None]
    assert skipped == ["essay"]
    # Every answered question says what it was, what was chosen and why.
    outs = {
        c.get("name"): c.find("system-out").text for c in cases if c.find("system-out") is not None
    }
    assert set(outs) == {c.get("name") for c in cases} - {"wrong-key", "essay"}
    assert outs["verb-first"].splitlines()[0] == (
        "question: Which statement about deep learning is true?"
    )
    assert "chosen: A. Can be trained on CPUs" in outs["verb-first"]
    assert outs["two-true"].splitlines()[1] == (
        "ambiguous, key unsure: 2 options qualify (A, B); 1 wanted"
    )
    assert seed.get("skipped") == "1" and seed.get("tests") == "9"
    assert (empty.get("tests"), empty.get("errors")) == ("1", "1")
    assert empty.find("testcase/error").get("message").endswith("empty file")
    totals = {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")}
    assert totals == {"tests": "20", "failures": "1", "errors": "1", "skipped": "2"}


# -- exit statuses and errors -------------------------------------------------------------


def test_strict_fails_on_a_disagreeing_key(run_cli):
    assert run_cli("exam", str(AUDIT)).exit_code == 0
    assert run_cli("exam", "--strict", str(AUDIT)).exit_code == 1
    # Unsure keys do not fail --strict: only a key the checker contradicts does.
    assert run_cli("exam", "--strict", str(EXAMPLES / "seed.json")).exit_code == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.gift", None, "cannot read file"),
        ("empty.gift", b"  \n", "empty file"),
        ("binary.gift", b"\x00\x01\x02ELF", "binary file"),
        ("bank.docx", b"Is DL part of ML? {T}", "cannot tell the format"),
    ],
)
def test_unreadable_file_is_one_line_and_the_rest_is_checked(
    run_cli, tmp_path, name, content, message
):
    bad = tmp_path / name
    if content is not None:
        bad.write_bytes(content)
    result = run_cli("exam", str(bad), str(EXAMPLES / "seed.csv"))
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert len(errors) == 1
    assert errors[0].startswith(f"dlcheck: error: {bad}") and message in errors[0]
    assert "data-not-true" in result.stdout  # the good file still got its answers
    assert "Traceback" not in result.output


def test_bank_errors_are_warnings(run_cli, tmp_path):
    bank = tmp_path / "bank.gift"
    bank.write_text(
        "::ok::Deep learning is a subfield of machine learning.{T}\n\n"
        "::broken::Which is true?{=A ~B\n",
        encoding="utf-8",
    )
    result = run_cli("exam", "--strict", str(bank))
    assert result.exit_code == 0
    assert result.stderr.startswith(f"{bank}:3: ")
    assert "ok" in result.stdout


def test_input_format_overrides_the_extension(run_cli, tmp_path):
    bank = tmp_path / "bank.dat"
    bank.write_text("Deep learning is a subfield of machine learning.{T}\n", encoding="utf-8")
    assert run_cli("exam", str(bank)).exit_code == 1
    result = run_cli("exam", "--input-format", "gift", str(bank))
    assert result.exit_code == 0
    assert "choice true   key true   agrees" in result.stdout


def test_no_progress_bar_when_stderr_is_not_a_terminal(run_cli, tmp_path):
    bank = tmp_path / "big.gift"
    bank.write_text(
        "\n\n".join(f"::q{i}::Deep learning requires GPUs.{{F}}" for i in range(60)),
        encoding="utf-8",
    )
    result = run_cli("exam", str(bank))
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.splitlines()[-1] == "60 questions: 60 agrees"


def test_exam_needs_a_file(run_cli):
    result = run_cli("exam")
    assert result.exit_code == 2


def test_csv_cells_never_start_a_spreadsheet_formula(run_cli, tmp_path):
    bank = tmp_path / "bank.csv"
    bank.write_text(
        "id,type,question,answer\n"
        "=cmd|' /C calc'!A1,truefalse,Deep learning is a subfield of machine learning.,true\n"
        "@SUM(1+1),truefalse,Deep learning requires GPUs.,false\n",
        encoding="utf-8",
    )
    result = run_cli("exam", str(bank), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["id"] for row in rows] == ["'=cmd|' /C calc'!A1", "'@SUM(1+1)"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())


def test_a_fifo_is_refused_at_once(run_cli, tmp_path):
    fifo = tmp_path / "bank.gift"
    os.mkfifo(fifo)  # nobody writes to it: reading it would wait forever
    result = run_cli("exam", str(fifo))
    assert result.exit_code == 1
    assert result.stderr == f"dlcheck: error: {fifo}: cannot read file: not a regular file\n"
