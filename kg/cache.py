"""The compiled knowledge base (and what else is built from it), cached on disk under a key
made from the graph's content.

Any change to a Turtle file (or to the compiled format) gives a new key, so a stale cache is
never read. Files are written to a temporary name and renamed, so
an interrupted build leaves no partial cache behind.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from kg.errors import DlcheckError
from kg.knowledge import KnowledgeBase
from kg.store import content_hash, default_files, ontology_files

T = TypeVar("T")

# Bump when KnowledgeBase or the compile step changes shape, so old caches are ignored.
FORMAT_VERSION = "11"

_memo: dict[str, KnowledgeBase] = {}


def cache_dir() -> Path:
    """$DLCHECK_CACHE_DIR, else $XDG_CACHE_HOME/dlcheck, else ~/.cache/dlcheck."""
    explicit = os.environ.get("DLCHECK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dlcheck"


def load_knowledge(paths: Sequence[Path] | None = None) -> KnowledgeBase:
    """The knowledge base of the bundled graph, or of `paths` (plus the ontology).

    Read from the cache when the graph's content is unchanged, else compiled and cached.
    """
    files = default_files() if paths is None else ontology_files() + list(paths)
    key = content_hash(files, extra=FORMAT_VERSION.encode())
    if key in _memo:
        return _memo[key]

    def build() -> KnowledgeBase:
        from kg.compile import compile_knowledge
        from kg.store import load_graph

        kb = compile_knowledge(load_graph(list(paths) if paths else None))
        object.__setattr__(kb, "content_hash", key)
        return kb

    kb = cached("kb", key, build, KnowledgeBase)
    _memo[key] = kb
    return kb


def cached(name: str, key: str, build: Callable[[], T], kind: type) -> T:
    """The value stored under `name` and `key`, or `build()` stored there atomically.

    A missing, unreadable or foreign file is rebuilt rather than trusted or reported.
    """
    target = cache_dir() / f"{name}-{key[:32]}.pickle"
    try:
        with target.open("rb") as handle:
            value = pickle.load(handle)
        if isinstance(value, kind):
            return value
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        pass
    value = build()
    try:
        _write_bytes(target, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # a read-only home still gets correct answers, only slower starts
    return value


def endpoint_file(url: str, fetched: bytes, convert: Callable[[], bytes]) -> Path:
    """The graph fetched from a SPARQL endpoint, as a local N-Triples file named by its content.

    Commands read this file like a curator's Turtle (N-Triples is a subset of Turtle), so the
    compiled knowledge base is cached under a key made from the fetched content. `convert`
    (parse, check, write N-Triples) runs only for content not seen before. Copies of the same
    endpoint's older content go after a day (not at once: a running server may still read one).
    """
    tag = hashlib.sha256(url.encode()).hexdigest()[:12]
    name = f"{tag}-{hashlib.sha256(fetched).hexdigest()[:32]}.nt"
    # A read-only cache directory still works: the temporary directory holds the copy then.
    folders = (cache_dir() / "endpoints", Path(tempfile.gettempdir()) / "dlcheck-endpoints")
    for folder in folders:
        if (folder / name).is_file():
            return folder / name
    data = convert()
    for folder in folders:
        target = folder / name
        try:
            _write_bytes(target, data)
        except OSError:
            continue
        _prune(folder.glob(f"{tag}-*.nt"), keep=target)
        return target
    raise DlcheckError(f"cannot write the fetched graph under {folders[0]} or {folders[1]}")


def _prune(paths, keep: Path, age: float = 86_400.0) -> None:
    now = time.time()
    for path in paths:
        try:
            if path != keep and now - path.stat().st_mtime > age:
                path.unlink()
        except OSError:
            pass  # gone already, or not ours to remove


def _write_bytes(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".nt-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
