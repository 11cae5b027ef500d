"""The compiled knowledge base (and what else is built from it), cached on disk under a key
made from the graph's content and the code that compiles it.

The key covers the Turtle files, dlcheck's version, the source of the modules that compile
(`code_fingerprint`) and the spacy-lookups-data version, so a stale cache is never read and
nobody has to remember to bump a format number.

A cache file is trusted only as far as it can be checked, since unpickling runs code:
- the directory is private (created 0700) and must belong to the user and be writable by
  nobody else, or it is not read at all; files are 0600;
- each file carries the SHA-256 of its payload, verified before unpickling; a damaged or
  foreign file is rebuilt, and stderr says so once.
Files are written to a temporary name and renamed, so an interrupted build leaves no partial
cache behind.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib.util
import json
import os
import pickle
import shutil
import sqlite3
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TypeVar

from kg.errors import DlcheckError
from kg.knowledge import Claim, Concept, Edge, KnowledgeBase, Relation, Source, ancestor_paths
from kg.store import _read_bytes, bundled_data_files, content_hash, default_files, ontology_files
from kg.tables import (
    TableFile,
    TableWriter,
    build_lock,
    building,
    open_tables,
    split_key,
    tuple_key,
)

T = TypeVar("T")

# The modules whose code decides what a compiled knowledge base holds.
COMPILING_MODULES = ("kg.compile", "kg.knowledge", "kg.store")
# First line of every cache file; the second is the payload's SHA-256, the third the key.
_MAGIC = b"dlcheck-cache 1\n"

_memo: dict[str, KnowledgeBase] = {}
_opened: dict[str, KnowledgeBase] = {}  # open_knowledge's, by key
_keys: dict[tuple, str] = {}  # (file, size, modification time)... -> knowledge_key
_reported: set[str] = set()  # what stderr has already been told, once each


def cache_dir() -> Path:
    """$DLCHECK_CACHE_DIR, else $XDG_CACHE_HOME/dlcheck, else ~/.cache/dlcheck."""
    explicit = os.environ.get("DLCHECK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dlcheck"


@cache
def code_fingerprint(*modules: str) -> str:
    """A hash of dlcheck's version, the spacy-lookups-data version and the named modules' source.

    Part of every cache key whose value those modules build: changing the code that builds a
    cached value gives a new key, with no version number to bump by hand.
    """
    from importlib import metadata

    digest = hashlib.sha256()
    for package in ("dlcheck", "spacy-lookups-data"):
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            version = "not installed"
        digest.update(f"{package} {version}\n".encode())
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ValueError(f"no source for module {name}")
        digest.update(name.encode() + b"\0" + Path(spec.origin).read_bytes() + b"\0")
    return digest.hexdigest()


def load_knowledge(paths: Sequence[Path] | None = None) -> KnowledgeBase:
    """The knowledge base of the bundled graph, or of `paths` (plus the ontology), whole in
    memory: for curators' commands that walk all of it.

    Read from the cache when the graph's content and the compiling code are unchanged, else
    read whole from the table file `open_knowledge` uses (compiled first if it is missing)
    and cached. No paths (None or empty) means the bundled graph.
    """
    chosen = list(paths) if paths else None
    key = knowledge_key(chosen)
    if key in _memo:
        return _memo[key]

    def build() -> KnowledgeBase:
        opened = open_knowledge(chosen)
        return KnowledgeBase(
            concepts=dict(opened.concepts),
            relations=dict(opened.relations),
            claims=dict(opened.claims),
            sources=dict(opened.sources),
            claim_index=dict(opened.claim_index.whole),
            claims_by_subject=dict(opened.claims_by_subject.whole),
            claims_by_broader_object=dict(opened.claims_by_broader_object),
            ancestors=dict(opened.ancestors),
            evidence_paths=dict(opened.evidence_paths),
            content_hash=key,
        )

    kb = cached("kb", key, build, KnowledgeBase)
    _memo[key] = kb
    return kb


def _compiled(paths: Sequence[Path] | None, key: str) -> Iterator[tuple[str, object]]:
    from kg.compile import compile_files

    return compile_files(graph_files(paths or None), key)


def graph_files(paths: Sequence[Path] | None = None) -> list[Path]:
    """The files a knowledge base is compiled from: the ontology, then `paths` or the bundled
    data (as kg.store.load_graph reads them)."""
    files = list(paths) if paths else bundled_data_files()
    return [p for p in ontology_files() if p not in files] + files


def knowledge_key(paths: Sequence[Path] | None = None) -> str:
    """The key of everything compiled from the bundled graph, or from `paths` (plus the
    ontology): the files' content and the compiling code."""
    files = default_files() if not paths else ontology_files() + list(paths)
    # Hashing the files is the one cost of a start that grows with the graph: done once per
    # process while their sizes and times stay the same (the pipeline's components each ask).
    try:
        infos = [os.stat(p) for p in files]
    except OSError:
        infos = None  # a missing file: content_hash says which
    seen = None
    if infos is not None:
        seen = tuple((str(p), i.st_size, i.st_mtime_ns) for p, i in zip(files, infos, strict=True))
    key = _keys.get(seen) if seen is not None else None
    if key is None:
        extra = code_fingerprint(*COMPILING_MODULES).encode()
        key = _remembered_hash(files, infos, extra) if infos is not None else None
        if key is None:
            key = content_hash(files, extra=extra)  # names a file it cannot read
        if seen is not None:
            _keys[seen] = key
    return key


# Each file's digest, remembered across processes by its size, modification time and inode
# (as git's index does): at 100 times the bundled graph, reading 250 MB to hash it was most
# of a start. A digest is recorded only for a file last changed more than RACY_NS before:
# a change within the file system's timestamp granularity could leave its time as it was.
DIGESTS = "file-digests.json"
RACY_NS = 2_000_000_000
MAX_DIGESTS = 200_000


def _remembered_hash(
    files: Sequence[Path], infos: Sequence[os.stat_result], extra: bytes
) -> str | None:
    """The hash of the files' names and digests, the digests read from the cache directory's
    memo where size, time and inode still match; None when a file cannot be read (then
    content_hash, which names it). A different hash from content_hash, and as stable."""
    digests = _digests(files, infos)
    return None if digests is None else _folded(files, digests, extra)


def file_digests(files: Sequence[Path]) -> list[str]:
    """Each file's SHA-256, from the memo where the file has not changed since it was hashed:
    the per-file keys of `validate` and the keys of cached `stats` and `lint` cost a `stat`
    a file instead of reading the whole graph. A file that cannot be read raises
    GraphLoadError naming it (as content_hash does)."""
    try:
        infos = [os.stat(path) for path in files]
    except OSError:
        infos = None
    digests = _digests(files, infos) if infos is not None else None
    if digests is None:
        return [hashlib.sha256(_read_bytes(path)).hexdigest() for path in files]
    return digests


def files_key(files: Sequence[Path], *modules: str, extra: str = "") -> str:
    """A cache key for what `modules` compute from `files`: the files' names and digests
    (file_digests), the modules' code and `extra` (a library's version, say)."""
    seed = f"{code_fingerprint(*modules)}\0{extra}\0".encode()
    return _folded(files, file_digests(files), seed)


def _folded(files: Sequence[Path], digests: Sequence[str], seed: bytes) -> str:
    """One hash of `seed` and the files' names with their digests, in order."""
    digest = hashlib.sha256(seed)
    for path, file_digest in zip(files, digests, strict=True):
        digest.update(path.name.encode() + b"\0" + file_digest.encode() + b"\0")
    return digest.hexdigest()


def _digests(files: Sequence[Path], infos: Sequence[os.stat_result]) -> list[str] | None:
    """The files' SHA-256 digests, remembered in the memo; None when one cannot be read."""
    folder = cache_dir()
    usable = _usable(folder)
    memo = _read_digests(folder / DIGESTS) if usable else {}
    now = time.time_ns()
    digests = []
    changed = False
    for path, info in zip(files, infos, strict=True):
        name = os.path.abspath(path)  # no system call; the inode follows a moved link
        signature = [info.st_size, info.st_mtime_ns, info.st_ino]
        known = memo.get(name)
        if known is not None and known[:3] == signature:
            file_digest = known[3]
        else:
            try:
                file_digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                return None
            if now - info.st_mtime_ns > RACY_NS:
                memo[name] = [*signature, file_digest]
                changed = True
            else:
                memo.pop(name, None)
        digests.append(file_digest)
    if changed and usable:
        if len(memo) > MAX_DIGESTS:  # files of many graphs: keep this graph's
            current = {os.path.abspath(path) for path in files}
            memo = {name: found for name, found in memo.items() if name in current}
        try:
            _write_bytes(folder / DIGESTS, json.dumps(memo).encode())
        except OSError:
            pass  # a start that hashes again next time
    return digests


def _read_digests(path: Path) -> dict[str, list]:
    """The digest memo, or an empty one when missing, unreadable or not what this writes."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or not _owned_and_private(info):
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        k: v
        for k, v in data.items()
        if isinstance(v, list)
        and len(v) == 4
        and all(isinstance(n, int) for n in v[:3])
        and isinstance(v[3], str)
    }


def open_knowledge(paths: Sequence[Path] | None = None) -> KnowledgeBase:
    """The knowledge base of `load_knowledge`, opened from a table file whose rows are read
    when first asked for (kg/tables.py): what the checker uses, since a statement needs a
    few dozen claims and concepts and a start should not read them all. The table file is
    built from the compiled knowledge base once per key."""
    key = knowledge_key(paths)
    if key in _opened:
        return _opened[key]
    # The rows are written by this module and kept by kg.tables: their code is in the key.
    stored = hashlib.sha256(f"{key}|{code_fingerprint('kg.cache', 'kg.tables')}".encode())
    file = table_file(
        "knowledge",
        stored.hexdigest(),
        lambda out: _write_knowledge(out, _compiled(paths, key)),
    )
    kb = KnowledgeBase(
        concepts=file.table("concepts", _concept),
        # The ontology's few relations, asked for by every statement: read at once.
        relations=dict(file.table("relations", _relation)),
        claims=file.table("claims", _claim),
        sources=file.table("sources", _source),
        claim_index=BySubject(
            file.table("claim_index", tuple, tuple_key, split_key),
            file.table("claims_of_subject", _claims_of_subject),
        ),
        claims_by_subject=BySubject(
            file.table("claims_by_subject", _pairs, tuple_key, split_key),
            file.table("relations_of_subject", _relations_of_subject),
        ),
        # A row per key: a statement probes its object under a few subjects and relations.
        claims_by_broader_object=file.table(
            "claims_by_broader_object", _pairs, tuple_key, split_key
        ),
        ancestors=file.table("ancestors", ancestor_paths),
        evidence_paths=file.table("evidence_paths", _chains),
        content_hash=key,
    )
    _opened[key] = kb
    return kb


def table_file(name: str, key: str, build: Callable[[TableWriter], None]) -> TableFile:
    """The table file `name` for `key` in the cache directory, built by `build` when missing
    or unusable; without a usable cache directory, in a private directory of this process."""
    folder = cache_dir()
    if not _usable(folder):
        folder = _process_folder()
    return open_tables(folder, name, key, build, _report)


class Memo:
    """Values too costly to work out again on every compile (a claim text read by the
    scanner), kept across compiles in the cache directory under content keys: a compile
    after a change reads anew only what the change touched.

    Every value is kept under `scope` (a hash of everything all of them depend on: the code
    and rules that compute them) and its own key (what it depends on alone, its text); a
    caller that stores with a value what else it read (a trace) checks that trace before it
    uses the value, and computes it again when unsure. The values of one compile are written
    as one segment, a table file of `kg.tables` renamed into place when the compile is done
    (`close`): no partial memo is ever read. Segments are kept to `MAX_SEGMENTS`: a compile
    that finds that many writes every value it used into its own and removes the others,
    so the memo holds what the last few compiles used and no more; those of another scope
    go after a day. Without a usable cache directory nothing is kept."""

    MAX_SEGMENTS = 6
    TABLE = "memo"

    @staticmethod
    def key(text: str) -> str:
        """The key a value computed from `text` alone is kept under."""
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def __init__(self, name: str, scope: str):
        self._name, self._scope = name, scope
        folder = cache_dir()
        self._folder = folder / "memo" if _usable(folder) and _usable(folder / "memo") else None
        self._segments: list[tuple[Path, TableFile]] = []
        self._writer: TableWriter | None = None
        self._pending: list[tuple[str, object]] = []
        self._written: set[int] = set()  # hashes of the keys written: each key once
        self._stack: contextlib.ExitStack | None = None
        self.compacting = False
        if self._folder is None:
            return
        for path in sorted(self._folder.glob(f"{name}-{scope[:32]}-*.sqlite"), reverse=True):
            try:
                self._segments.append((path, TableFile(path, scope)))
            except (OSError, ValueError, sqlite3.Error):
                pass  # gone since listed, or not one of ours: its values are computed again
        # Full: this compile keeps everything it uses, and the older segments go.
        self.compacting = len(self._segments) >= self.MAX_SEGMENTS
        target = self._folder / f"{name}-{scope[:32]}-{time.time_ns():020d}-{os.getpid()}.sqlite"
        stack = contextlib.ExitStack()
        try:
            self._writer = stack.enter_context(building(target, scope))
        except (OSError, sqlite3.Error):
            return  # nothing kept this time
        self._stack = stack

    def __enter__(self) -> Memo:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.close()
        elif self._stack is not None:
            self._stack.__exit__(kind, value, traceback)  # the segment is not kept
            self._stack = None

    @property
    def empty(self) -> bool:
        """Nothing kept from an earlier compile: every value is computed anew."""
        return not self._segments

    def get_many(self, keys: Iterable[str]) -> dict[str, object]:
        """The values kept under `keys`, by key (those never kept are missing)."""
        wanted = set(keys)
        found: dict[str, object] = {}
        for _, segment in self._segments:
            if not wanted:
                break
            try:
                got = segment.fetch_many(self.TABLE, wanted)
            except DlcheckError:  # a damaged segment (removed): computed again
                continue
            found.update(got)
            wanted.difference_update(got)
        return found

    def put(self, key: str, value: object, new: bool = True) -> None:
        """Keep `value` under `key`: a value computed now (`new`), or one read from the memo,
        written again only when this compile's segment replaces the others."""
        if self._writer is not None and (new or self.compacting):
            if hash(key) in self._written:  # a text said twice (or a rare clash: not kept)
                return
            self._written.add(hash(key))
            self._pending.append((key, value))
            if len(self._pending) >= 5000:
                self._flush()

    def _flush(self) -> None:
        if self._pending and self._writer is not None:
            self._writer.put(self.TABLE, self._pending)
            self._pending.clear()

    def close(self) -> None:
        """Write this compile's segment (when it holds anything) and remove what it
        replaces."""
        if self._stack is None:
            return
        self._flush()
        stack, self._stack = self._stack, None
        if not self._written:  # nothing new: no segment
            stack.__exit__(_Unwritten, _Unwritten(), None)
            return
        try:
            stack.close()
        except (OSError, sqlite3.Error):
            return  # a full disk: values computed again next time
        if self.compacting:
            for path, _ in self._segments:
                path.unlink(missing_ok=True)
        # Segments of another scope (older code or rules), and what a killed compile left
        # half written, go once a day old.
        now = time.time()
        for path in [
            *self._folder.glob(f"{self._name}-*.sqlite"),
            *self._folder.glob(".dlcheck-*"),
        ]:
            try:
                if f"-{self._scope[:32]}-" not in path.name and now - path.stat().st_mtime > 86_400:
                    path.unlink()
            except OSError:
                pass


class _Unwritten(Exception):
    """A memo segment left unwritten (thrown into its build, which then removes it)."""


def _write_knowledge(out: TableWriter, parts: Iterable[tuple[str, object]]) -> None:
    """The compile's tables (kg.compile.compile_files), each written as it comes: the whole
    knowledge base is never in memory at once."""
    for name, items in parts:
        if name in ("claim_index", "claims_by_subject"):
            _write_by_subject(out, name, items)
        elif name == "claims_by_broader_object":
            out.put(name, ((tuple_key(k), v) for k, v in items.items()))
        else:
            encode = _ENCODE.get(name, _fields)
            out.put(name, ((key, encode(value)) for key, value in items))


def _write_by_subject(out: TableWriter, name: str, table: dict[tuple, object]) -> None:
    out.put(name, ((tuple_key(k), v) for k, v in table.items()))
    # The same, a row per subject: the claim lookup probes many (relation, object) pairs of
    # the few subjects a statement names, most of them absent.
    of_subject: dict[str, list] = {}
    for (subject, *rest), value in table.items():
        of_subject.setdefault(subject, []).append([*rest, value])
    out.put(
        "claims_of_subject" if name == "claim_index" else "relations_of_subject", of_subject.items()
    )


def _encode_chains(chains: tuple) -> list:
    return [[_fields(e) for e in chain] for chain in chains]


_ENCODE = {"ancestors": list, "evidence_paths": _encode_chains}  # ancestors: as compiled


class BySubject(Mapping):
    """A table keyed by tuples that start with a subject ((subject, relation, object) ->
    claims), whose lookups read one row per subject (`of_subject`: subject -> {the rest of
    the key: value}); iterating it reads `whole`, the same table a row per key."""

    def __init__(self, whole: Mapping[tuple, object], of_subject: Mapping[str, dict]):
        self.whole, self._of_subject = whole, of_subject

    def get(self, key: tuple, default: object = None) -> object:
        rows = self._of_subject.get(key[0])
        return default if rows is None else rows.get(key[1:], default)

    def __getitem__(self, key: tuple) -> object:
        rows = self._of_subject.get(key[0])
        if rows is None or key[1:] not in rows:
            raise KeyError(key)
        return rows[key[1:]]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and self.get(key, _ABSENT) is not _ABSENT

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.whole)

    def __len__(self) -> int:
        return len(self.whole)


_ABSENT = object()


def _claims_of_subject(row: list) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(relation, obj): tuple(claims) for relation, obj, claims in row}


def _relations_of_subject(row: list) -> dict[tuple[str], tuple[tuple[str, str], ...]]:
    return {(relation,): _pairs(pairs) for relation, pairs in row}


def _fields(item) -> list:
    """A frozen dataclass's field values in order, as JSON holds them (tuples as lists)."""
    return [getattr(item, name) for name in item.__dataclass_fields__]


def _concept(row: list) -> Concept:
    iri, label, labels, broader, excludes, source, definition = row
    return Concept(iri, label, tuple(labels), tuple(broader), tuple(excludes), source, definition)


def _relation(row: list) -> Relation:
    fields = Relation.__dataclass_fields__
    return Relation(
        **{
            name: tuple(value) if isinstance(value, list) else value
            for name, value in zip(fields, row, strict=True)
        }
    )


def _claim(row: list) -> Claim:
    fields = Claim.__dataclass_fields__
    values = {
        name: tuple(value) if isinstance(value, list) else value
        for name, value in zip(fields, row, strict=True)
    }
    values["evidence"] = tuple(tuple(pair) for pair in values["evidence"])
    return Claim(**values)


def _source(row: list) -> Source:
    return Source(*row)


def _pairs(row: list) -> tuple[tuple[str, str], ...]:
    return tuple(tuple(pair) for pair in row)


def _chains(row: list) -> tuple[tuple[Edge, ...], ...]:
    return tuple(tuple(Edge(*e) for e in chain) for chain in row)


def cached(name: str, key: str, build: Callable[[], T], kind: type) -> T:
    """The value stored under `name` and `key`, or `build()` stored there atomically.

    A missing file is built silently; a damaged or foreign one is rebuilt, with one line on
    stderr. An unusable cache directory (not private, not writable) only costs speed.
    """
    folder = cache_dir()
    target = folder / f"{name}-{key[:32]}.pickle"
    if not _usable(folder):
        return build()
    try:
        return _read(target, key, kind)
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as exc:
        _report(f"the cache file {target} was unusable ({exc}); rebuilt it")
    # One process builds a value at a time; the others wait for it (kg.tables.build_lock).
    with build_lock(target):
        try:
            return _read(target, key, kind)  # built by another process while this one waited
        except (OSError, ValueError):
            pass
        value = build()
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        header = _MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + key.encode()
        try:
            _write_bytes(target, header + b"\n" + payload)
        except OSError:
            pass  # a full disk still gets correct answers, only slower starts
    return value


def _read(target: Path, key: str, kind: type):
    """The verified, unpickled value of one cache file; ValueError says what is wrong."""
    with target.open("rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or not _owned_and_private(info):
            raise ValueError("not a private file of this user")
        data = handle.read()
    head, sep, rest = data.partition(b"\n")
    digest, _, rest = rest.partition(b"\n")
    stored_key, _, payload = rest.partition(b"\n")
    if not sep or head + b"\n" != _MAGIC:
        raise ValueError("not a dlcheck cache file")
    if stored_key != key.encode():
        raise ValueError("stored under another key")
    if hashlib.sha256(payload).hexdigest().encode() != digest:
        raise ValueError("checksum mismatch")
    try:
        value = pickle.loads(payload)
    except Exception as exc:  # written by this very code and checked: only a code mismatch
        raise ValueError(f"cannot unpickle: {type(exc).__name__}") from None
    if not isinstance(value, kind):
        raise ValueError(f"holds a {type(value).__name__}, not a {kind.__name__}")
    return value


def _usable(folder: Path) -> bool:
    """True when `folder` is (or can be made) a private directory of this user.

    Created 0700 when missing. One that exists but belongs to someone else, or that others
    may write to, is never read: anyone who can plant a pickle there could run code as us.
    """
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except OSError:
        return False  # a read-only home: correct answers, slower starts, nothing to say
    if not stat.S_ISDIR(info.st_mode) or not _owned_and_private(info):
        _report(
            f"not using the cache directory {folder}: others can write to it; "
            "set DLCHECK_CACHE_DIR to a directory of your own"
        )
        return False
    return True


def _owned_and_private(info: os.stat_result) -> bool:
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _report(message: str) -> None:
    if message not in _reported:
        _reported.add(message)
        print(f"dlcheck: note: {message}", file=sys.stderr)


def endpoint_file(url: str, fetched: bytes, convert: Callable[[], bytes]) -> Path:
    """The graph fetched from a SPARQL endpoint, as a local N-Triples file named by its content.

    Commands read this file like a curator's Turtle (N-Triples is a subset of Turtle), so the
    compiled knowledge base is cached under a key made from the fetched content. `convert`
    (parse, check, write N-Triples) runs only for content not seen before. Copies of the same
    endpoint's older content go after a day (not at once: a running server may still read one).
    """
    tag = hashlib.sha256(url.encode()).hexdigest()[:12]
    name = f"{tag}-{hashlib.sha256(fetched).hexdigest()[:32]}.nt"
    folder = cache_dir() / "endpoints"
    if not _usable(cache_dir()) or not _usable(folder):
        # No private cache: the copy lives in a private directory of this process, never in
        # a shared one where another user could have planted a graph under the same name.
        folder = _process_folder()
    if (folder / name).is_file():
        return folder / name
    data = convert()
    target = folder / name
    try:
        _write_bytes(target, data)
    except OSError as exc:
        raise DlcheckError(f"cannot write the fetched graph under {folder}: {exc}") from None
    _prune(folder.glob(f"{tag}-*.nt"), keep=target)
    return target


@cache
def _process_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="dlcheck-endpoint-"))  # 0700, ours alone
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _prune(paths, keep: Path, age: float = 86_400.0) -> None:
    now = time.time()
    for path in paths:
        try:
            if path != keep and now - path.stat().st_mtime > age:
                path.unlink()
        except OSError:
            pass  # gone already, or not ours to remove


def _write_bytes(target: Path, data: bytes) -> None:
    """Write `data` to `target` atomically, as a private (0600) file."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".dlcheck-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
