"""Claim lookup: the graph's claim for a reading, exactly or up the taxonomy, and the
taxonomy's own answer to "X is a kind of Y"."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from checker.reading import Reading
from checker.rules import STATES, claim_states
from kg.knowledge import DLC_NS, FALSE, PARTLY_TRUE, TRUE, Claim, Edge, KnowledgeBase

IS_A = DLC_NS + "isA"
SAME = DLC_NS + "equivalentTo"
# Copula relations: "X is Y" with X and Y two names of one concept is true by the labels.
COPULAS = (IS_A, DLC_NS + "hasProperty", SAME)
EXCLUDES = DLC_NS + "excludes"


@dataclass(frozen=True)
class Match:
    """A claim that decides the reading, and how the statement's concepts reach it."""

    claim: Claim | None  # None for a decision taken from the taxonomy alone
    status: str
    modality: str
    shift: str | None  # "narrower" | "broader": the statement's object against the claim's
    subject_path: tuple[Edge, ...]  # statement subject up to the claim's subject
    object_path: tuple[Edge, ...]  # between the statement's object and the claim's
    taxonomy: str | None = None  # for taxonomy decisions: "holds" | "inverted" | "excluded"


def find(kb: KnowledgeBase, reading: Reading) -> Match | None:
    """The most specific claim that decides the reading, or a taxonomy decision, or None.

    Order: the exact (subject, relation, object); for taxonomy statements, skos:broader;
    the subject's broader concepts (a claim about deep learning speaks for CNNs); the
    reversed claim of an asymmetric relation; then, for upward-monotone relations, the
    object's broader and narrower concepts.
    """
    for match in _candidates(kb, reading):
        if match.claim is None or claim_states(match.status, match.modality, match.shift) != STATES:
            return match  # a match that allows every state says nothing; look further
    return None


def _candidates(kb: KnowledgeBase, reading: Reading) -> Iterator[Match]:
    s, o = reading.subject, reading.object
    if s is None or o is None:
        return
    for relation in reading.candidates:
        pairs = [(s, o)]
        rel = kb.relations.get(relation)
        if rel is not None and rel.symmetric:
            pairs.append((o, s))  # "A equals B" is decided by the claim that B equals A
        for subject, obj in pairs:
            for iri in kb.claim_index.get((subject, relation, obj), ()):
                claim = kb.claims[iri]
                yield Match(claim, claim.status, claim.modality, None, (), ())
    if s == o and any(r in COPULAS for r in reading.candidates):
        yield Match(None, TRUE, "always", None, (), (), taxonomy="same")
    elif IS_A in reading.candidates:
        match = _taxonomy(kb, s, o)
        if match is not None:
            yield match
    elif SAME in reading.candidates:
        match = _taxonomy(kb, s, o)
        if match is not None and match.taxonomy != "excluded":
            # A narrower or broader concept is a different one: "deep learning is the same as
            # machine learning" is false because one is a kind of the other.
            match = Match(None, FALSE, "can", None, match.subject_path, (), taxonomy="distinct")
        if match is not None:
            yield match
    subjects = [(s, ()), *list(kb.ancestors.get(s, {}).items())]
    for relation in reading.candidates:
        for subject, path in subjects[1:]:
            for iri in kb.claim_index.get((subject, relation, o), ()):
                claim = kb.claims[iri]
                yield Match(claim, claim.status, claim.modality, None, path, ())
    for relation in reading.candidates:
        rel = kb.relations.get(relation)
        if rel is None or not rel.asymmetric:
            continue
        # "CPUs are faster than GPUs" is decided by the claim that GPUs are faster than CPUs.
        for subject, path in [(o, ()), *list(kb.ancestors.get(o, {}).items())]:
            for iri in kb.claim_index.get((subject, relation, s), ()):
                claim = kb.claims[iri]
                yield Match(claim, claim.status, claim.modality, "reversed", path, ())
    for relation in reading.candidates:
        rel = kb.relations.get(relation)
        if rel is None or not rel.upward:
            continue
        for subject, path in subjects:
            for broader, up in kb.ancestors.get(o, {}).items():
                for iri in kb.claim_index.get((subject, relation, broader), ()):
                    claim = kb.claims[iri]
                    yield Match(claim, claim.status, claim.modality, "narrower", path, up)
            for co, iri in kb.claims_by_subject.get((subject, relation), ()):
                if o in kb.ancestors.get(co, {}):
                    claim = kb.claims[iri]
                    down = kb.ancestors[co][o]
                    yield Match(claim, claim.status, claim.modality, "broader", path, down)


def _taxonomy(kb: KnowledgeBase, s: str, o: str) -> Match | None:
    up = kb.ancestors.get(s, {})
    if o in up:
        return Match(None, TRUE, "always", None, up[o], (), taxonomy="holds")
    down = kb.ancestors.get(o, {})
    if s in down:  # the reverse holds: only some of s is o
        return Match(None, PARTLY_TRUE, "always", None, down[s], (), taxonomy="inverted")
    pair = kb.excluded(s, o)
    if pair is not None:
        a, b = pair
        source = kb.concepts[a].source if a in kb.concepts else None
        exclusion = Edge(
            a, EXCLUDES, b, f"{kb.label(a)} and {kb.label(b)} exclude each other", source
        )
        edges = [*up.get(a, ()), exclusion, *reversed(down.get(b, ()))]
        return Match(None, FALSE, "can", None, tuple(edges), (), taxonomy="excluded")
    return None
