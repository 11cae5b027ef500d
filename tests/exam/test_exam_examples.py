"""The example banks shipped in examples/ must parse cleanly and agree with each other."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.exam import read_bank

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEEDS = ["seed.gift", "seed.aiken.txt", "seed.xml", "seed.csv", "seed.json"]


@pytest.mark.parametrize("name", SEEDS)
def test_example_parses_without_errors(name):
    bank = read_bank(EXAMPLES / name)
    assert bank.errors == ()
    decidable = [q for q in bank.questions if q.skipped is None]
    assert 8 <= len(decidable) <= 10
    assert all(q.key is not None for q in decidable)
    kinds = {q.kind for q in decidable}
    assert kinds == (
        {"multichoice"} if name.startswith("seed.aiken") else {"multichoice", "truefalse"}
    )


def test_gift_seed_marks_exactly_one_wrong_key():
    text = (EXAMPLES / "seed.gift").read_text(encoding="utf-8")
    marked = [line for line in text.splitlines() if "DELIBERATELY WRONG KEY" in line]
    assert len(marked) == 1
    bank = read_bank(EXAMPLES / "seed.gift")
    by_id = {q.id: q.key for q in bank.questions}
    # The marked question says models can only be trained on special hardware; it is false.
    assert by_id["hardware-tf"] is True


def test_seeds_share_keys_except_the_deliberate_mistake():
    keys = {}
    for name in ("seed.gift", "seed.xml", "seed.csv", "seed.json"):
        for q in read_bank(EXAMPLES / name).questions:
            keys.setdefault(q.id, {})[name] = q.key
    disagreements = {
        qid: by_file for qid, by_file in keys.items() if len(set(by_file.values())) > 1
    }
    assert set(disagreements) == {"hardware-tf"}
    assert disagreements["hardware-tf"]["seed.gift"] is True
    assert {v for f, v in disagreements["hardware-tf"].items() if f != "seed.gift"} == {False}
