"""Table files: what a check reads of the graph, opened without loading it, built
atomically under its key, and checked row by row."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import seed_files

from kg import cache
from kg.errors import DlcheckError
from kg.tables import open_tables, split_key, tuple_key

SMALL = (
    "@prefix c: <https://w3id.org/dlcheck/kg/concept/> .\n"
    "@prefix dlc: <https://w3id.org/dlcheck/ontology#> .\n"
    "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    'c:gpu a dlc:Hardware ; skos:prefLabel "GPU"@en ; skos:broader c:hardware .\n'
    'c:hardware a dlc:Hardware ; skos:prefLabel "hardware"@en .\n'
)


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("DLCHECK_CACHE_DIR", str(folder))
    monkeypatch.setattr(cache, "_reported", set())
    monkeypatch.setattr(cache, "_memo", {})
    monkeypatch.setattr(cache, "_opened", {})
    return folder


def test_rows_come_back_as_stored_in_the_order_written(private_cache):
    rows = [("b", [1, "x"]), ("a", {"k": None}), (tuple_key(("s", "r", "o")), "triple")]
    file = open_tables(private_cache, "t", "k" * 64, lambda out: out.put("one", rows), print)
    table = file.table("one")
    assert table.get("a") == {"k": None}
    assert table.get("missing") is None and "missing" not in table
    assert list(table.items()) == [(k, v) for k, v in rows]  # b before a, as written
    keyed = file.table("one", encode_key=tuple_key, decode_key=split_key)
    assert keyed[("s", "r", "o")] == "triple"


def test_an_interrupted_build_leaves_nothing_a_later_run_trusts(private_cache):
    def broken(out):
        out.put("one", [("a", 1)])
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        open_tables(private_cache, "t", "k" * 64, broken, print)
    assert list(private_cache.iterdir()) == []  # no temporary file, no table file
    file = open_tables(private_cache, "t", "k" * 64, lambda out: out.put("one", [("a", 2)]), print)
    assert file.table("one")["a"] == 2


def test_a_file_of_another_key_or_unfinished_is_rebuilt_and_said(private_cache):
    said: list[str] = []
    first = open_tables(private_cache, "t", "a" * 64, lambda out: out.put("x", [("k", 1)]), print)
    # Same name, another key: the file is not trusted.
    (path,) = private_cache.glob("t-*.sqlite")
    path.rename(private_cache / f"t-{'b' * 32}.sqlite")
    again = open_tables(
        private_cache, "t", "b" * 64, lambda out: out.put("x", [("k", 2)]), said.append
    )
    assert again.table("x")["k"] == 2 and first.table("x")["k"] == 1
    assert len(said) == 1 and "stored under another key" in said[0] and "rebuilt it" in said[0]
    # A file whose build never finished (no 'complete' mark) is not trusted either.
    (path,) = private_cache.glob(f"t-{'b' * 32}.sqlite")
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM meta WHERE name = 'complete'")
    db.close()
    said.clear()
    third = open_tables(
        private_cache, "t", "b" * 64, lambda out: out.put("x", [("k", 3)]), said.append
    )
    assert third.table("x")["k"] == 3 and "an unfinished build" in said[0]


def test_a_damaged_row_is_a_clear_error_and_the_file_goes(private_cache):
    file = open_tables(private_cache, "t", "k" * 64, lambda out: out.put("x", [("k", 41)]), print)
    path = file.path
    with sqlite3.connect(path) as db:
        db.execute("UPDATE rows SET value = '42'")
    db.close()
    damaged = open_tables(private_cache, "t", "k" * 64, lambda out: None, print)
    said = r"was damaged \(a row does not match its checksum\); it was removed: run the command"
    with pytest.raises(DlcheckError, match=said):
        damaged.table("x")["k"]
    assert not path.exists()


def test_the_opened_knowledge_base_is_the_compiled_one(private_cache, tmp_path):
    small = tmp_path / "small.ttl"
    small.write_text(SMALL)
    compiled = cache.load_knowledge([small])
    opened = cache.open_knowledge([small])
    assert opened is cache.open_knowledge([small])  # once per process
    assert opened.content_hash == compiled.content_hash
    tables = ("concepts", "relations", "claims", "sources", "ancestors", "claim_index")
    for name in (*tables, "claims_by_broader_object"):
        assert list(getattr(opened, name).items()) == list(getattr(compiled, name).items())
    gpu = "https://w3id.org/dlcheck/kg/concept/gpu"
    assert opened.label(gpu) == "GPU"
    assert opened.excluded(gpu, gpu) is None


def test_a_check_opens_its_tables_without_the_pickled_knowledge_base(private_cache):
    """The start of a check does not grow with the graph: it needs neither the pickled
    knowledge base nor the whole claim index, once their table files are built. (The seed
    topics: the mechanics are the same for any graph.)"""
    from checker.check import Checker

    files = [str(path) for path in seed_files()]
    first = Checker([Path(p) for p in files]).check("Deep learning requires GPUs").verdict
    for pickled in private_cache.glob("kb-*.pickle"):
        pickled.unlink()
    code = (
        "from pathlib import Path; from checker.check import Checker; "
        f"print(Checker([Path(p) for p in {files!r}]).check('Deep learning requires GPUs').verdict)"
    )
    # A new process: nothing of the first check is remembered but the table files.
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert first + "\n" == again.stdout == "false\n"
    assert not list(private_cache.glob("kb-*.pickle"))  # not rebuilt: not needed
    names = sorted(p.name.split("-")[0] for p in private_cache.glob("*.sqlite"))
    assert names == ["claim", "knowledge", "lemmas", "phrases"]


def test_a_table_file_wanted_by_two_at_once_is_built_once(private_cache):
    import threading
    import time

    builds = []

    def build(out):
        builds.append(1)
        time.sleep(0.3)
        out.put("one", [("a", 1)])

    got = []

    def open_it():
        file = open_tables(private_cache, "t", "k" * 64, build, print)
        got.append(file.table("one").get("a"))

    threads = [threading.Thread(target=open_it) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == [1, 1, 1] and builds == [1]
    assert [p.name for p in private_cache.iterdir()] == [f"t-{'k' * 32}.sqlite"]


@pytest.mark.parametrize("batch", [2, 3, 1000])
def test_a_table_read_whole_in_batches_gives_every_row_once(private_cache, monkeypatch, batch):
    """The builds that need a whole table read it a batch at a time and keep none of it: in
    the order written, or by key, across batch ends and across the parts of a table."""
    from kg import tables

    monkeypatch.setattr(tables, "_BATCH", batch)
    first = [("b", 1), ("é", 2), ("a", 3)]
    second = [("d", 4), ("c", 5)]

    def build(out):
        out.put("one", first)
        out.put("other", [("z", 0)])
        out.put("one", second)

    table = open_tables(private_cache, "t", "k" * 64, build, print).table("one")
    assert list(table.stream()) == first + second
    assert list(table.stream(by_key=True)) == sorted(first + second)
    assert list(tables.each(table, by_key=True)) == sorted(first + second)
    assert table._memo == {}  # nothing remembered
    assert dict(table) == dict(first + second)  # read whole, then streamed from memory
    assert list(table.stream(by_key=True)) == sorted(first + second)
    assert list(tables.each({"y": 1, "x": 2}, by_key=True)) == [("x", 2), ("y", 1)]


def test_a_pipeline_opens_its_graph_once(monkeypatch):
    """Its two components that read the graph share one knowledge base: opening it works out
    the key from every file's size and time, which at thousands of files is most of what a
    start spends beyond spaCy's."""
    from checker import opening
    from checker.pipeline import build_pipeline

    opened = []
    real = opening.open_knowledge
    monkeypatch.setattr(
        opening, "open_knowledge", lambda paths: opened.append(paths) or real(paths)
    )
    nlp = build_pipeline([Path(p) for p in seed_files()])
    assert len(opened) == 1
    assert nlp.get_pipe("dlcheck_mentions").kb is real(opened[0])
    build_pipeline([Path(p) for p in seed_files()])
    assert len(opened) == 2  # a new pipeline opens it again (the files may have changed)
