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

    def __init__(
        self, source: Source | None = None, gaps: frozenset = frozenset(), after=frozenset()
    ) -> None:
        self.root: dict = {}
        self._source = source
        # Tokens a phrase may read past inside it, right after one of `after`, when it has
        # no such token there itself ("derivative of the ReLU" is "derivative of ReLU"; a
        # verb's object is not: "pre-train a model" is no "pre-trained model").
        self._gaps, self._after = gaps, after
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
        root, gaps, after = self.root, self._gaps, self._after
        found: list[tuple[int, int, object]] = []
        n, covered = len(tokens), 0
        # Most tokens start no phrase: find the ones that can in one pass, walk only those.
        for i in [i for i, token in enumerate(tokens) if token in root]:
            if i < covered:
                continue
            end, value, gapped = 0, None, False
            # (node, next token, read past a gap word?): a label may go on with the gap word
            # itself ("derivative of the loss") or past it ("derivative of [the] ReLU").
            paths = [(root[tokens[i]], i + 1, False)]
            while paths:
                node, j, past = paths.pop()
                if _END in node and (j > end or (j == end and gapped and not past)):
                    end, value, gapped = j, node[_END], past
                if j >= n:
                    continue
                step = node.get(tokens[j])
                if step is not None:
                    paths.append((step, j + 1, past))
                if tokens[j] in gaps and j + 1 < n and tokens[j - 1] in after:
                    step = node.get(tokens[j + 1])
                    if step is not None:
                        paths.append((step, j + 2, True))
            if end:
                found.append((i, end, value))
                covered = end
        return found
