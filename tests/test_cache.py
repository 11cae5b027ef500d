"""The compiled-graph cache: private, verified before unpickling, keyed by all it depends on."""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import cache
from kg.store import bundled_data_files, default_files


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    """An empty cache directory of this test alone, and a clean record of what was said."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("DLCHECK_CACHE_DIR", str(folder))
    monkeypatch.setattr(cache, "_reported", set())
    monkeypatch.setattr(cache, "_memo", {})
    return folder


def _files(folder: Path, name: str) -> list[Path]:
    return sorted(folder.glob(f"{name}-*.pickle"))


def test_cache_directory_and_files_are_private(private_cache):
    assert cache.cached("table", "k" * 64, lambda: {"a": 1}, dict) == {"a": 1}
    assert stat.S_IMODE(private_cache.stat().st_mode) == 0o700
    (written,) = _files(private_cache, "table")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_a_cache_directory_others_can_write_is_never_read(private_cache, capsys):
    private_cache.mkdir(mode=0o700)
    key = "k" * 64
    cache.cached("table", key, lambda: {"genuine": True}, dict)
    capsys.readouterr()
    # Someone else's planted pickle under the right name: worse than wrong, it is code.
    (written,) = _files(private_cache, "table")
    payload = pickle.dumps({"planted": True})
    digest = hashlib.sha256(payload).hexdigest().encode()
    written.write_bytes(cache._MAGIC + digest + b"\n" + key.encode() + b"\n" + payload)
    os.chmod(private_cache, 0o777)
    value = cache.cached("table", key, lambda: {"genuine": True}, dict)
    assert value == {"genuine": True}
    assert capsys.readouterr().err.count("others can write to it") == 1
    assert cache.cached("table", key, lambda: {"genuine": True}, dict) == {"genuine": True}
    assert capsys.readouterr().err == ""  # said once


def test_endpoint_copies_never_come_from_a_shared_directory(private_cache, monkeypatch, tmp_path):
    shared = tmp_path / "shared-tmp"
    planted = shared / "dlcheck-endpoints"
    planted.mkdir(parents=True)
    monkeypatch.setattr(cache.tempfile, "tempdir", str(shared))
    url, fetched = "http://127.0.0.1:9/query", b"application/n-triples\n<urn:a> <urn:b> <urn:c> ."
    tag = hashlib.sha256(url.encode()).hexdigest()[:12]
    name = f"{tag}-{hashlib.sha256(fetched).hexdigest()[:32]}.nt"
    (planted / name).write_bytes(b"<urn:evil> <urn:b> <urn:c> .\n")
    private_cache.mkdir(mode=0o755)
    os.chmod(private_cache, 0o777)  # the user's cache is unusable: not private
    path = cache.endpoint_file(url, fetched, lambda: b"<urn:a> <urn:b> <urn:c> .\n")
    assert path.read_bytes() == b"<urn:a> <urn:b> <urn:c> .\n"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_corrupt_knowledge_base_is_rebuilt_and_said_once(private_cache, capsys, tmp_path):
    small = tmp_path / "small.ttl"
    small.write_text(
        "@prefix c: <https://w3id.org/dlcheck/kg/concept/> .\n"
        "@prefix dlc: <https://w3id.org/dlcheck/ontology#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        'c:gpu a dlc:Hardware ; skos:prefLabel "GPU"@en .\n'
    )
    first = cache.load_knowledge([small])
    (kb_file,) = _files(private_cache, "kb")
    data = bytearray(kb_file.read_bytes())
    # The pickle protocol byte: "unsupported pickle protocol" on every run, before the fix.
    start = data.index(b"\n", data.index(b"\n", len(cache._MAGIC)) + 1) + 1
    data[start + 1] = 250
    kb_file.write_bytes(bytes(data))
    capsys.readouterr()
    for _ in range(2):  # each a new run: nothing remembered in memory
        cache._memo.clear()
        again = cache.load_knowledge([small])
        assert again.concepts.keys() == first.concepts.keys()
    said = capsys.readouterr().err
    assert said.count("\n") == 1  # the rebuild is said once, and the second run is clean
    assert said.startswith(f"dlcheck: note: the cache file {kb_file} was unusable")
    assert "checksum mismatch" in said and "rebuilt it" in said


def test_no_graph_files_means_the_bundled_graph_in_key_and_content():
    # The bug: [] hashed the ontology alone and compiled the bundled data under that key.
    assert cache.load_knowledge([]) is cache.load_knowledge(None)
    assert cache.load_knowledge([]).claims
    assert default_files()[1:] == bundled_data_files()


def test_the_key_changes_with_the_compiling_code(monkeypatch):
    before = cache.code_fingerprint(*cache.COMPILING_MODULES)
    cache.code_fingerprint.cache_clear()
    real = Path.read_bytes

    def edited(path: Path) -> bytes:
        data = real(path)
        return data + b"\n# edited\n" if path.name == "compile.py" else data

    monkeypatch.setattr(Path, "read_bytes", edited)
    try:
        assert cache.code_fingerprint(*cache.COMPILING_MODULES) != before
    finally:
        cache.code_fingerprint.cache_clear()


def _stored(folder: Path, value: dict) -> tuple[str, bytes]:
    key = hashlib.sha256(repr(value).encode()).hexdigest()
    cache.cached("prop", key, lambda: value, dict)
    (written,) = _files(folder, "prop")
    return key, written.read_bytes()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    value=st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8), max_size=8),
    edits=st.lists(
        st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)),
        min_size=1,
        max_size=3,
    ),
    cut=st.none() | st.integers(min_value=0),
)
def test_a_damaged_cache_file_gives_the_right_value_or_a_rebuild(
    private_cache, capsys, value, edits, cut
):
    """Any 1-3 byte change, or a cut, gives the stored value back or a rebuild: never another
    value, never an exception, at most one line on stderr."""
    for old in private_cache.glob("prop-*"):
        old.unlink()
    key, data = _stored(private_cache, value)
    damaged = bytearray(data)
    for where, byte in edits:
        damaged[where % len(damaged)] = byte
    if cut is not None:
        damaged = damaged[: cut % len(damaged)]
    (target,) = _files(private_cache, "prop")
    target.write_bytes(bytes(damaged))
    cache._reported.clear()
    capsys.readouterr()
    assert cache.cached("prop", key, lambda: dict(value), dict) == value
    said = capsys.readouterr().err
    assert said.count("\n") <= 1
    assert (said == "") == (bytes(damaged) == data)


def test_a_value_wanted_by_two_at_once_is_built_once(private_cache):
    """A server's workers start together on a cold cache: one builds each value, the others
    wait for it and read it (a lock per file; two threads hold two lock descriptions, as two
    processes would), and no lock file is left behind."""
    import threading
    import time

    builds = []

    def build() -> dict:
        builds.append(threading.get_ident())
        time.sleep(0.3)
        return {"built": True}

    values = []
    threads = [
        threading.Thread(target=lambda: values.append(cache.cached("slow", "s" * 64, build, dict)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert values == [{"built": True}] * 3
    assert len(builds) == 1
    assert [p.name for p in private_cache.iterdir()] == [_files(private_cache, "slow")[0].name]


def _key_of(files: list[Path]) -> str:
    cache._keys.clear()  # a new process: only the cache directory remembers
    return cache.knowledge_key(files)


def _age(path: Path, seconds: int) -> None:
    """Backdate a file's modification time (a file last changed `seconds` ago)."""
    when = os.stat(path).st_mtime_ns - seconds * 1_000_000_000
    os.utime(path, ns=(when, when))


def test_a_file_changed_to_the_same_size_changes_the_key(private_cache, tmp_path):
    mine = tmp_path / "mine.ttl"
    mine.write_text("# version one\n")
    _age(mine, 60)
    first = _key_of([mine])
    assert (private_cache / cache.DIGESTS).exists()  # remembered for the next start
    mine.write_text("# version two\n")  # same size, a new time
    _age(mine, 30)
    assert _key_of([mine]) != first
    mine.write_text("# version one\n")
    _age(mine, 10)
    assert _key_of([mine]) == first  # the key is the content's, not the time's


def test_a_remembered_digest_spares_reading_the_file(private_cache, tmp_path, monkeypatch):
    mine = tmp_path / "mine.ttl"
    mine.write_text("# a curator's file\n")
    _age(mine, 60)
    first = _key_of([mine])

    def unread(self):
        raise AssertionError(f"{self} was read again")

    monkeypatch.setattr(Path, "read_bytes", unread)
    assert _key_of([mine]) == first


def test_a_file_changed_just_now_is_not_remembered(private_cache, tmp_path):
    # Its time could stay the same through one more change within the clock's granularity.
    mine = tmp_path / "mine.ttl"
    mine.write_text("# just written\n")
    _key_of([mine])
    remembered = cache._read_digests(private_cache / cache.DIGESTS)
    assert os.path.abspath(mine) not in remembered
