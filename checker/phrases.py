"""A token trie: leftmost-longest matching of many phrases, the way filter_spans would choose.

spaCy's PhraseMatcher plus Span objects and filter_spans cost more per short statement than
the tokenizer itself; a dict trie over token strings does the same job in a few lookups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

_END = ""  # token strings are never empty, so "" can mark the end of a phrase
_SEEN_LIMIT = 500_000  # first tokens remembered as loaded; past that they are loaded again

# Given a token, the phrases that start with it: (tokens, value) pairs.
Source = Callable[[object], Iterable[tuple[Sequence[object], object]]]


class PhraseTrie:
    """Phrases added up front, or, with a `source`, loaded the first time a token that may
    start one is seen: a statement then costs the phrases of its own words, not the graph's."""

    def __init__(self, source: Source | None = None) -> None:
        self.root: dict = {}
        self._source = source
        self._seen: set = set()  # tokens whose phrases are loaded

    def add(self, tokens: Sequence[str], value: object) -> None:
        """Add a phrase; a second value for the same phrase keeps the first."""
        node = self.root
        for token in tokens:
            node = node.setdefault(token, {})
        node.setdefault(_END, value)

    @property
    def lazy(self) -> bool:
        """Are phrases still loaded as their first tokens are seen?"""
        return self._source is not None

    def add_all(self, phrases: Iterable[tuple[Sequence[object], object]]) -> None:
        """Add every phrase the source could give: nothing is loaded any more."""
        for tokens, value in phrases:
            self.add(tokens, value)
        self._source = None

    def _load(self, tokens: Sequence[object]) -> None:
        seen = self._seen
        if seen.issuperset(tokens):  # the common case, without a loop in Python
            return
        for token in set(tokens).difference(seen):
            for phrase, value in self._source(token):
                self.add(phrase, value)
            if len(seen) < _SEEN_LIMIT:
                seen.add(token)

    def find(self, tokens: Sequence[str]) -> list[tuple[int, int, object]]:
        """Non-overlapping (start, end, value) matches: at each position the longest phrase,
        positions covered by a match skipped."""
        if self._source is not None:
            self._load(tokens)
        root = self.root
        found: list[tuple[int, int, object]] = []
        n, covered = len(tokens), 0
        # Most tokens start no phrase: find the ones that can in one pass, walk only those.
        for i in [i for i, token in enumerate(tokens) if token in root]:
            if i < covered:
                continue
            node, end, value = root[tokens[i]], 0, None
            j = i + 1
            while True:
                if _END in node:
                    end, value = j, node[_END]
                if j >= n:
                    break
                node = node.get(tokens[j])
                if node is None:
                    break
                j += 1
            if end:
                found.append((i, end, value))
                covered = end
        return found
