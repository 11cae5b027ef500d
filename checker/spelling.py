"""Typos: a word one or two edits away from a word of the graph's labels is read as that word.

Only words that are no English word themselves are corrected ("later" is never read as
"layer"), only when one label word is that close, and only words of five letters or more;
the allowed distance grows with the word (1 edit up to eight letters, 2 beyond). Deletion
neighbourhoods (SymSpell) find the candidates without comparing against every label word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[a-z]+")
_SHORTEST = 5


def budget(word: str) -> int:
    """How many edits a word of this length may carry and still be recognised."""
    return 1 if len(word) <= 8 else 2


class Speller:
    """Label words, their deletion neighbourhoods, and the English words near them."""

    def __init__(self, vocabulary: Iterable[str], english: Iterable[str]):
        self.vocabulary = frozenset(w for w in vocabulary if len(w) >= _SHORTEST)
        self.deletes: dict[str, set[str]] = {}
        for word in self.vocabulary:
            for variant in deletions(word, budget(word)):
                self.deletes.setdefault(variant, set()).add(word)
        # English words within reach of a label word: correct as they are, never corrected.
        self.english = frozenset(w for w in english if self.near(w))
        self._seen: dict[str, str | None] = {}  # word -> its correction, as worked out

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_seen": {}}

    def near(self, word: str) -> bool:
        return any(v in self.deletes for v in deletions(word, budget(word)))

    def correct(self, word: str) -> str | None:
        """The label word `word` is a typo of (the one closest, if one is), or None."""
        word = word.lower()
        if word not in self._seen:
            if len(self._seen) >= 100_000:
                self._seen.clear()
            self._seen[word] = self._correct(word)
        return self._seen[word]

    def _correct(self, word: str) -> str | None:
        if (
            len(word) < _SHORTEST
            or not word.isalpha()
            or word in self.vocabulary
            or word in self.english
        ):
            return None
        limit = budget(word)
        found: dict[str, int] = {}
        for variant in deletions(word, limit):
            for candidate in self.deletes.get(variant, ()):
                if candidate not in found:
                    found[candidate] = distance(word, candidate)
        near = [(d, c) for c, d in found.items() if d <= min(limit, budget(c))]
        if not near:
            return None
        best = min(d for d, _ in near)
        closest = [c for d, c in near if d == best]
        return closest[0] if len(closest) == 1 else None


def vocabulary_of(labels: Iterable[str]) -> set[str]:
    """The lower-case words of some labels."""
    return {w for label in labels for w in _WORD.findall(label.lower())}


def deletions(word: str, depth: int) -> set[str]:
    """The word and every string made from it by deleting up to `depth` letters."""
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def distance(a: str, b: str) -> int:
    """Edit distance with transpositions (optimal string alignment)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def english_words() -> set[str]:
    """The English words spaCy's lookup tables know (forms and lemmas), lower case."""
    import spacy_lookups_data
    import srsly

    table = srsly.read_gzip_json(str(spacy_lookups_data.en["lemma_lookup"]) + ".gz")
    return {w.lower() for pair in table.items() for w in pair if w.isalpha()}
