"""Claim lookup: the graph's claim for a reading, exactly or up the taxonomy, and the
taxonomy's own answer to "X is a kind of Y"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from checker.reading import Reading
from checker.rules import STATES, claim_states
from kg.knowledge import CAN, DLC_NS, FALSE, PARTLY_TRUE, TRUE, Claim, Edge, KnowledgeBase

EXCLUDES = DLC_NS + "excludes"


@dataclass(frozen=True)
class Match:
    """A claim that decides the reading, and how the statement's concepts reach it."""

    claim: Claim | None  # None for a decision taken from the taxonomy alone
    status: str
    modality: str
    # "narrower" | "broader" | "other value" (another number): the statement's object
    # against the claim's; "reversed" | "contrary" | "narrower relation" | "broader
    # relation": the claim's relation against the statement's
    shift: str | None
    subject_path: tuple[Edge, ...]  # statement subject up to the claim's subject
    object_path: tuple[Edge, ...]  # between the statement's object and the claim's
    taxonomy: str | None = None  # for taxonomy decisions: "holds" | "inverted" | "excluded"


def find(kb: KnowledgeBase, reading: Reading) -> Match | None:
    """The most specific claim that decides the reading, or a taxonomy decision, or None.

    The strategies of `STRATEGIES` are tried in order: the exact (subject, relation,
    object); for copulas, taxonomy and identity statements, the taxonomy; the subject's
    broader concepts (a claim about deep learning speaks for CNNs); the reversed claim of an
    asymmetric relation; then, for upward-monotone relations, the object's broader and
    narrower concepts; a claim with a contrary relation; one with a relation that entails
    the statement's or that it entails; last, another value of a counted object.
    """
    if reading.subject is None or reading.object is None:
        return None
    relations = [(r, kb.relations.get(r)) for r in reading.candidates]
    for strategy in STRATEGIES:
        for match in strategy(kb, reading, relations):
            allowed = claim_states(match.status, match.modality, match.shift)
            if match.claim is None or allowed != STATES:
                return match  # a match that allows every state says nothing; look further
    return None


def _exact(kb: KnowledgeBase, reading: Reading, relations) -> Iterator[Match]:
    """The claim of the statement's own subject, relation and object (either way round
    for a symmetric relation: "A equals B" is decided by the claim that B equals A)."""
    s, o = reading.subject, reading.object
    for relation, rel in relations:
        pairs = [(s, o), (o, s)] if rel is not None and rel.symmetric else [(s, o)]
        for subject, obj in pairs:
            for iri in kb.claim_index.get((subject, relation, obj), ()):
                claim = kb.claims[iri]
                yield Match(claim, claim.status, claim.modality, None, (), ())


def _by_taxonomy(kb: KnowledgeBase, reading: Reading, relations) -> Iterator[Match]:
    """Copulas, taxonomy and identity statements the taxonomy decides: two names of one
    concept; "X is a Y"; "A is the same as B" (false when one is a kind of the other)."""
    s, o = reading.subject, reading.object
    live = [rel for _, rel in relations if rel is not None]
    if s == o and any(rel.copula for rel in live):
        yield Match(None, TRUE, "always", None, (), (), taxonomy="same")
    elif any(rel.taxonomic for rel in live):
        match = _taxonomy(kb, s, o)
        # Exclusion refutes a kind, not a part: "the objective can include a penalty term"
        # may say what it is made of, and a phrase that also names a part relation decides
        # nothing by exclusion.
        if match is not None and (match.taxonomy != "excluded" or _only_taxonomic(live)):
            yield match
    elif any(rel.identity for rel in live):
        match = _taxonomy(kb, s, o)
        if match is not None and match.taxonomy != "excluded":
            # A narrower or broader concept is a different one: "deep learning is the same as
            # machine learning" is false because one is a kind of the other.
            match = Match(None, FALSE, "can", None, match.subject_path, (), taxonomy="distinct")
        if match is not None:
            yield match


def _only_taxonomic(relations) -> bool:
    """Whether the statement's phrase names kinds only: a relation a statement may leave
    unsaid ("LLMs hallucinate") is a candidate of any phrase and does not count."""
    return all(rel.copula or rel.implied for rel in relations)


def _broader_subject(kb: KnowledgeBase, reading: Reading, relations) -> Iterator[Match]:
    """A claim about a broader subject speaks for the statement's narrower one, unless it is
    partly true: what holds of some kinds of a thing and not of others says nothing of one
    kind ("positional encodings are learned" in part says nothing of sinusoidal ones)."""
    o = reading.object
    for relation, _ in relations:
        for subject, path in kb.ancestors.get(reading.subject, {}).items():
            for iri in kb.claim_index.get((subject, relation, o), ()):
                claim = kb.claims[iri]
                if _speaks_for(claim, path):
                    yield Match(claim, claim.status, claim.modality, None, path, ())


def _speaks_for(claim: Claim, subject_path: tuple) -> bool:
    """Whether a claim decides the statement's subject from where it stands: always about
    the claim's own subject; about a narrower one unless the claim is only partly true."""
    return not (subject_path and claim.status == PARTLY_TRUE)


def _reversed(kb: KnowledgeBase, reading: Reading, relations) -> Iterator[Match]:
    """ "CPUs are faster than GPUs" is decided by the claim that GPUs are faster than CPUs."""
    s, o = reading.subject, reading.object
    for relation, rel in relations:
        if rel is None or not rel.asymmetric:
            continue
        for subject, path in [(o, ()), *list(kb.ancestors.get(o, {}).items())]:
            for iri in kb.claim_index.get((subject, relation, s), ()):
                claim = kb.claims[iri]
                yield Match(claim, claim.status, claim.modality, "reversed", path, ())


def _other_object(kb: KnowledgeBase, reading: Reading, relations) -> Iterator[Match]:
    """For upward-monotone relations, a claim about a broader or narrower object: requiring
    GPUs is requiring specialized hardware."""
    s, o = reading.subject, reading.object
    subjects = [(s, ()), *list(kb.ancestors.get(s, {}).items())]
    for relation, rel in relations:
        if rel is None or not rel.upward:
            continue
        for subject, path in subjects:
            for broader, up in kb.ancestors.get(o, {}).items():
                for iri in kb.claim_index.get((subject, relation, broader), ()):
                    claim = kb.claims[iri]
                    if _speaks_for(claim, path):
                        yield Match(claim, claim.status, claim.modality, "narrower", path, up)
            # The subject's claims of objects narrower than the statement's (compiled).
            for co, iri in kb.claims_by_broader_object.get((subject, relation, o), ()):
                claim = kb.claims[iri]
                down = kb.ancestors[co][o]
                if _speaks_for(claim, path):
                    yield Match(claim, claim.status, claim.modality, "broader", path, down)


def _contrary(kb: KnowledgeBase, reading: Reading, relations) -> Iterator[Match]:
    """ "Weight decay increases overfitting" is decided by the claim that it reduces
    overfitting: the two relations cannot both hold (dlc:contraryTo). Only a true claim
    speaks: that a thing does not reduce overfitting says nothing of whether it increases it."""
    o = reading.object
    subjects = [(reading.subject, ()), *list(kb.ancestors.get(reading.subject, {}).items())]
    for _, rel in relations:
        for contrary in rel.contrary if rel is not None else ():
            for subject, path in subjects:
                for iri in kb.claim_index.get((subject, contrary, o), ()):
                    claim = kb.claims[iri]
                    if claim.status == TRUE:
                        yield Match(claim, claim.status, claim.modality, "contrary", path, ())


def _entailing_relation(kb: KnowledgeBase, reading: Reading, relations) -> Iterator[Match]:
    """A claim of a relation that entails the statement's (rdfs:subPropertyOf: what
    prevents overfitting reduces it) says the statement holds at least as often; one of a
    relation the statement's entails says it holds at most as often (what does not use Y
    does not require it). Only the claim's own subject, or one it speaks for."""
    o = reading.object
    subjects = [(reading.subject, ()), *list(kb.ancestors.get(reading.subject, {}).items())]
    for _, rel in relations:
        if rel is None:
            continue
        others = [(r, "narrower relation") for r in rel.narrower]
        others += [(r, "broader relation") for r in rel.broader]
        for other, shift in others:
            for subject, path in subjects:
                for iri in kb.claim_index.get((subject, other, o), ()):
                    claim = kb.claims[iri]
                    if _speaks_for(claim, path):
                        yield Match(claim, claim.status, claim.modality, shift, path, ())


def _other_value(kb: KnowledgeBase, reading: Reading, relations) -> Iterator[Match]:
    """ "BERT-base has 24 layers" is decided by the claim that it has 12: a true claim about
    the subject whose object reads the same but for its number ("introduced in 2017" against
    "in 2015") says a value the statement's contradicts. Not for bounds ("at least 3",
    "more than 100"): a bound holds of many values."""
    shape = _value_shape(kb, reading.object)
    if shape is None:
        return
    for relation, _ in relations:
        for obj, iri in kb.claims_by_subject.get((reading.subject, relation), ()):
            claim = kb.claims[iri]
            if (
                obj != reading.object
                and claim.status == TRUE
                and claim.modality != CAN  # "can be 0.5" leaves room for 0.2
                and _value_shape(kb, obj) == shape
            ):
                yield Match(claim, claim.status, claim.modality, "other value", (), ())


_NUMBER = re.compile(
    r"\b(\d+(?:[.,]\d+)*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b"
)
_BOUND = re.compile(
    r"\b(at least|at most|more|less|fewer|over|under|up to|about|around|roughly|nearly|"
    r"above|below|than|between|to|or)\b"
)


def _value_shape(kb: KnowledgeBase, concept: str | None) -> str | None:
    """A concept's label with its one number taken out ("# layers"), or None when the label
    has no number, several, or a word that makes it a bound or a range."""
    known = kb.concepts.get(concept) if concept else None
    if known is None:
        return None
    label = known.label.lower()
    if len(_NUMBER.findall(label)) != 1 or _BOUND.search(label):
        return None
    return _NUMBER.sub("#", label)


# The claim lookup's strategies, most specific first.
STRATEGIES = (
    _exact,
    _by_taxonomy,
    _broader_subject,
    _reversed,
    _other_object,
    _contrary,
    _entailing_relation,
    _other_value,
)


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
