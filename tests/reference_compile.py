"""The compile as it was before session 6 (rdflib Graph, networkx projection), kept only as
the reference the streaming compile (kg/compile.py) is compared with in tests/test_compile.py.

Copied from kg/compile.py and kg/network.py at 3cb9376; not used by dlcheck itself.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

from kg.compile import _EVIDENCE, MAX_PATHS, _field, _frames
from kg.knowledge import (
    ALWAYS,
    CAN,
    DLC_NS,
    GENERALLY,
    SKOS_BROADER,
    TRUE,
    Claim,
    Concept,
    Edge,
    KnowledgeBase,
    Relation,
    Source,
)
from ontology.names import STATUS_NAMES, local_name

_STATUS = STATUS_NAMES
_MODALITY = {"Always": ALWAYS, "Generally": GENERALLY, "Can": CAN}


def compile_knowledge(graph, content_hash: str = "") -> KnowledgeBase:
    """Build the knowledge base from an rdflib Graph holding the ontology and the data.

    `content_hash` is the cache key of the graph's files (kg/cache.py), kept on the result.
    The knowledge base is complete when built: nothing changes it afterwards.
    """
    from rdflib import Literal, URIRef
    from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

    from ontology import DLC

    def text(node, predicate) -> str | None:
        value = graph.value(node, predicate)
        return str(value) if value is not None else None

    def labels_of(node, *predicates) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for predicate in predicates:
            for value in sorted(graph.objects(node, predicate), key=str):
                if str(value).strip():
                    seen.setdefault(" ".join(str(value).split()), None)
        return tuple(seen)

    concept_nodes = set(graph.transitive_subjects(RDFS.subClassOf, DLC.Concept))
    concepts: dict[str, Concept] = {}
    for cls in concept_nodes:
        for node in graph.subjects(RDF.type, cls):
            if not isinstance(node, URIRef) or str(node) in concepts:
                continue
            pref = text(node, SKOS.prefLabel) or str(node).rsplit("/", 1)[-1]
            excludes = set(graph.objects(node, DLC.excludes)) | set(
                graph.subjects(DLC.excludes, node)
            )
            concepts[str(node)] = Concept(
                iri=str(node),
                label=pref,
                labels=labels_of(node, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel),
                broader=tuple(sorted(str(b) for b in graph.objects(node, SKOS.broader))),
                excludes=tuple(sorted(str(x) for x in excludes)),
                source=text(node, PROV.wasDerivedFrom),
                definition=text(node, SKOS.definition),
            )

    relations: dict[str, Relation] = {}
    for node in graph.subjects(RDF.type, DLC.Relation):
        relations[str(node)] = Relation(
            iri=str(node),
            label=text(node, SKOS.prefLabel) or text(node, RDFS.label) or str(node),
            labels=labels_of(node, SKOS.prefLabel, SKOS.altLabel),
            inverse_labels=labels_of(node, DLC.inverseLabel),
            negative_labels=labels_of(node, DLC.negativeLabel),
            frames=_frames(node, labels_of(node, DLC.frameLabel)),
            upward=(node, DLC.objectMonotonicity, DLC.Upward) in graph,
            asymmetric=(node, RDF.type, OWL.AsymmetricProperty) in graph,
            exclusive_variant=text(node, DLC.exclusiveVariant),
            symmetric=(node, RDF.type, OWL.SymmetricProperty) in graph,
            implied=(node, DLC.impliedByAdjacency, Literal(True)) in graph,
            disjoint_objects=(node, DLC.disjointObjects, Literal(True)) in graph,
            attribution=(node, DLC.attribution, Literal(True)) in graph,
            taxonomic=(node, DLC.taxonomic, Literal(True)) in graph,
            identity=(node, DLC.identity, Literal(True)) in graph,
            close=tuple(
                sorted(
                    {str(x) for x in graph.objects(node, DLC.closeTo)}
                    | {str(x) for x in graph.subjects(DLC.closeTo, node)}
                )
            ),
            contrary=tuple(
                sorted(
                    {str(x) for x in graph.objects(node, DLC.contraryTo)}
                    | {str(x) for x in graph.subjects(DLC.contraryTo, node)}
                )
            ),
            broader=tuple(sorted(str(x) for x in graph.objects(node, RDFS.subPropertyOf))),
            narrower=tuple(sorted(str(x) for x in graph.subjects(RDFS.subPropertyOf, node))),
        )

    sources: dict[str, Source] = {}
    for cls in (DLC.Publication, DLC.SourceSection):
        for node in graph.subjects(RDF.type, cls):
            publication = graph.value(node, DCTERMS.isPartOf)
            book = publication if publication is not None else node
            sources[str(node)] = Source(
                iri=str(node),
                label=text(node, RDFS.label) or text(book, DCTERMS.title) or str(node),
                section=text(node, DLC.section),
                publication=str(publication) if publication is not None else None,
                title=text(book, DCTERMS.title),
                creator=text(book, DCTERMS.creator),
                date=text(book, DCTERMS.date),
            )

    raw_claims: dict[str, dict] = {}
    for node in graph.subjects(RDF.type, DLC.Claim):
        status = graph.value(node, DLC.truthStatus)
        subject, relation, obj = (
            graph.value(node, p) for p in (DLC.subject, DLC.relation, DLC.object)
        )
        if status is None or subject is None or relation is None or obj is None:
            continue  # incomplete claims are SHACL's to report; the checker cannot use them
        modality = graph.value(node, DLC.modality)
        raw_claims[str(node)] = {
            "iri": str(node),
            "label": text(node, RDFS.label) or str(node),
            "subject": str(subject),
            "relation": str(relation),
            "object": str(obj),
            "modality": _MODALITY.get(local_name(modality), ALWAYS) if modality else ALWAYS,
            "status": _STATUS.get(local_name(status), TRUE),
            "condition": text(node, DLC.condition),
            "comment": text(node, RDFS.comment),
            "sources": tuple(sorted(str(s) for s in graph.objects(node, PROV.wasDerivedFrom))),
            "corrected_by": tuple(sorted(str(c) for c in graph.objects(node, DLC.correctedBy))),
            "refuted_by": tuple(sorted(str(c) for c in graph.objects(node, DLC.refutedBy))),
            "supported_by": tuple(sorted(str(c) for c in graph.objects(node, DLC.supportedBy))),
            "paraphrases": tuple(sorted(str(p) for p in graph.objects(node, DLC.paraphrase))),
            "labels": tuple(sorted(str(label) for label in graph.objects(node, RDFS.label))),
        }

    network = project(graph)
    degrees = dict(network.degree())
    claims = {
        iri: Claim(**raw, evidence=_rank_evidence(network, raw, degrees))
        for iri, raw in raw_claims.items()
    }

    index: dict[tuple[str, str, str], list[str]] = {}
    for claim in sorted(claims.values(), key=lambda c: c.iri):
        index.setdefault((claim.subject, claim.relation, claim.object), []).append(claim.iri)

    by_subject: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for claim in sorted(claims.values(), key=lambda c: c.iri):
        by_subject.setdefault((claim.subject, claim.relation), []).append((claim.object, claim.iri))

    # The paths' sentences need labels: they are drawn with a first knowledge base that has
    # everything but the paths, and the final one is made whole from it.
    labelled = KnowledgeBase(
        concepts=concepts,
        relations=relations,
        claims=claims,
        sources=sources,
        claim_index={k: tuple(v) for k, v in index.items()},
        claims_by_subject={k: tuple(v) for k, v in by_subject.items()},
        claims_by_broader_object={},
        ancestors={},
        evidence_paths={},
    )
    ancestors = _ancestor_paths(labelled, broader_digraph(graph))
    return replace(
        labelled,
        claims_by_broader_object=_by_broader_object(labelled, ancestors),
        ancestors=ancestors,
        evidence_paths={iri: _evidence_chains(labelled, claims[iri]) for iri in claims},
        content_hash=content_hash,
    )


def _rank_evidence(network, claim: dict, degrees: dict[str, int]) -> tuple[tuple[str, str], ...]:
    """Order a claim's evidence by the degree-penalised cost of the path claim -> evidence ->
    the evidence's own subject: a specific technique beats a generic hub (Knowledge Linker).

    `degrees` is every node's degree, counted once per compile: asking networkx for a hub's
    degree counts its neighbours, and doing so on every call made the compile quadratic.
    """
    ranked = []
    for order, (name, _) in enumerate(_EVIDENCE):
        for target in claim[_field(name)]:
            cost = _path_cost(network, claim["iri"], target, degrees)
            ranked.append((order, cost, target, DLC_NS + name))
    ranked.sort()
    return tuple((predicate, target) for _, _, target, predicate in ranked)


def _path_cost(network, start: str, target: str, degrees: dict[str, int]) -> float:
    """The cheapest path's cost, where entering a node costs 1 + log(1 + its degree).

    Every step costs at least 1 and the last one enters `target`, so a direct edge is the
    cheapest path: its cost is known without a search, which is the common case (evidence
    is linked straight from its claim).
    """
    import networkx as nx

    def weight(_u, v, _data) -> float:
        return 1.0 + math.log(1 + degrees[v])

    if start != target and network.has_edge(start, target):
        return weight(start, target, None)
    try:
        return nx.shortest_path_length(network, start, target, weight=weight)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return math.inf


def _by_broader_object(kb: KnowledgeBase, ancestors: dict) -> dict:
    """(subject, relation, broader object) -> the (object, claim) pairs of claims_by_subject
    whose relation is upward-monotone and whose object has that broader concept above it."""
    found: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for (subject, relation), pairs in kb.claims_by_subject.items():
        known = kb.relations.get(relation)
        if known is None or not known.upward:
            continue
        for obj, iri in pairs:
            for broader in ancestors.get(obj, {}):
                found.setdefault((subject, relation, broader), []).append((obj, iri))
    return {k: tuple(v) for k, v in found.items()}


def _ancestor_paths(kb: KnowledgeBase, taxonomy) -> dict[str, dict[str, tuple[Edge, ...]]]:
    """For every concept, each ancestor with the broader-edges leading up to it."""
    import networkx as nx

    result: dict[str, dict[str, tuple[Edge, ...]]] = {}
    for iri in kb.concepts:
        if iri not in taxonomy:
            result[iri] = {}
            continue
        paths = nx.single_source_shortest_path(taxonomy, iri)
        ordered = sorted(((len(p), a, p) for a, p in paths.items() if a != iri))
        result[iri] = {
            ancestor: tuple(_broader_edge(kb, a, b) for a, b in itertools.pairwise(path))
            for _, ancestor, path in ordered
        }
    return result


def _broader_edge(kb: KnowledgeBase, narrower: str, broader: str) -> Edge:
    concept = kb.concepts.get(narrower)
    return Edge(
        subject=narrower,
        predicate=SKOS_BROADER,
        object=broader,
        label=f"{kb.label(narrower)} is a kind of {kb.label(broader)}",
        source=concept.source if concept else None,
    )


def claim_edge(kb: KnowledgeBase, claim: Claim, role: str) -> Edge:
    """The edge from a claim to its subject or object concept, with a sentence."""
    target = claim.subject if role == "subject" else claim.object
    verb = "is about" if role == "subject" else "relates it to"
    return Edge(
        subject=claim.iri,
        predicate=DLC_NS + role,
        object=target,
        label=f'"{claim.label}" {verb} {kb.label(target)}',
        source=claim.sources[0] if claim.sources else None,
    )


def _evidence_chains(kb: KnowledgeBase, claim: Claim) -> tuple[tuple[Edge, ...], ...]:
    chains = []
    for predicate, target in claim.evidence[:MAX_PATHS]:
        evidence = kb.claims.get(target)
        if evidence is None:
            continue
        phrase = dict(_EVIDENCE)[predicate.rsplit("#", 1)[-1]]
        first = Edge(
            subject=claim.iri,
            predicate=predicate,
            object=target,
            label=f'"{claim.label}" {phrase} "{evidence.label}"',
            source=evidence.sources[0] if evidence.sources else None,
        )
        chains.append((first, claim_edge(kb, evidence, "subject")))
    return tuple(chains)


def project(graph):
    """A MultiDiGraph: one node per IRI (with its label), one edge per triple between IRIs."""
    import networkx as nx
    from rdflib import Literal, URIRef
    from rdflib.namespace import OWL, RDF, RDFS, SKOS

    skip = {RDF.type, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.oneOf}
    network = nx.MultiDiGraph()
    for s, p, o in graph:
        if p in skip or not isinstance(s, URIRef) or not isinstance(o, URIRef):
            continue
        network.add_edge(str(s), str(o), key=str(p), predicate=str(p))
    for node in list(network.nodes):
        for predicate in (SKOS.prefLabel, RDFS.label):
            value = graph.value(URIRef(node), predicate)
            if isinstance(value, Literal):
                network.nodes[node]["label"] = str(value)
                break
        else:
            network.nodes[node]["label"] = local_name(node)
    return network


def broader_digraph(graph):
    import networkx as nx
    from rdflib.namespace import SKOS

    taxonomy = nx.DiGraph()
    for narrower, broader in graph.subject_objects(SKOS.broader):
        taxonomy.add_edge(str(narrower), str(broader))
    return taxonomy
