"""A case-insensitive lookup lemmatizer over the cached slice of spacy-lookups-data's table."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.cache import load_knowledge


class LookupLemmatizer:
    """Sets token.lemma_ from the lemma table the knowledge base was compiled with.

    spaCy's own lookup lemmatizer is keyed on the exact text ("Networks" misses) and loads
    the whole English table at start-up; this one looks up spaCy's norm (lower case, "n't" as
    "not") in the slice of that table the graph's phrases need. Plural acronyms unknown to
    the table ("GPUs", "CNNs") fall back to their singular when the singular is a known word.
    """

    def __init__(self, lemmas: dict[str, str]):
        self.lemmas = lemmas
        self.known = set(lemmas.values())

    def lemma(self, norm: str) -> str:
        lemma = self.lemmas.get(norm)
        if lemma is not None:
            return lemma
        if len(norm) > 2 and norm.endswith("s") and norm[:-1] in self.known:
            return norm[:-1]
        return norm

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            token.lemma_ = self.lemma(token.norm_)
        return doc

    def add_known(self, words) -> None:
        """Words that count as known singulars for the plural fallback (pattern words)."""
        self.known.update(words)


@Language.factory("dlcheck_lemmatizer", default_config={"graph_files": []})
def make_lemmatizer(nlp: Language, name: str, graph_files: list[str]) -> LookupLemmatizer:
    from pathlib import Path

    kb = load_knowledge([Path(p) for p in graph_files] if graph_files else None)
    return LookupLemmatizer(kb.lemmas)
