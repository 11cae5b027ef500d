"""A compile after a change reads anew only the claim texts the change touched
(checker/kept_texts.py, kg.cache.Memo), and its tables are those a full compile makes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from checker.check import Checker
from kg import cache
from kg.cache import Memo
from tests.conftest import seed_files

ADDED = "hardware.ttl"  # added to the rest of the seed topics
# An altLabel of concepts.ttl that hardware.ttl's texts say ("You need special hardware ...").
LABEL = '"special hardware"@en , '


def _use_cache(monkeypatch, folder: Path) -> Path:
    folder.mkdir(mode=0o700, exist_ok=True)
    monkeypatch.setenv("DLCHECK_CACHE_DIR", str(folder))
    monkeypatch.setattr(cache, "_reported", set())
    monkeypatch.setattr(cache, "_memo", {})
    monkeypatch.setattr(cache, "_opened", {})
    return folder


def _index_rows(folder: Path, checker: Checker) -> dict:
    """The claim index's and the phrase table's table files the checker opened:
    (file, table, key) -> value as stored."""
    rows = {}
    for table in (checker.index.texts, checker.scanner.mentions._by_first):
        path = table._file.path
        assert path.parent == folder
        with sqlite3.connect(path) as db:
            query = db.execute("SELECT tab, key, value FROM rows")
            rows.update(((path.name, t, k), v) for t, k, v in query)
    return rows


def _segments(folder: Path, name: str = "claim-texts") -> list[Path]:
    return sorted((folder / "memo").glob(f"{name}-*.sqlite"))


def _kept_rows(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM rows WHERE tab = 'memo'").fetchone()[0]


def _after_and_fresh(tmp_path, monkeypatch, before: list[Path], after: list[Path]):
    """The claim index of `after` compiled once `before` was (its texts kept), and compiled
    in an empty cache; and the rows this compile kept anew, against the texts of `after`."""
    kept = _use_cache(monkeypatch, tmp_path / "kept")
    Checker(before)
    first = _segments(kept)
    assert len(first) == 1
    checker = Checker(after)
    rows = _index_rows(kept, checker)
    new = [p for p in _segments(kept) if p not in first]
    read_anew = sum(_kept_rows(p) for p in new)
    fresh_folder = _use_cache(monkeypatch, tmp_path / "fresh")
    fresh = Checker(after)
    assert len(_segments(fresh_folder)) == 1
    assert len(_segments(fresh_folder, "phrase-readings")) == 1
    texts = sum(1 for (_, table, _) in rows if table == "texts")
    return rows, _index_rows(fresh_folder, fresh), read_anew, texts, fresh


def test_a_file_added_reads_its_own_texts_and_gives_the_tables_of_a_full_compile(
    tmp_path, monkeypatch
):
    seed = seed_files()
    before = [p for p in seed if p.name != ADDED]
    kept, fresh, read_anew, texts, checker = _after_and_fresh(tmp_path, monkeypatch, before, seed)
    assert kept == fresh
    assert 0 < read_anew < texts / 2  # the added file's texts, and those its labels touch
    verdict = checker.check("Deep learning requires GPUs")
    assert verdict.verdict == "false"


def test_a_label_edited_in_one_file_reads_again_the_texts_of_another_that_say_it(
    tmp_path, monkeypatch
):
    seed = seed_files()
    concepts = next(p for p in seed if p.name == "concepts.ttl")
    text = concepts.read_text(encoding="utf-8")
    assert text.count(LABEL) == 1
    edited = tmp_path / "edited" / "concepts.ttl"
    edited.parent.mkdir()
    edited.write_text(text.replace(LABEL, ""), encoding="utf-8")
    after = [edited if p == concepts else p for p in seed]
    kept, fresh, read_anew, texts, _ = _after_and_fresh(tmp_path, monkeypatch, seed, after)
    assert kept == fresh
    assert 0 < read_anew < texts / 2
    # The text that said the label reads it no more, in both.
    said = [
        json.loads(v) for (_, t, _), v in kept.items() if t == "texts" and "special hardware" in v
    ]
    concepts_named = {unit[1] for row in said for unit in row[2]}
    assert said and not any(c and c.endswith("/specialized-hardware") for c in concepts_named)


def test_the_memo_keeps_a_bounded_number_of_segments_and_no_partial_one(tmp_path, monkeypatch):
    _use_cache(monkeypatch, tmp_path / "cache")
    monkeypatch.setattr(Memo, "MAX_SEGMENTS", 3)
    for n in range(7):
        with Memo("test", "scope") as memo:
            assert memo.get_many(["k0"]) == ({} if n == 0 else {"k0": [0]})
            memo.put("k0", [0], new=n == 0)
            memo.put(f"k{n + 1}", [n + 1])
        assert len(list((tmp_path / "cache" / "memo").glob("test-*.sqlite"))) <= 3
    with pytest.raises(RuntimeError), Memo("test", "scope") as memo:
        memo.put("broken", [1])
        raise RuntimeError("interrupted")
    with Memo("test", "scope") as memo:
        assert memo.get_many(["broken", "k7"]) == {"k7": [7]}
    left = [p.name for p in (tmp_path / "cache" / "memo").iterdir()]
    assert all(name.startswith("test-") and name.endswith(".sqlite") for name in left), left
