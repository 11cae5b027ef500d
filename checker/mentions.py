"""The concept and relation matcher: patterns come from the graph's SKOS labels and the
ontology's relation phrases, matched on lemmas and read past transparent cue words."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.cache import load_knowledge
from kg.knowledge import KnowledgeBase

FORWARD, INVERSE, NEGATIVE = "forward", "inverse", "negative"

if not Doc.has_extension("mentions"):
    Doc.set_extension("mentions", default=())


@dataclass(frozen=True)
class Mention:
    """A concept or relation phrase found in the statement (token offsets in the doc)."""

    kind: str  # "concept" | "relation"
    start: int
    end: int
    text: str
    # concept: ((concept IRI, ""),); relation: ((relation IRI, FORWARD|INVERSE|NEGATIVE), ...)
    targets: tuple[tuple[str, str], ...]


class MentionMatcher:
    """Sets doc._.mentions. One PhraseMatcher holds every concept and relation phrase; a
    phrase that names several things (e.g. "is a": taxonomy or plain attribution) keeps all
    of them and the claim lookup decides."""

    def __init__(self, nlp: Language, kb: KnowledgeBase):
        self.kb = kb
        self.matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.targets: dict[str, list[tuple[str, str]]] = {}
        self.kinds: dict[str, str] = {}
        preceding = [proc for _, proc in nlp.pipeline]
        phrases: list[tuple[str, str, str, str]] = []  # (phrase, kind, iri, direction)
        for concept in kb.concepts.values():
            phrases += [(label, "concept", concept.iri, "") for label in concept.labels]
        for relation in kb.relations.values():
            phrases += [(p, "relation", relation.iri, FORWARD) for p in relation.labels]
            phrases += [(p, "relation", relation.iri, INVERSE) for p in relation.inverse_labels]
            phrases += [(p, "relation", relation.iri, NEGATIVE) for p in relation.negative_labels]
        lemmatizer = (
            nlp.get_pipe("dlcheck_lemmatizer") if "dlcheck_lemmatizer" in nlp.pipe_names else None
        )
        if lemmatizer is not None:
            lemmatizer.add_known(w.lower() for p, *_ in phrases for w in p.split())
        patterns: dict[str, list[Doc]] = {}
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for phrase, kind, iri, direction in phrases:
            doc = nlp.make_doc(phrase)
            for proc in preceding:
                doc = proc(doc)
            core = _core(doc)
            if len(core) == 0:
                continue  # the phrase is nothing but cue words
            key = " ".join(t.lemma_ for t in core)
            if (key, (iri, direction)) in seen:
                continue
            seen.add((key, (iri, direction)))
            self.targets.setdefault(key, []).append((iri, direction))
            self.kinds[key] = kind if self.kinds.get(key, kind) == kind else "mixed"
            patterns.setdefault(key, []).append(core)
        for key, docs in patterns.items():
            self.matcher.add(key, docs[:1])

    def __call__(self, doc: Doc) -> Doc:
        core = _core(doc)
        kept = [t.i for t in doc if t.i not in doc._.transparent]
        spans = []
        for match_id, start, end in self.matcher(core):
            key = doc.vocab.strings[match_id]
            spans.append((Span(core, start, end, label=match_id), key))
        by_bounds = {(s.start, s.end): k for s, k in spans}
        mentions = []
        for span in filter_spans([s for s, _ in spans]):
            key = by_bounds[(span.start, span.end)]
            start, end = kept[span.start], kept[span.end - 1] + 1
            targets = tuple(self.targets[key])
            kind = "relation" if any(d for _, d in targets) else "concept"
            if kind == "relation" and any(not d for _, d in targets):
                # A phrase that is both a concept and a relation label reads as the relation
                # only between two concepts; the reader decides, so keep both readings.
                kind = "relation"
            mentions.append(Mention(kind, start, end, doc[start:end].text, targets))
        doc._.mentions = tuple(mentions)
        return doc


def _core(doc: Doc) -> Doc:
    """The statement without its transparent cue words, keeping lemmas."""
    skip = doc._.transparent
    if not skip:
        return doc
    words = [t.text for t in doc if t.i not in skip]
    if not words:
        return Doc(doc.vocab, words=[])
    lemmas = [t.lemma_ for t in doc if t.i not in skip]
    spaces = [bool(t.whitespace_) for t in doc if t.i not in skip]
    return Doc(doc.vocab, words=words, spaces=spaces, lemmas=lemmas)


@Language.factory("dlcheck_mentions", default_config={"graph_files": []})
def make_mention_matcher(nlp: Language, name: str, graph_files: list[str]) -> MentionMatcher:
    kb = load_knowledge([Path(p) for p in graph_files] if graph_files else None)
    return MentionMatcher(nlp, kb)
