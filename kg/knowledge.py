"""The compiled knowledge base: what the checker needs from the graph, as plain frozen values.

It is built once per graph content (kg/compile.py) and cached (kg/cache.py); this module
imports neither rdflib nor networkx, so the check path starts fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ontology.names import local_name

# Truth statuses and modalities, by their local names in the ontology.
TRUE, FALSE, PARTLY_TRUE = "true", "false", "partly_true"
ALWAYS, GENERALLY, CAN = "always", "generally", "can"

# Predicates used in justification edges.
DLC_NS = "https://w3id.org/dlcheck/ontology#"
SKOS_BROADER = "http://www.w3.org/2004/02/skos/core#broader"
SKOS_DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"


@dataclass(frozen=True)
class Concept:
    iri: str
    label: str  # skos:prefLabel
    labels: tuple[str, ...]  # every label the matcher recognises (pref, alt, hidden)
    broader: tuple[str, ...]
    excludes: tuple[str, ...]
    source: str | None  # where the concept and its place in the taxonomy come from
    definition: str | None = None  # skos:definition, in one sentence


@dataclass(frozen=True)
class Relation:
    iri: str
    label: str
    labels: tuple[str, ...]  # subject first: "X requires Y"
    inverse_labels: tuple[str, ...]  # object first: "Y is required for X"
    negative_labels: tuple[str, ...]  # negated: "X works without Y"
    upward: bool  # truth carries from a narrower object to a broader one
    asymmetric: bool = False  # "A outperforms B" excludes "B outperforms A"
    exclusive_variant: str | None = None  # "only B can use A": usableBy becomes restrictedTo
    symmetric: bool = False  # "A and B are the same": either way round
    implied: bool = False  # may go unsaid: "LLMs hallucinate" (dlc:impliedByAdjacency)
    disjoint_objects: bool = False  # excluded objects cannot both hold (dlc:disjointObjects)
    attribution: bool = False  # plain "X is Y", the weakest reading (dlc:attribution)
    taxonomic: bool = False  # decided by the taxonomy too: "X is a Y" (dlc:taxonomic)
    identity: bool = False  # two names of one concept: "X is the same as Y" (dlc:identity)

    @property
    def copula(self) -> bool:
        """ "X is Y" with X and Y two names of one concept is true by the labels."""
        return self.attribution or self.taxonomic or self.identity

    close: tuple[str, ...] = ()  # relations whose claims also decide it (dlc:closeTo)
    contrary: tuple[str, ...] = ()  # relations that cannot hold alongside it (dlc:contraryTo)
    # rdfs:subPropertyOf: the relations it entails ("prevents" entails "reduces"), and those
    # that entail it.
    broader: tuple[str, ...] = ()
    narrower: tuple[str, ...] = ()
    frames: tuple[str, ...] = ()  # phrases with a gap: "makes {object} possible"


@dataclass(frozen=True)
class Source:
    iri: str
    label: str
    section: str | None
    publication: str | None  # IRI of the publication a section belongs to
    title: str | None
    creator: str | None
    date: str | None


@dataclass(frozen=True)
class Claim:
    iri: str
    label: str
    subject: str
    relation: str
    object: str
    modality: str  # ALWAYS | GENERALLY | CAN
    status: str  # TRUE | FALSE | PARTLY_TRUE
    condition: str | None
    comment: str | None
    sources: tuple[str, ...]
    corrected_by: tuple[str, ...]
    refuted_by: tuple[str, ...]
    supported_by: tuple[str, ...]
    evidence: tuple[tuple[str, str], ...]  # (predicate IRI, claim IRI), best first (networkx)
    paraphrases: tuple[str, ...] = ()  # the claim in everyday words (dlc:paraphrase)
    # Every rdfs:label, sorted: one per language, but a graph being edited may hold two, and
    # `label` is one of them (kg diff compares them all).
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edge:
    """One step of a justification path: a triple of the graph, a sentence, and its source."""

    subject: str
    predicate: str
    object: str
    label: str
    source: str | None

    def as_dict(self) -> dict:
        return {
            "subject": self.subject,
            "predicate": self.predicate,
            "object": self.object,
            "label": self.label,
            "source": self.source,
        }


@dataclass(frozen=True)
class KnowledgeBase:
    concepts: dict[str, Concept]
    relations: dict[str, Relation]
    claims: dict[str, Claim]
    sources: dict[str, Source]
    # (subject, relation, object) -> claim IRIs
    claim_index: dict[tuple[str, str, str], tuple[str, ...]]
    # (subject, relation) -> ((object, claim IRI), ...): the claims a subject makes
    claims_by_subject: dict[tuple[str, str], tuple[tuple[str, str], ...]]
    # (subject, relation, broader object) -> ((object, claim IRI), ...): a subject's claims
    # of an upward-monotone relation about objects narrower than the key's (kg/compile.py)
    claims_by_broader_object: dict[tuple[str, str, str], tuple[tuple[str, str], ...]]
    # concept -> {ancestor: broader-edges from the concept up to it}, nearest ancestors first
    ancestors: dict[str, dict[str, tuple[Edge, ...]]]
    # claim -> up to 3 evidence chains (edges from the claim out to its evidence)
    evidence_paths: dict[str, tuple[tuple[Edge, ...], ...]]
    content_hash: str = ""

    def label(self, iri: str) -> str:
        """A human label for any IRI the knowledge base knows, else its last segment."""
        for table in (self.concepts, self.relations, self.claims, self.sources):
            item = table.get(iri)
            if item is not None:
                return item.label
        return local_name(iri)

    def excluded(self, a: str, b: str) -> tuple[str, str] | None:
        """A pair of disjoint concepts among a, b and their ancestors, if the graph has one."""
        left = [a, *self.ancestors.get(a, {})]
        right = set([b, *self.ancestors.get(b, {})])
        for x in left:
            for y in self.concepts[x].excludes if x in self.concepts else ():
                if y in right:
                    return (x, y)
        return None


def ancestor_paths(row: list) -> dict[str, tuple[Edge, ...]]:
    """A concept's ancestors, each with the broader-edges from the concept up to it, nearest
    first, from the row the compile writes (kg/compile.py `_ancestor_paths`): the concept
    and then each ancestor as [IRI, label, source, the position of the one below it]. Each
    path is the one below it plus a step, so the row holds each name once, not once per
    path through it."""
    paths: list[tuple[Edge, ...]] = [()]
    result: dict[str, tuple[Edge, ...]] = {}
    for iri, label, _, below in row[1:]:
        narrower, narrower_label, source, _ = row[below]
        step = Edge(
            subject=narrower,
            predicate=SKOS_BROADER,
            object=iri,
            label=f"{narrower_label} is a kind of {label}",
            source=source,
        )
        paths.append((*paths[below], step))
        result[iri] = paths[-1]
    return result


def frame_parts(frame: str) -> tuple[str, str, str]:
    """("makes", "object", "possible") for "makes {object} possible", ("train", "subject",
    "on") for "train {subject} on {object}": the words before the gap, which end of the claim
    fills it, and the words after it."""
    match = re.fullmatch(r"\s*([^{}]+?)\s*\{object\}\s*([^{}]+?)\s*", frame) or re.fullmatch(
        r"\s*([^{}]+?)\s*\{subject\}\s*([^{}]+?)\s*\{object\}\s*", frame
    )
    if match is None:
        raise ValueError(
            f"a frame label is 'words {{object}} words' or 'words {{subject}} words {{object}}',"
            f" not {frame!r}"
        )
    head, tail = match.groups()
    return head, "object" if frame.count("{") == 1 else "subject", tail
