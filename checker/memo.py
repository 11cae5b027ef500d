"""One bounded cache per Checker: what was decided for a text, a scan and a reading.

A batch repeats itself (the same statement, the same reading worded differently), so
decisions are kept; a long-running process (a server, a huge stdin) must not grow without
bound, so the least recently used entries go first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

_MISSING = object()


class DecisionCache:
    """A least-recently-used map with a size limit."""

    def __init__(self, limit: int = 200_000):
        if limit < 1:
            raise ValueError("a cache needs room for at least one entry")
        self.limit = limit
        self._entries: OrderedDict[Hashable, object] = OrderedDict()

    def get(self, key: Hashable, default: object = None) -> object:
        value = self._entries.get(key, _MISSING)
        if value is _MISSING:
            return default
        self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: object) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        if len(self._entries) > self.limit:
            self._entries.popitem(last=False)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)
