"""What the browse pages show: topics, claims, concepts and sources, with their links.

A worker builds it from its compiled knowledge base and its graph (topics are not in the
knowledge base) and sends it as JSON; the web process keeps it, so browsing costs a
dictionary look-up, not a query. Building takes one to two seconds, so the JSON is kept in
dlcheck's cache (kg.cache) under the graph's content hash and this module's code: a server
started again on the same graph reads it instead. The server asks for it as it starts
(web/server.py), so the first page does not wait for it either.

Page URLs come from IRIs: everything under the graph's namespace
(`https://w3id.org/dlcheck/kg/claim/x`) is served at the same path (`/claim/x`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from kg.knowledge import KnowledgeBase
from ontology.names import local_name
from web.endpoint import JSON, Answer

KG_NAMESPACE = "https://w3id.org/dlcheck/kg/"
KINDS = ("claim", "concept", "topic", "source")
_TOPICS = """
PREFIX dlc: <https://w3id.org/dlcheck/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?topic ?label ?claim WHERE {
  ?topic a dlc:Topic .
  OPTIONAL { ?topic skos:prefLabel|rdfs:label ?label }
  OPTIONAL { ?claim dlc:topic ?topic }
}
"""


def page_path(iri: str) -> str | None:
    """The page of an IRI of the graph (`/concept/tpu`), or None for IRIs it does not own."""
    if not iri.startswith(KG_NAMESPACE):
        return None
    rest = iri[len(KG_NAMESPACE) :]
    kind, _, name = rest.partition("/")
    return f"/{kind}/{name}" if kind in KINDS and name else None


def answer_catalogue(kb: KnowledgeBase, dataset) -> Answer:
    """The catalogue as JSON, in a worker: from the cache, or built and cached."""
    from kg.cache import cached, code_fingerprint

    if not kb.content_hash:  # a knowledge base compiled outside the cache: nothing to key on
        return Answer(200, JSON, build_catalogue(kb, dataset))
    key = hashlib.sha256(
        f"{kb.content_hash} {code_fingerprint('web.catalogue')}".encode()
    ).hexdigest()
    return Answer(200, JSON, cached("catalogue", key, lambda: build_catalogue(kb, dataset), bytes))


def build_catalogue(kb: KnowledgeBase, dataset) -> bytes:
    """The catalogue as JSON bytes."""
    topics: dict[str, dict] = {}
    topic_of: dict[str, str] = {}
    for row in dataset.query(_TOPICS):
        iri = str(row.topic)
        entry = topics.setdefault(iri, {"label": local_name(iri), "claims": []})
        if row.label is not None:
            entry["label"] = str(row.label)
        if row.claim is not None and str(row.claim) not in entry["claims"]:
            entry["claims"].append(str(row.claim))
            topic_of[str(row.claim)] = iri
    narrower: dict[str, list[str]] = {}
    about: dict[str, list[str]] = {}
    for concept in kb.concepts.values():
        for parent in concept.broader:
            narrower.setdefault(parent, []).append(concept.iri)
    claims = {}
    for claim in kb.claims.values():
        for end in (claim.subject, claim.object):
            about.setdefault(end, []).append(claim.iri)
        claims[claim.iri] = {
            "label": claim.label,
            "status": claim.status,
            "modality": claim.modality,
            "subject": claim.subject,
            "relation": claim.relation,
            "object": claim.object,
            "condition": claim.condition,
            "comment": claim.comment,
            "sources": list(claim.sources),
            "corrected_by": list(claim.corrected_by),
            "refuted_by": list(claim.refuted_by),
            "supported_by": list(claim.supported_by),
            "paraphrases": list(claim.paraphrases),
            "topic": topic_of.get(claim.iri),
        }
    concepts = {
        c.iri: {
            "label": c.label,
            "labels": [label for label in c.labels if label != c.label],
            "definition": c.definition,
            "broader": list(c.broader),
            "narrower": sorted(narrower.get(c.iri, [])),
            "claims": about.get(c.iri, []),
        }
        for c in kb.concepts.values()
    }
    sources = {
        s.iri: {
            "label": s.label,
            "section": s.section,
            "title": s.title,
            "creator": s.creator,
            "date": s.date,
            "publication": s.publication,
        }
        for s in kb.sources.values()
    }
    for entry in topics.values():
        entry["claims"].sort(
            key=lambda iri: claims[iri]["label"].casefold() if iri in claims else ""
        )
    relations = {r.iri: r.label for r in kb.relations.values()}
    data = {
        "topics": topics,
        "claims": claims,
        "concepts": concepts,
        "sources": sources,
        "relations": relations,
    }
    return json.dumps(data, ensure_ascii=False).encode()


@dataclass
class Catalogue:
    """The browse data held by the web process."""

    topics: dict[str, dict]
    claims: dict[str, dict]
    concepts: dict[str, dict]
    sources: dict[str, dict]
    relations: dict[str, str]
    _cited: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, body: bytes) -> Catalogue:
        catalogue = cls(**json.loads(body))
        for iri, claim in catalogue.claims.items():
            for source in claim["sources"]:
                catalogue._cited.setdefault(source, []).append(iri)
        return catalogue

    def label(self, iri: str) -> str:
        for table in (self.concepts, self.claims, self.sources, self.topics):
            if iri in table:
                return table[iri]["label"]
        return self.relations.get(iri) or _words(local_name(iri))

    def kind(self, iri: str) -> str | None:
        tables = (self.claims, self.concepts, self.topics, self.sources)
        for kind, table in zip(KINDS, tables, strict=True):
            if iri in table:
                return kind
        return None

    def find(self, path: str) -> tuple[str, dict] | None:
        """The IRI and entry a page path names, or None."""
        kind, _, name = path.strip("/").partition("/")
        if kind not in KINDS:
            return None
        iri = f"{KG_NAMESPACE}{kind}/{name}"
        table = {
            "claim": self.claims,
            "concept": self.concepts,
            "topic": self.topics,
            "source": self.sources,
        }[kind]
        entry = table.get(iri)
        return (iri, entry) if entry is not None else None

    def cited_by(self, source: str) -> list[str]:
        return self._cited.get(source, [])

    def sharing(self, claim: str, limit: int = 20) -> list[str]:
        """Other claims about the claim's subject or object, those about both first."""
        entry = self.claims[claim]
        ends = {entry["subject"], entry["object"]}
        counts: dict[str, int] = {}
        for end in ends:
            for other in self.concepts.get(end, {}).get("claims", []):
                if other != claim:
                    counts[other] = counts.get(other, 0) + 1
        ranked = sorted(counts, key=lambda c: (-counts[c], self.claims[c]["label"]))
        return ranked[:limit]

    def search(self, words: str, limit: int = 50) -> list[tuple[str, str, str]]:
        """(kind, IRI, label) of the concepts, topics and claims whose labels hold every
        word asked for; whole-label matches first, then label starts, then the rest."""
        wanted = words.casefold().split()
        if not wanted:
            return []
        found = []
        for kind, table in (
            ("concept", self.concepts),
            ("topic", self.topics),
            ("claim", self.claims),
        ):
            for iri, entry in table.items():
                labels = [entry["label"], *entry.get("labels", [])]
                best = None
                for label in labels:
                    folded = label.casefold()
                    if all(word in folded for word in wanted):
                        rank = (
                            0
                            if folded == " ".join(wanted)
                            else 1
                            if folded.startswith(wanted[0])
                            else 2
                        )
                        best = rank if best is None else min(best, rank)
                if best is not None:
                    found.append((best, KINDS.index(kind), entry["label"].casefold(), kind, iri))
        found.sort()
        return [(kind, iri, self.label(iri)) for *_, kind, iri in found[:limit]]


def _words(name: str) -> str:
    """A camelCase local name as words: refutedBy -> refuted by."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()
