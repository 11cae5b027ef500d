"""The knowledge base the pipeline's components open, opened once per pipeline.

Each component that needs the graph (the lemmatizer, the mention matcher) opens it by its
files, and opening works out the graph's key from every file's size and time: at 7,000 files
that is 7,000 system calls and Paths per component. While `build_pipeline` adds them
(`once_per_pipeline`), the second gets the knowledge base the first opened.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from kg.cache import open_knowledge
from kg.knowledge import KnowledgeBase

_local = threading.local()  # .opened: files -> knowledge base, while a pipeline is built


@contextmanager
def once_per_pipeline() -> Iterator[None]:
    outer = getattr(_local, "opened", None)
    if outer is None:
        _local.opened = {}
    try:
        yield
    finally:
        if outer is None:
            _local.opened = None


def knowledge_of(graph_files: Sequence[str]) -> KnowledgeBase:
    """The knowledge base of a component's `graph_files` (none: the bundled graph)."""
    opened = getattr(_local, "opened", None)
    key = tuple(graph_files)
    if opened is not None and key in opened:
        return opened[key]
    kb = open_knowledge([Path(p) for p in graph_files] if graph_files else None)
    if opened is not None:
        opened[key] = kb
    return kb
