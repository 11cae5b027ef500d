"""The compiled knowledge base, cached on disk under a key made from the graph's content.

Any change to a Turtle file (or to the compiled format) gives a new
key, so a stale cache is never read. Files are written to a temporary name and renamed, so
an interrupted build leaves no partial cache behind.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Sequence
from pathlib import Path

from kg.knowledge import KnowledgeBase
from kg.store import content_hash, default_files, ontology_files

# Bump when KnowledgeBase or the compile step changes shape, so old caches are ignored.
FORMAT_VERSION = "5"

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
    target = cache_dir() / f"kb-{key[:32]}.pickle"
    kb = _read(target)
    if kb is None:
        from kg.compile import compile_knowledge
        from kg.store import load_graph

        kb = compile_knowledge(load_graph(list(paths) if paths else None))
        object.__setattr__(kb, "content_hash", key)
        _write(target, kb)
    _memo[key] = kb
    return kb


def _read(target: Path) -> KnowledgeBase | None:
    try:
        with target.open("rb") as handle:
            kb = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None  # missing or unreadable: rebuild rather than fail
    return kb if isinstance(kb, KnowledgeBase) else None


def _write(target: Path, kb: KnowledgeBase) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".kb-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(kb, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a read-only home still gets correct answers, only slower starts
