"""The concept and relation matcher: patterns come from the graph's SKOS labels and the
ontology's relation phrases, matched on lemmas and read past transparent cue words."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from spacy.attrs import IDX, IS_SPACE, LEMMA, LENGTH
from spacy.language import Language
from spacy.tokens import Doc

from checker.phrases import PhraseTrie
from kg.cache import cached, load_knowledge
from kg.knowledge import KnowledgeBase

FORWARD, INVERSE, NEGATIVE = "forward", "inverse", "negative"
MATCHER_VERSION = "1"  # bump when the way phrases are read changes

if not Doc.has_extension("mentions"):
    Doc.set_extension("mentions", default=())


@dataclass(frozen=True)
class Mention:
    """A concept or relation phrase found in the statement (token offsets in the doc)."""

    kind: str  # "concept" | "relation"
    start: int
    end: int
    start_char: int
    end_char: int
    # concept: ((concept IRI, ""),); relation: ((relation IRI, FORWARD|INVERSE|NEGATIVE), ...)
    targets: tuple[tuple[str, str], ...]


class MentionMatcher:
    """Sets doc._.mentions. One trie holds every concept and relation phrase, by lemmas; a
    phrase that names several things (e.g. "is a": taxonomy or plain attribution) keeps all
    of them and the claim lookup decides."""

    def __init__(self, nlp: Language, kb: KnowledgeBase):
        self.kb = kb
        self.trie = PhraseTrie()
        phrases: list[tuple[str, str, str]] = []  # (phrase, target IRI, direction)
        for concept in kb.concepts.values():
            phrases += [(label, concept.iri, "") for label in concept.labels]
        for relation in kb.relations.values():
            phrases += [(p, relation.iri, FORWARD) for p in relation.labels]
            phrases += [(p, relation.iri, INVERSE) for p in relation.inverse_labels]
            phrases += [(p, relation.iri, NEGATIVE) for p in relation.negative_labels]
        if "dlcheck_lemmatizer" in nlp.pipe_names:
            lemmatizer = nlp.get_pipe("dlcheck_lemmatizer")
            lemmatizer.add_known(w.lower() for p, *_ in phrases for w in p.split())
        # Reading ~5,000 phrases through the pipeline costs a third of a second; the result
        # depends only on the graph and the cue rules, so it is cached with them.
        cues = nlp.get_pipe("dlcheck_cues").rules if "dlcheck_cues" in nlp.pipe_names else ()
        fingerprint = hashlib.sha256(
            f"{MATCHER_VERSION}|{kb.content_hash}|{cues!r}".encode()
        ).hexdigest()
        build = partial(_read_phrases, nlp, phrases)
        table = cached("phrases", fingerprint, build, dict) if kb.content_hash else build()
        add = nlp.vocab.strings.add
        for lemmas, targets in table.items():
            self.trie.add([add(lemma) for lemma in lemmas], targets)
        self.patterns = table

    def __call__(self, doc: Doc) -> Doc:
        underscore = doc._
        lemmas, kept = lemmas_read(doc, underscore.transparent)
        found = self.trie.find(lemmas)
        if not found:
            underscore.mentions = ()
            return doc
        offsets = doc.to_array([IDX, LENGTH]).tolist()
        mentions = []
        for start, end, targets in found:
            first, last = kept[start], kept[end - 1]
            start_char = offsets[first][0]
            end_char = offsets[last][0] + offsets[last][1]
            kind = "relation" if any(d for _, d in targets) else "concept"
            mentions.append(Mention(kind, first, last + 1, start_char, end_char, targets))
        underscore.mentions = tuple(mentions)
        return doc


def _read_phrases(
    nlp: Language, phrases: list[tuple[str, str, str]]
) -> dict[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Each phrase as the lemmas the matcher reads, with every target it names."""
    preceding = [proc for name, proc in nlp.pipeline if name != "dlcheck_mentions"]
    strings = nlp.vocab.strings
    table: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}
    for phrase, iri, direction in phrases:
        doc = nlp.make_doc(phrase)
        for proc in preceding:
            doc = proc(doc)
        key = tuple(strings[h] for h in lemmas_read(doc)[0])
        if key and (iri, direction) not in table.get(key, ()):
            table[key] = (*table.get(key, ()), (iri, direction))  # empty: only cue words
    return table


def lemmas_read(doc: Doc, skip: frozenset[int] | None = None) -> tuple[list[int], list[int]]:
    """The lemma hashes the matcher reads (transparent cue words left out) and, for each, the
    index of its token in `doc`. Arrays, not Token objects: this runs for every statement."""
    if skip is None:
        skip = doc._.transparent
    rows = doc.to_array([LEMMA, IS_SPACE]).tolist()
    # Runs of spaces become whitespace tokens; a phrase reads across them.
    kept = [i for i, (_, space) in enumerate(rows) if not space and i not in skip]
    if len(kept) == len(rows):
        return [lemma for lemma, _ in rows], kept
    return [rows[i][0] for i in kept], kept


@Language.factory("dlcheck_mentions", default_config={"graph_files": []})
def make_mention_matcher(nlp: Language, name: str, graph_files: list[str]) -> MentionMatcher:
    kb = load_knowledge([Path(p) for p in graph_files] if graph_files else None)
    return MentionMatcher(nlp, kb)
