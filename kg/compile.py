"""Compiling the graph's Turtle files into the checker's knowledge base, once per graph content.

The files are read with Oxigraph's parser (kg.store.read_triples) straight into one table of
objects by predicate and subject (`Triples`), and the knowledge base's tables are made from
it one after another, each handed on as it is made (`compile_files` yields them), so the
caller writes them to disk without the whole knowledge base in memory (kg/cache.py). No rdflib
Graph and no networkx projection are built: both cost far more than the triples themselves
(at 10 times the bundled graph, rdflib's parse took 28 s of CPU and 0.77 GB, each projection
6 s and 0.35 GB; Oxigraph's parse into `Triples` takes about 2 s and 0.1 GB).

Justification paths: taxonomy paths between concepts (a breadth-first search up
skos:broader, as networkx's shortest paths), and each claim's evidence ranked by a
degree-penalised path cost in the projection of the graph (every triple between two IRIs an
edge) so that specific evidence is shown before evidence that hangs off generic hubs.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

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
    ancestor_paths,
    frame_parts,
)
from ontology.names import STATUS_NAMES, local_name

_STATUS = STATUS_NAMES  # the statuses' local names -> TRUE, FALSE, PARTLY_TRUE
_MODALITY = {"Always": ALWAYS, "Generally": GENERALLY, "Can": CAN}
_EVIDENCE = (
    ("correctedBy", "is corrected by"),
    ("refutedBy", "is refuted by"),
    ("supportedBy", "is supported by"),
)
MAX_PATHS = 3

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
TYPE, LABEL = RDF + "type", RDFS + "label"
PREF, ALT, HIDDEN = SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel"
# Triples that describe the vocabulary rather than the domain, left out of the projection the
# evidence is ranked in (kg/network.py leaves out the same): as edges they would make every
# claim a neighbour of every other through a handful of hubs.
SKIP_PREDICATES = frozenset(
    {
        TYPE,
        RDFS + "subClassOf",
        RDFS + "subPropertyOf",
        RDFS + "domain",
        RDFS + "range",
        OWL + "oneOf",
    }
)
_TRUE = ("true", XSD_BOOLEAN)  # rdflib's Literal(True), as kg.store.read_triples gives it
_ABSENT = object()


class Triples:
    """A graph's triples as plain values (kg.store.read_triples), by predicate then subject:
    `by_predicate[p][s]` is the one object of (s, p), or the list of them in the order read.
    A triple read twice is kept once, as in a graph."""

    def __init__(self) -> None:
        self.by_predicate: dict[str, dict] = {}
        # Each broader concept, by the order it was first read as one: the taxonomy's paths
        # go up through the one read first when two are as short (rdflib's Graph did so).
        self.broader_order: dict[object, int] = {}
        # Each IRI's edges in the projection evidence is ranked in (`_Links`): the triples
        # between two IRIs but for SKIP_PREDICATES, counted as they are first read.
        self.degrees: Counter = Counter()

    def add_all(self, triples: Iterable[tuple]) -> None:
        tables = self.by_predicate
        order = self.broader_order
        degrees = self.degrees
        for s, p, o in triples:
            if p == SKOS_BROADER and o not in order:
                order[o] = len(order)
            table = tables.get(p)
            if table is None:
                table = tables[p] = {}
            known = table.get(s, _ABSENT)
            if known is _ABSENT:
                table[s] = o
            elif type(known) is list:
                if o in known:
                    continue
                known.append(o)
            elif known != o:
                table[s] = [known, o]
            else:
                continue
            if type(o) is str and type(s) is str and p not in SKIP_PREDICATES:
                degrees[s] += 1
                degrees[o] += 1

    def objects(self, s, p) -> Sequence:
        found = self.by_predicate.get(p, {}).get(s, _ABSENT)
        if found is _ABSENT:
            return ()
        return found if type(found) is list else (found,)

    def value(self, s, p):
        """The first object of (s, p) read, or None."""
        found = self.by_predicate.get(p, {}).get(s)
        return found[0] if type(found) is list else found

    def has(self, s, p, o) -> bool:
        found = self.by_predicate.get(p, {}).get(s, _ABSENT)
        return found == o or (type(found) is list and o in found)

    def subjects_of(self, p) -> dict:
        """Each subject of `p` with its objects (one, or a list)."""
        return self.by_predicate.get(p, {})

    def inverse(self, p) -> dict:
        """object -> the subjects that have it as object of `p`."""
        result: dict = {}
        for s, found in self.by_predicate.get(p, {}).items():
            for o in found if type(found) is list else (found,):
                result.setdefault(o, []).append(s)
        return result


def text(term) -> str:
    """What str() of the rdflib term gives: an IRI, a literal's text, a blank node's label."""
    return term if type(term) is str else term[0]


def read_files(paths: Sequence[Path]) -> Triples:
    """The triples of every file, in order; GraphLoadError names a bad file and its line."""
    from kg.store import read_triples

    triples, names = Triples(), {}
    for path in paths:
        triples.add_all(read_triples(path, names))
    return triples


def compile_files(paths: Sequence[Path], content_hash: str = "") -> Iterator[tuple[str, object]]:
    """The knowledge base of the graph in `paths` (the ontology included), a table at a time:
    ("concepts", iterable of (IRI, Concept)), then "relations", "claims", "sources",
    "claim_index", "claims_by_subject" and "claims_by_broader_object" (dicts), "ancestors"
    and "evidence_paths"; each
    must be used up before the next is asked for. `knowledge_base` gathers them."""
    triples = read_files(paths)
    yield from _compile(triples)


def knowledge_base(paths: Sequence[Path], content_hash: str = "") -> KnowledgeBase:
    """The whole knowledge base in memory (tests and small graphs; kg/cache.py streams)."""
    parts = {name: dict(items) for name, items in compile_files(paths, content_hash)}
    parts["ancestors"] = {iri: ancestor_paths(row) for iri, row in parts["ancestors"].items()}
    return KnowledgeBase(**parts, content_hash=content_hash)


def _compile(triples: Triples) -> Iterator[tuple[str, object]]:
    def first_text(node, predicate) -> str | None:
        found = triples.value(node, predicate)
        return text(found) if found is not None else None

    def labels_of(node, *predicates) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for predicate in predicates:
            for value in sorted(map(text, triples.objects(node, predicate))):
                if value.strip():
                    seen.setdefault(" ".join(value.split()), None)
        return tuple(seen)

    def texts(node, predicate) -> tuple[str, ...]:
        return tuple(sorted(map(text, triples.objects(node, predicate))))

    def typed(cls) -> list:
        return [s for s, found in triples.subjects_of(TYPE).items() if _holds(found, cls)]

    # Concepts: instances of dlc:Concept and of every class under it.
    classes = _subclasses(triples, DLC_NS + "Concept")
    excluded_by = triples.inverse(DLC_NS + "excludes")
    concepts: dict[str, Concept] = {}
    for node, found in triples.subjects_of(TYPE).items():
        if type(node) is not str or node in concepts:
            continue
        if not any(c in classes for c in (found if type(found) is list else (found,))):
            continue
        excludes = dict.fromkeys(triples.objects(node, DLC_NS + "excludes"))
        excludes.update(dict.fromkeys(excluded_by.get(node, ())))
        concepts[node] = Concept(
            iri=node,
            label=first_text(node, PREF) or node.rsplit("/", 1)[-1],
            labels=labels_of(node, PREF, ALT, HIDDEN),
            broader=texts(node, SKOS + "broader"),
            excludes=tuple(sorted(map(text, excludes))),
            source=first_text(node, PROV + "wasDerivedFrom"),
            definition=first_text(node, SKOS + "definition"),
        )
    del excluded_by
    yield "concepts", concepts.items()

    relations: dict[str, Relation] = {}
    close_from = triples.inverse(DLC_NS + "closeTo")
    contrary_from = triples.inverse(DLC_NS + "contraryTo")
    narrower_of = triples.inverse(RDFS + "subPropertyOf")
    for node in typed(DLC_NS + "Relation"):

        def flag(name: str, node=node) -> bool:
            return triples.has(node, DLC_NS + name, _TRUE)

        def both_ways(name: str, inverse: dict, node=node) -> tuple[str, ...]:
            return tuple(
                sorted(
                    {text(x) for x in triples.objects(node, DLC_NS + name)}
                    | {text(x) for x in inverse.get(node, ())}
                )
            )

        relations[text(node)] = Relation(
            iri=text(node),
            label=first_text(node, PREF) or first_text(node, LABEL) or text(node),
            labels=labels_of(node, PREF, ALT),
            inverse_labels=labels_of(node, DLC_NS + "inverseLabel"),
            negative_labels=labels_of(node, DLC_NS + "negativeLabel"),
            frames=_frames(text(node), labels_of(node, DLC_NS + "frameLabel")),
            upward=triples.has(node, DLC_NS + "objectMonotonicity", DLC_NS + "Upward"),
            asymmetric=triples.has(node, TYPE, OWL + "AsymmetricProperty"),
            exclusive_variant=first_text(node, DLC_NS + "exclusiveVariant"),
            symmetric=triples.has(node, TYPE, OWL + "SymmetricProperty"),
            implied=flag("impliedByAdjacency"),
            disjoint_objects=flag("disjointObjects"),
            attribution=flag("attribution"),
            taxonomic=flag("taxonomic"),
            identity=flag("identity"),
            close=both_ways("closeTo", close_from),
            contrary=both_ways("contraryTo", contrary_from),
            broader=tuple(sorted(map(text, triples.objects(node, RDFS + "subPropertyOf")))),
            narrower=tuple(sorted(map(text, narrower_of.get(node, ())))),
        )
    del close_from, contrary_from, narrower_of
    yield "relations", relations.items()

    sources: dict[str, Source] = {}
    for cls in (DLC_NS + "Publication", DLC_NS + "SourceSection"):
        for node in typed(cls):
            publication = triples.value(node, DCTERMS + "isPartOf")
            book = publication if publication is not None else node
            sources[text(node)] = Source(
                iri=text(node),
                label=first_text(node, LABEL) or first_text(book, DCTERMS + "title") or text(node),
                section=first_text(node, DLC_NS + "section"),
                publication=text(publication) if publication is not None else None,
                title=first_text(book, DCTERMS + "title"),
                creator=first_text(book, DCTERMS + "creator"),
                date=first_text(book, DCTERMS + "date"),
            )

    # Claims, with their evidence ranked; what the paths' sentences need of each is kept.
    links = _Links(triples)
    brief: dict[str, tuple[str, str | None, str]] = {}  # claim -> (label, source, subject)
    evidence: dict[str, tuple[tuple[str, str], ...]] = {}
    keys: list[tuple[str, str, str, str]] = []  # (claim, subject, relation, object)

    def claims() -> Iterator[tuple[str, Claim]]:
        for node in typed(DLC_NS + "Claim"):
            status = triples.value(node, DLC_NS + "truthStatus")
            subject, relation, obj = (
                triples.value(node, DLC_NS + p) for p in ("subject", "relation", "object")
            )
            if status is None or subject is None or relation is None or obj is None:
                continue  # incomplete claims are SHACL's to report; the checker cannot use them
            modality = triples.value(node, DLC_NS + "modality")
            iri = text(node)
            raw = {
                "iri": iri,
                "label": first_text(node, LABEL) or iri,
                "subject": text(subject),
                "relation": text(relation),
                "object": text(obj),
                "modality": (
                    _MODALITY.get(local_name(text(modality)), ALWAYS)
                    if modality is not None and _truthy(modality)
                    else ALWAYS
                ),
                "status": _STATUS.get(local_name(text(status)), TRUE),
                "condition": first_text(node, DLC_NS + "condition"),
                "comment": first_text(node, RDFS + "comment"),
                "sources": texts(node, PROV + "wasDerivedFrom"),
                "corrected_by": texts(node, DLC_NS + "correctedBy"),
                "refuted_by": texts(node, DLC_NS + "refutedBy"),
                "supported_by": texts(node, DLC_NS + "supportedBy"),
                "paraphrases": texts(node, DLC_NS + "paraphrase"),
                "labels": texts(node, LABEL),
            }
            claim = Claim(**raw, evidence=_rank_evidence(links, raw, links.degrees))
            brief[iri] = (
                claim.label,
                claim.sources[0] if claim.sources else None,
                claim.subject,
            )
            if claim.evidence:
                evidence[iri] = claim.evidence[:MAX_PATHS]
            keys.append((iri, claim.subject, claim.relation, claim.object))
            yield iri, claim

    yield "claims", claims()
    yield "sources", sources.items()

    # The taxonomy is all the rest needs of the triples: they go before the paths are drawn.
    taxonomy = _taxonomy(triples)
    triples.by_predicate.clear()
    links = None

    keys.sort()
    index: dict[tuple[str, str, str], list[str]] = {}
    by_subject: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for iri, subject, relation, obj in keys:
        index.setdefault((subject, relation, obj), []).append(iri)
        by_subject.setdefault((subject, relation), []).append((obj, iri))
    yield "claim_index", {k: tuple(v) for k, v in index.items()}
    del index
    yield "claims_by_subject", {k: tuple(v) for k, v in by_subject.items()}
    del by_subject
    upward = {iri for iri, relation in relations.items() if relation.upward}
    yield "claims_by_broader_object", _by_broader_object(keys, upward, concepts, taxonomy)
    keys.clear()

    def label(iri: str) -> str:  # KnowledgeBase.label, over what is kept
        for table in (concepts, relations):
            item = table.get(iri)
            if item is not None:
                return item.label
        if iri in brief:
            return brief[iri][0]
        item = sources.get(iri)
        return item.label if item is not None else local_name(iri)

    yield "ancestors", _ancestor_paths(concepts, taxonomy, label)  # rows: see ancestor_paths
    yield "evidence_paths", _evidence_paths(brief, evidence, label)


def _holds(found, value) -> bool:
    return found == value or (type(found) is list and value in found)


def _subclasses(triples: Triples, top: str) -> set:
    """`top` and every class under it by rdfs:subClassOf (rdflib's transitive_subjects)."""
    below = triples.inverse(RDFS + "subClassOf")
    seen, todo = {top}, [top]
    while todo:
        for sub in below.get(todo.pop(), ()):
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return seen


def _truthy(term) -> bool:
    """The truth of the rdflib term (`if modality:`); a literal's is its value's."""
    if type(term) is str or term[1] is None:
        return bool(text(term))
    from rdflib import Literal, URIRef

    value, tag = term
    if tag.startswith("@"):
        return bool(Literal(value, lang=tag[1:]))
    return bool(Literal(value, datatype=URIRef(tag) if tag else None))


class _Links:
    """The projection of the graph the evidence is ranked in, as the ranking asks of it:
    nodes are IRIs, and each triple between two IRIs is an edge, but for SKIP_PREDICATES.

    `degrees` counts each node's edges once per compile (as the triples are read);
    `has_edge` answers from the triples; the search for a path that is not a direct edge
    (rare: evidence is linked from its claim) runs on a networkx projection, built the first
    time one is needed."""

    def __init__(self, triples: Triples) -> None:
        self._triples = triples
        first = [DLC_NS + name for name, _ in _EVIDENCE]
        predicates = [p for p in triples.by_predicate if p not in SKIP_PREDICATES]
        self._predicates = [p for p in first if p in predicates] + [
            p for p in predicates if p not in first
        ]
        self.degrees = triples.degrees
        self._network = None

    def has_edge(self, u: str, v: str) -> bool:
        if type(v) is not str:
            return False
        tables = self._triples.by_predicate
        for p in self._predicates:
            found = tables[p].get(u, _ABSENT)
            if found is not _ABSENT and (found == v or (type(found) is list and v in found)):
                return True
        return False

    def networkx(self):
        if self._network is None:
            import networkx as nx

            network = nx.MultiDiGraph()
            for p in self._predicates:
                for s, found in self._triples.by_predicate[p].items():
                    if type(s) is not str:
                        continue
                    for o in found if type(found) is list else (found,):
                        if type(o) is str:
                            network.add_edge(s, o, key=p, predicate=p)
            self._network = network
        return self._network


def _rank_evidence(network, claim: dict, degrees: dict[str, int]) -> tuple[tuple[str, str], ...]:
    """Order a claim's evidence by the degree-penalised cost of the path claim -> evidence ->
    the evidence's own subject: a specific technique beats a generic hub (Knowledge Linker).

    `degrees` is every node's degree, counted once per compile: asking networkx for a hub's
    degree counts its neighbours, and doing so on every call made the compile quadratic.
    `network` is a networkx graph or the compile's `_Links`.
    """
    ranked = []
    for order, (name, _) in enumerate(_EVIDENCE):
        for target in claim[_field(name)]:
            cost = _path_cost(network, claim["iri"], target, degrees)
            ranked.append((order, cost, target, DLC_NS + name))
    ranked.sort()
    return tuple((predicate, target) for _, _, target, predicate in ranked)


def _field(predicate_name: str) -> str:
    return {
        "correctedBy": "corrected_by",
        "refutedBy": "refuted_by",
        "supportedBy": "supported_by",
    }[predicate_name]


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
    if isinstance(network, _Links):
        # What networkx would answer without a search: a node not in the projection, or
        # the claim itself. Else the search, on the projection made for it.
        if start not in network.degrees or target not in network.degrees:
            return math.inf
        if start == target:
            return 0
        network = network.networkx()
    try:
        return nx.shortest_path_length(network, start, target, weight=weight)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return math.inf


def _taxonomy(triples: Triples) -> dict[str, list[str]]:
    """narrower -> its broader concepts, for every skos:broader triple (by their text)."""
    taxonomy: dict[str, list[str]] = {}
    order = triples.broader_order
    for narrower, found in triples.subjects_of(SKOS_BROADER).items():
        up = taxonomy.setdefault(text(narrower), [])
        for broader in sorted(found, key=order.__getitem__) if type(found) is list else (found,):
            if text(broader) not in up:
                up.append(text(broader))
    return taxonomy


def _by_broader_object(
    keys: list[tuple[str, str, str, str]],
    upward: set[str],
    concepts: dict[str, Concept],
    taxonomy: dict[str, list[str]],
) -> dict[tuple[str, str, str], tuple[tuple[str, str], ...]]:
    """(subject, relation, broader object) -> ((object, claim IRI), ...): the claims of an
    upward-monotone relation a subject makes of each object narrower than the key's, in
    `claims_by_subject`'s order. The claim lookup asks which claims of a subject speak of
    something narrower than the statement's object; reading all of a hub's claims to find
    them grew with the graph. An object's broader concepts are its `ancestors` (a concept's
    only, never itself)."""
    above: dict[str, list[str]] = {}
    found: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for iri, subject, relation, obj in keys:  # sorted, as claims_by_subject is built
        if relation not in upward or obj not in concepts:
            continue
        broader = above.get(obj)
        if broader is None:
            broader = above[obj] = sorted(a for a in _paths_up(taxonomy, obj) if a != obj)
        for ancestor in broader:
            found.setdefault((subject, relation, ancestor), []).append((obj, iri))
    return {k: tuple(v) for k, v in found.items()}


def _paths_up(taxonomy: dict[str, list[str]], iri: str) -> dict[str, tuple[str, ...]]:
    """The concept itself and each concept above it, with the shortest path up to it
    (breadth first, broader concepts in the taxonomy's order)."""
    paths = {iri: (iri,)}
    level = [iri]
    while level:
        following = []
        for narrower in level:
            for up in taxonomy.get(narrower, ()):
                if up not in paths:
                    paths[up] = (*paths[narrower], up)
                    following.append(up)
        level = following
    return paths


def _ancestor_paths(
    concepts: dict[str, Concept], taxonomy: dict[str, list[str]], label
) -> Iterator[tuple[str, list]]:
    """For every concept, its ancestors as kg.knowledge.ancestor_paths reads them: each with
    the shortest path up, nearest first, found breadth first (networkx's
    single_source_shortest_path); a step's source is the narrower concept's."""

    def node(iri: str, below: int) -> list:
        concept = concepts.get(iri)
        return [iri, label(iri), concept.source if concept else None, below]

    for iri in concepts:
        paths = _paths_up(taxonomy, iri)
        ordered = sorted((len(p), a, p) for a, p in paths.items() if a != iri)
        position = {iri: 0}
        row = [node(iri, -1)]
        for _, ancestor, path in ordered:
            position[ancestor] = len(row)
            row.append(node(ancestor, position[path[-2]]))
        yield iri, row


def _evidence_paths(
    brief: dict[str, tuple[str, str | None, str]],
    evidence: dict[str, tuple[tuple[str, str], ...]],
    label,
) -> Iterator[tuple[str, tuple[tuple[Edge, ...], ...]]]:
    """For every claim, up to MAX_PATHS chains: the claim -> its evidence -> what that is about."""
    phrases = {DLC_NS + name: phrase for name, phrase in _EVIDENCE}
    for iri, (claim_label, _, _) in brief.items():
        chains = []
        for predicate, target in evidence.get(iri, ()):
            found = brief.get(target)
            if found is None:
                continue
            target_label, target_source, target_subject = found
            first = Edge(
                subject=iri,
                predicate=predicate,
                object=target,
                label=f'"{claim_label}" {phrases[predicate]} "{target_label}"',
                source=target_source,
            )
            about = Edge(
                subject=target,
                predicate=DLC_NS + "subject",
                object=target_subject,
                label=f'"{target_label}" is about {label(target_subject)}',
                source=target_source,
            )
            chains.append((first, about))
        yield iri, tuple(chains)


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


def _frames(node, frames: tuple[str, ...]) -> tuple[str, ...]:
    from kg.errors import GraphLoadError

    for frame in frames:
        try:
            frame_parts(frame)
        except ValueError as exc:
            raise GraphLoadError(f"{node}: {exc}") from None
    return frames
