"""Read-only tables on disk, opened without loading them: what a check needs of the graph.

A statement touches a few dozen of the graph's claims, concepts and phrases; unpickling all
of them costs every start a time that grows with the graph. A table file is an SQLite
database (standard library) built once per key, with one row per key of each table holding
its value as JSON; a `LazyTable` reads a row the first time it is asked for and remembers it
for the rest of the process, so a batch pays for each row once.

Files are trusted as far as they can be checked, like the pickled caches (kg/cache.py): the
cache directory must be private; a file is written under a temporary name, completed and
renamed, so an interrupted build leaves nothing a later run reads; the key it was built for
is stored inside and compared when it is opened; each row carries a CRC-32 of its value,
checked when it is read. JSON decoding runs no code, whatever a file holds. A file that
cannot be opened is rebuilt (stderr says so once); a row found damaged while a command runs
is a `DlcheckError`, and the file is removed so that the next run rebuilds it.
"""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import stat
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from kg.errors import DlcheckError

_FORMAT = "dlcheck-tables 3"
# One encoder for every row: json.dumps with options makes a new one per call.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_MISSING = object()  # not in the table
_UNREAD = object()  # not asked for yet
# Separates the parts of a tuple key ("subject", "relation", "object"); IRIs never hold it.
_SEP = "\x1f"
_BATCH = 2000  # rows read at a time by `TableFile.rows`
_MANY = 500  # keys asked for in one query by `TableFile.fetch_many` (SQLite allows 999)


class TableWriter:
    """Rows going into a table file being built."""

    def __init__(self, connection: sqlite3.Connection):
        self._connection = connection
        self._count = 0

    def put(self, table: str, rows: Iterable[tuple[str, Any]]) -> None:
        """Store (key, value) rows in `table`; keys are strings (see `tuple_key`), values
        anything JSON can hold. Iterating the table gives them back in this order, as a
        dict would. Rows go to the end of the file (a table of a million rows is written in
        key order by the index built when the file is complete, not row by row into it)."""
        first = self._count + 1
        self._connection.executemany(
            "INSERT INTO rows VALUES (?, ?, ?, ?, ?)", self._rows(table, rows)
        )
        if self._count >= first:
            self._connection.execute(
                "INSERT INTO parts VALUES (?, ?, ?)", (table, first, self._count)
            )

    def _rows(self, table: str, rows: Iterable[tuple[str, Any]]) -> Iterator[tuple]:
        for key, value in rows:
            text = _encode(value)
            self._count += 1
            yield self._count, table, key, text, zlib.crc32(text.encode())


class TableFile:
    """An open table file; `table()` gives one of its tables as a lazy mapping."""

    def __init__(self, path: Path, key: str):
        self.path = path
        self.key = key
        # Immutable: the file never changes once renamed into place, so SQLite need not
        # lock it or look for a journal. One connection, shared by threads under a lock.
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        self._connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        stored = dict(self._connection.execute("SELECT name, value FROM meta"))
        if stored.get("format") != _FORMAT:
            raise ValueError("not a dlcheck table file")
        if stored.get("key") != key:
            raise ValueError("stored under another key")
        if stored.get("complete") != "yes":
            raise ValueError("an unfinished build")

    def table(
        self,
        name: str,
        decode: Callable[[Any], Any] = lambda value: value,
        encode_key: Callable[[Any], str] = str,
        decode_key: Callable[[str], Any] = lambda key: key,
    ) -> LazyTable:
        return LazyTable(self, name, decode, encode_key, decode_key)

    def fetch(self, table: str, key: str) -> Any:
        """The decoded JSON value of one row, or `_MISSING`."""
        row = self._query("SELECT value, crc FROM rows WHERE tab = ? AND key = ?", table, key)
        if not row:
            return _MISSING
        return self._checked(*row[0])

    def fetch_many(self, table: str, keys: Iterable[str]) -> dict[str, Any]:
        """The decoded JSON values of the rows of `keys` that the table holds, by key: one
        query per few hundred keys, not one per key."""
        keys = list(keys)
        found: dict[str, Any] = {}
        for start in range(0, len(keys), _MANY):
            part = keys[start : start + _MANY]
            marks = ",".join("?" * len(part))
            rows = self._query(
                f"SELECT key, value, crc FROM rows WHERE tab = ? AND key IN ({marks})", table, *part
            )
            found.update((key, self._checked(value, crc)) for key, value, crc in rows)
        return found

    def fetch_all(self, table: str) -> list[tuple[str, Any]]:
        # A range of rowids per put: a join would let SQLite scan the whole file instead.
        rows = [
            row
            for first, last in self._query(
                "SELECT first, last FROM parts WHERE tab = ? ORDER BY first", table
            )
            for row in self._query(
                "SELECT key, value, crc FROM rows WHERE seq BETWEEN ? AND ? ORDER BY seq",
                first,
                last,
            )
        ]
        return [(key, self._checked(value, crc)) for key, value, crc in rows]

    def rows(self, table: str, by_key: bool = False) -> Iterator[tuple[str, Any]]:
        """Each (key, decoded value) of a table, in the table's order (`by_key`: in key
        order, as Python sorts strings), read a batch at a time and not remembered: a whole
        table of a large graph is read by the few builds that need all of it, and kept by
        none of them."""
        if by_key:  # the key index's order: UTF-8 bytes sort as their code points do
            after = None
            while True:
                if after is None:
                    batch = self._query(
                        "SELECT key, value, crc FROM rows WHERE tab = ? ORDER BY key LIMIT ?",
                        table,
                        _BATCH,
                    )
                else:
                    batch = self._query(
                        "SELECT key, value, crc FROM rows WHERE tab = ? AND key > ?"
                        " ORDER BY key LIMIT ?",
                        table,
                        after,
                        _BATCH,
                    )
                yield from ((key, self._checked(value, crc)) for key, value, crc in batch)
                if len(batch) < _BATCH:
                    return
                after = batch[-1][0]
        parts = self._query("SELECT first, last FROM parts WHERE tab = ? ORDER BY first", table)
        for first, last in parts:
            for start in range(first, last + 1, _BATCH):
                batch = self._query(
                    "SELECT key, value, crc FROM rows WHERE seq BETWEEN ? AND ? ORDER BY seq",
                    start,
                    min(start + _BATCH - 1, last),
                )
                yield from ((key, self._checked(value, crc)) for key, value, crc in batch)

    def _query(self, sql: str, *arguments: str | int) -> list[tuple]:
        try:
            with self._lock:
                return self._connection.execute(sql, arguments).fetchall()
        except sqlite3.DatabaseError as exc:  # "database disk image is malformed", ...
            self._damaged(str(exc))

    def _checked(self, value: str, crc: int) -> Any:
        if zlib.crc32(value.encode()) != crc:
            self._damaged("a row does not match its checksum")
        return json.loads(value)

    def _damaged(self, why: str) -> NoReturn:
        self.path.unlink(missing_ok=True)
        raise DlcheckError(
            f"the cache file {self.path} was damaged ({why}); it was removed: run the command again"
        )


class LazyTable(Mapping):
    """One table of a table file as a read-only mapping: each row read when first asked for,
    then remembered (misses too). Iterating reads the whole table once."""

    def __init__(self, file: TableFile, name: str, decode, encode_key, decode_key):
        self._file, self._name = file, name
        self._decode, self._encode_key, self._decode_key = decode, encode_key, decode_key
        self._memo: dict[Any, Any] = {}
        self._whole = False

    def get(self, key: Any, default: Any = None) -> Any:
        value = self._memo.get(key, _UNREAD)
        if value is _UNREAD:
            if self._whole:
                return default
            value = self._file.fetch(self._name, self._encode_key(key))
            if value is not _MISSING:
                value = self._decode(value)
            self._memo[key] = value  # _MISSING too: a key asked for once is asked again
        return default if value is _MISSING else value

    def __getitem__(self, key: Any) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return self.get(key, _MISSING) is not _MISSING

    def _read_all(self) -> None:
        if not self._whole:
            memo: dict[Any, Any] = {}  # in the table's order; rows read before kept as they are
            for key, value in self._file.fetch_all(self._name):
                decoded = self._decode_key(key)
                known = self._memo.get(decoded, _UNREAD)
                memo[decoded] = self._decode(value) if known is _UNREAD else known
            self._memo, self._whole = memo, True

    def __iter__(self) -> Iterator[Any]:
        self._read_all()
        return iter(self._memo)

    def stream(self, by_key: bool = False) -> Iterator[tuple[Any, Any]]:
        """(key, value) of every row, read a batch at a time and not remembered (`rows`)."""
        if self._whole:
            items = self._memo.items()
            yield from sorted(items, key=lambda kv: self._encode_key(kv[0])) if by_key else items
            return
        for key, value in self._file.rows(self._name, by_key):
            yield self._decode_key(key), self._decode(value)

    def __len__(self) -> int:
        self._read_all()
        return len(self._memo)

    def __reduce__(self):
        # Sent to another process (a pool's worker) as the plain dict it stands for.
        return (dict, (dict(self.items()),))


def each(table: Mapping[Any, Any], by_key: bool = False) -> Iterator[tuple[Any, Any]]:
    """(key, value) of every row of a mapping, in its order or by key: a `LazyTable` is read
    a batch at a time and nothing of it is remembered (`LazyTable.stream`)."""
    if isinstance(table, LazyTable):
        return table.stream(by_key)
    return iter(sorted(table.items(), key=lambda kv: kv[0]) if by_key else table.items())


def tuple_key(parts: Iterable[str]) -> str:
    """The string key of a tuple of strings, e.g. a claim's (subject, relation, object)."""
    return _SEP.join(parts)


def split_key(key: str) -> tuple[str, ...]:
    return tuple(key.split(_SEP))


def open_tables(
    folder: Path,
    name: str,
    key: str,
    build: Callable[[TableWriter], None],
    report: Callable[[str], None],
) -> TableFile:
    """The table file `name` built for `key` in the private directory `folder`, built there
    first when it is missing or unusable (`report` says so)."""
    target = folder / f"{name}-{key[:32]}.sqlite"
    try:
        return _opened(target, key)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, sqlite3.Error) as exc:
        report(f"the cache file {target} was unusable ({exc}); rebuilt it")
    with build_lock(target):
        try:
            return _opened(target, key)  # built by another process while this one waited
        except (OSError, ValueError, sqlite3.Error):
            pass
        _build(target, key, build)
    return _opened(target, key)


@contextmanager
def build_lock(target: Path) -> Iterator[None]:
    """Held while `target` is built, so that another process that wants the same file waits
    for it and reads it instead of building it too: a server's workers, or a test run's,
    start together on a cold cache. The lock file goes when the build ends. Without flock
    (not POSIX), or where no lock file can be made, builds simply run side by side: each
    writes the whole file atomically, so either result is right."""
    try:
        import fcntl
    except ImportError:
        fcntl = None
    lock = target.with_name(f".{target.name}.lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600) if fcntl else None
    except OSError:
        fd = None
    if fd is None:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            # Removed while still held: a process already waiting finds the file built; one
            # that comes later finds it before it looks for a lock.
            lock.unlink(missing_ok=True)
    finally:
        os.close(fd)  # and with it the lock


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a table file is built (or the checker reads a
    batch of statements), back on after it. A build
    keeps what it has read (the compile's triples, the claim index's postings) while it
    allocates millions of small objects, and every so often the collector walked all of it:
    two fifths of the claim index's build at 10x. A build leaves few cycles, and those are
    collected after it."""
    if not gc.isenabled():  # the caller's choice: leave it
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _opened(target: Path, key: str) -> TableFile:
    info = target.stat()  # FileNotFoundError: not built yet
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
        raise ValueError("not a file of this user")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ValueError("others may write to it")
    return TableFile(target, key)


def _build(target: Path, key: str, build: Callable[[TableWriter], None]) -> None:
    """Write the table file in a temporary file next to `target`, then rename it: a reader
    sees the whole file or none."""
    with building(target, key) as out, collector_paused():
        build(out)


@contextmanager
def building(target: Path, key: str) -> Iterator[TableWriter]:
    """A table file being written for `key` under a temporary name next to `target`, renamed
    to `target` once the block ends normally (its key index built and a completion mark
    written last); an exception leaves nothing behind."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".dlcheck-", suffix=".sqlite")
    os.close(fd)
    try:
        connection = sqlite3.connect(temp)
        try:
            connection.executescript(
                "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;"
                "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT);"
                "CREATE TABLE rows (seq INTEGER PRIMARY KEY, tab TEXT, key TEXT, value TEXT,"
                " crc INTEGER);"
                # Each put's rows, by their first and last seq: a table read whole.
                "CREATE TABLE parts (tab TEXT, first INTEGER, last INTEGER);"
            )
            connection.executemany(
                "INSERT INTO meta VALUES (?, ?)", [("format", _FORMAT), ("key", key)]
            )
            yield TableWriter(connection)
            connection.execute("CREATE UNIQUE INDEX rows_by_key ON rows (tab, key)")
            # Written last: a file without it was never finished.
            connection.execute("INSERT INTO meta VALUES ('complete', 'yes')")
            connection.commit()
        finally:
            connection.close()
        os.chmod(temp, 0o600)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
