"""A case-insensitive lookup lemmatizer over the cached slice of spacy-lookups-data's table."""

from __future__ import annotations

from collections.abc import Iterable

import numpy
from spacy.attrs import LEMMA, NORM
from spacy.language import Language
from spacy.strings import StringStore
from spacy.tokens import Doc

from kg.cache import load_knowledge


class LookupLemmatizer:
    """Sets token.lemma_ from the lemma table the knowledge base was compiled with.

    spaCy's own lookup lemmatizer is keyed on the exact text ("Networks" misses) and loads the
    whole English table at start-up; this one looks up spaCy's norm (lower case, "n't" as
    "not") in the slice of that table the graph's phrases need. Plural acronyms unknown to the
    table ("GPUs", "CNNs") fall back to their singular when the singular is a pattern word.
    The table is kept as string hashes so a statement is lemmatised without Token objects.
    """

    def __init__(self, strings: StringStore, lemmas: dict[str, str]):
        self.strings = strings
        self.lemmas = lemmas
        self.known = set(lemmas.values())
        self._by_hash: dict[int, int] = {}
        self._rebuild()

    def lemma(self, norm: str) -> str:
        return self.strings[self._by_hash.get(self.strings.add(norm), self.strings[norm])]

    def add_known(self, words: Iterable[str]) -> None:
        """Words that count as known singulars for the plural fallback (pattern words)."""
        self.known.update(words)
        self._rebuild()

    def _rebuild(self) -> None:
        add = self.strings.add
        table = {add(form): add(lemma) for form, lemma in self.lemmas.items()}
        for word in self.known:
            plural = add(word + "s")
            if plural not in table and len(word) > 1:
                table[plural] = add(word)
        self._by_hash = table

    def lemma_hash(self, norm: int) -> int:
        """The lemma of a token with the NORM hash `norm`, as a hash."""
        return self._by_hash.get(norm, norm)

    def lemmatize(self, norms: list[int]) -> list[int]:
        """The lemma hashes of tokens with the NORM hashes `norms`."""
        get = self._by_hash.get
        return [get(h, h) for h in norms]

    def __call__(self, doc: Doc) -> Doc:
        if len(doc):
            lemmas = numpy.array(self.lemmatize(doc.to_array(NORM).tolist()), dtype="uint64")
            doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc


@Language.factory("dlcheck_lemmatizer", default_config={"graph_files": []})
def make_lemmatizer(nlp: Language, name: str, graph_files: list[str]) -> LookupLemmatizer:
    from pathlib import Path

    kb = load_knowledge([Path(p) for p in graph_files] if graph_files else None)
    return LookupLemmatizer(nlp.vocab.strings, kb.lemmas)
