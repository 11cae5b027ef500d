"""Counts that tell a curator how big the graph is and where it is thin."""

from __future__ import annotations

from ontology.names import STATUS_NAMES


def graph_stats(graph) -> dict:
    """Claims by status, concepts, sources, triples, and the same per topic.

    Counted by walking the graph's indexes: rdflib's SPARQL aggregates take seconds on a
    graph of this size, and stats is a command people run often.
    """
    from rdflib.namespace import RDF, RDFS, SKOS

    from ontology import DLC

    claims = set(graph.subjects(RDF.type, DLC.Claim))
    # One pass over the statuses rather than a look-up per claim (a call into the store each).
    status = dict.fromkeys(claims)
    for claim, value in graph.subject_objects(DLC.truthStatus):
        if claim in status and status[claim] is None:
            status[claim] = value
    names = {DLC[local]: name for local, name in STATUS_NAMES.items()}
    by_status = {name: sum(1 for s in status.values() if s == iri) for iri, name in names.items()}
    concept_classes = set(graph.transitive_subjects(RDFS.subClassOf, DLC.Concept))
    concepts = {c for cls in concept_classes for c in graph.subjects(RDF.type, cls)}
    topics = []
    for topic in graph.subjects(RDF.type, DLC.Topic):
        members = set(graph.subjects(DLC.topic, topic))
        topic_claims = members & claims
        topics.append(
            {
                "topic": str(graph.value(topic, SKOS.prefLabel) or topic),
                "claims": len(topic_claims),
                "misconceptions": sum(1 for c in topic_claims if status[c] != DLC.StatusTrue),
                "concepts": len(members & concepts),
            }
        )
    topics.sort(key=lambda t: t["topic"])
    return {
        "claims": len(claims),
        "claims_by_status": by_status,
        "concepts": len(concepts),
        "publications": len(set(graph.subjects(RDF.type, DLC.Publication))),
        "source_sections": len(set(graph.subjects(RDF.type, DLC.SourceSection))),
        "triples": len(graph),
        "topics": topics,
    }


def store_stats(store) -> dict:
    """`graph_stats` of the on-disk store (kg/persistent.py), counted by Oxigraph's SPARQL.

    Walking a store from Python pays a call and a conversion per triple (seconds at 100 times
    the bundled graph); Oxigraph's aggregates pay neither. A test keeps the two equal.
    """
    from ontology import PREFIXES

    prefixes = {k: str(v) for k, v in PREFIXES.items()}

    def rows(query: str) -> list:
        return [
            [term.value if term is not None else None for term in row]
            for row in store.query(query, prefixes=prefixes, use_default_graph_as_union=True)
        ]

    def count(query: str) -> int:
        return int(rows(query)[0][0])

    names = STATUS_NAMES
    by_status = dict.fromkeys(names.values(), 0)
    for status, number in rows(
        "SELECT ?status (COUNT(?claim) AS ?n) WHERE { ?claim a dlc:Claim ; "
        "dlc:truthStatus ?status } GROUP BY ?status"
    ):
        name = names.get(status.removeprefix(prefixes["dlc"]))
        if name:
            by_status[name] = int(number)
    concepts = "?class rdfs:subClassOf* dlc:Concept . ?concept a ?class ."

    def per_topic(pattern: str) -> dict:
        # One grouped count per question: joined in one query, Oxigraph would pair every
        # claim of a topic with every concept of it.
        found = rows(
            f"SELECT ?topic (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?topic a dlc:Topic . {pattern} }} "
            "GROUP BY ?topic"
        )
        return {topic: int(number) for topic, number in found}

    claims = per_topic("?x dlc:topic ?topic ; a dlc:Claim .")
    myths = per_topic(
        "?x dlc:topic ?topic ; a dlc:Claim . "
        "FILTER NOT EXISTS { ?x dlc:truthStatus dlc:StatusTrue }"
    )
    members = per_topic(
        "?x dlc:topic ?topic . { SELECT DISTINCT ?x WHERE { ?class rdfs:subClassOf* dlc:Concept . "
        "?x a ?class } }"
    )
    topics = [
        {
            "topic": label if label is not None else topic,
            "claims": claims.get(topic, 0),
            "misconceptions": myths.get(topic, 0),
            "concepts": members.get(topic, 0),
        }
        for topic, label in rows(
            "SELECT ?topic (SAMPLE(?name) AS ?label) WHERE { ?topic a dlc:Topic . "
            "OPTIONAL { ?topic skos:prefLabel ?name } } GROUP BY ?topic"
        )
    ]
    topics.sort(key=lambda t: t["topic"])
    return {
        "claims": count("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a dlc:Claim }"),
        "claims_by_status": by_status,
        "concepts": count(f"SELECT (COUNT(DISTINCT ?concept) AS ?n) WHERE {{ {concepts} }}"),
        "publications": count("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dlc:Publication }"),
        "source_sections": count(
            "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a dlc:SourceSection }"
        ),
        "triples": len(store),
        "topics": topics,
    }


def format_stats(stats: dict) -> str:
    by = stats["claims_by_status"]
    lines = [
        f"claims        {stats['claims']:>6}  "
        f"(true {by['true']}, false {by['false']}, partly true {by['partly_true']})",
        f"concepts      {stats['concepts']:>6}",
        f"publications  {stats['publications']:>6}  ({stats['source_sections']} sections)",
        f"triples       {stats['triples']:>6}",
        "",
        f"{'topic':<36}{'claims':>8}{'myths':>8}{'concepts':>10}",
    ]
    for t in stats["topics"]:
        lines.append(f"{t['topic']:<36}{t['claims']:>8}{t['misconceptions']:>8}{t['concepts']:>10}")
    return "\n".join(lines) + "\n"
