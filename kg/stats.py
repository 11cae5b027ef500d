"""Counts that tell a curator how big the graph is and where it is thin."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ontology.names import STATUS_NAMES


def graph_stats(graph) -> dict:
    """Claims by status, concepts, sources, triples, and the same per topic.

    Counted by walking the graph's indexes: rdflib's SPARQL aggregates take seconds on a
    graph of this size, and stats is a command people run often.
    """
    from rdflib import URIRef
    from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

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
    is_part_of = DCTERMS.isPartOf
    sections = {
        s: (str(graph.value(s, is_part_of)), str(name))
        for s, name in graph.subject_objects(DLC.section)
        if graph.value(s, is_part_of) is not None
    }
    cited = [
        (str(x), *sections[src], str(status[x]) == str(DLC.StatusTrue) if x in status else None)
        for x, src in graph.subject_objects(PROV.wasDerivedFrom)
        if src in sections and (x in claims or x in concepts)
    ]
    labels = {p: str(graph.value(URIRef(p), RDFS.label)) for p, _ in sections.values()}
    kinds = {str(p): str(kind) for p, kind in graph.subject_objects(DCTERMS.type)}
    chapters = book_chapters(cited, labels, {p for p, kind in kinds.items() if kind in BOOKS})
    return {
        "claims": len(claims),
        "claims_by_status": by_status,
        "concepts": len(concepts),
        "publications": len(set(graph.subjects(RDF.type, DLC.Publication))),
        "source_sections": len(set(graph.subjects(RDF.type, DLC.SourceSection))),
        "triples": len(graph),
        "topics": topics,
        "chapters": chapters,
    }


def cached_stats(paths: Sequence[Path] | None = None) -> dict:
    """`store_stats` of the graph in `paths` (default: the bundled graph), kept in the cache
    per content: counting takes seconds on a graph 100 times the bundled one, and the store
    they are counted from never changes for a given content. The key costs a `stat` per file
    (kg.cache.file_digests), not a read of every file as opening the store does."""
    import pyoxigraph

    from kg.cache import cached, files_key
    from kg.persistent import open_store, store_files

    key = files_key(
        store_files(paths),
        "kg.stats",
        "kg.persistent",
        "kg.store",
        "ontology.names",
        extra=pyoxigraph.__version__,
    )
    return cached("stats", key, lambda: store_stats(open_store(paths)), dict)


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
    books = sorted(
        {
            p
            for p, kind in rows("SELECT ?p ?kind WHERE { ?p dcterms:type ?kind FILTER(isIRI(?p)) }")
            if kind in BOOKS
        }
    )
    # Only books are counted by chapter: the citations of their sections alone are read, not
    # every citation of the graph (most of a `stats` at 10 times the bundled graph).
    cited = rows(
        "SELECT ?x ?publication ?section ?kind WHERE { "
        f"VALUES ?publication {{ {' '.join(f'<{p}>' for p in books)} }} "
        "?s dcterms:isPartOf ?publication ; dlc:section ?section . ?x prov:wasDerivedFrom ?s . "
        "{ ?x a dlc:Claim . OPTIONAL { ?x dlc:truthStatus ?status } "
        'BIND(IF(?status = dlc:StatusTrue, "true", "false") AS ?kind) } UNION '
        f"{{ {concepts.replace('?concept', '?x')} }} }}"
    )
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
        "chapters": book_chapters(
            [
                (x, publication, section, None if kind is None else kind == "true")
                for x, publication, section, kind in cited
            ],
            dict(
                rows(
                    "SELECT ?p (SAMPLE(?name) AS ?label) WHERE { ?s dcterms:isPartOf ?p . "
                    "?p rdfs:label ?name } GROUP BY ?p"
                )
            ),
            set(books),
        ),
    }


_CHAPTER = re.compile(r"\d+")
BOOKS = ("book", "textbook")  # the dcterms:type of the publications counted by chapter


def book_chapters(cited: list[tuple], labels: dict[str, str], books: set[str]) -> list[dict]:
    """Claims, misconceptions and concepts per chapter of each book the graph cites.

    `cited` holds (claim or concept IRI, publication IRI, section name, whether it is a true
    claim: True, False, or None for a concept); a section's chapter is the first number of
    its name ("7.3 Padding and Stride" is chapter 7). Books are the publications whose
    dcterms:type is one of `BOOKS`."""
    claims: dict[tuple[str, int], set[str]] = {}
    myths: dict[tuple[str, int], set[str]] = {}
    concepts: dict[tuple[str, int], set[str]] = {}
    for x, publication, section, true in cited:
        number = _CHAPTER.search(section)
        if number is None or publication not in books:
            continue
        key = (publication, int(number.group()))
        if true is None:
            concepts.setdefault(key, set()).add(x)
        else:
            claims.setdefault(key, set()).add(x)
            if not true:
                myths.setdefault(key, set()).add(x)
    keys = {*claims, *concepts}
    return [
        {
            "book": labels.get(publication, publication),
            "chapter": chapter,
            "claims": len(claims.get((publication, chapter), ())),
            "misconceptions": len(myths.get((publication, chapter), ())),
            "concepts": len(concepts.get((publication, chapter), ())),
        }
        for publication, chapter in sorted(keys, key=lambda k: (labels.get(k[0], k[0]), k[1]))
    ]


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
    if stats.get("chapters"):
        lines += ["", f"{'book chapter':<36}{'claims':>8}{'myths':>8}{'concepts':>10}"]
        for c in stats["chapters"]:
            name = f"{_short(c['book'])}, ch. {c['chapter']}"
            lines.append(f"{name:<36}{c['claims']:>8}{c['misconceptions']:>8}{c['concepts']:>10}")
    return "\n".join(lines) + "\n"


def _short(book: str) -> str:
    """ "Zhang, Lipton, Li and Smola (2023), Dive into Deep Learning" -> "Dive into Deep
    Learning": the title after the authors, cut to fit the table."""
    title = book.split("), ", 1)[-1]
    return title if len(title) <= 26 else title[:25] + "…"
