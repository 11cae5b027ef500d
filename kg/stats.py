"""Counts that tell a curator how big the graph is and where it is thin."""

from __future__ import annotations

from kg import sparql

_COUNTS = """
SELECT
  (COUNT(DISTINCT ?claim) AS ?claims)
  (COUNT(DISTINCT ?true) AS ?true_claims)
  (COUNT(DISTINCT ?false) AS ?false_claims)
  (COUNT(DISTINCT ?partly) AS ?partly_true_claims)
WHERE {
  ?claim a dlc:Claim .
  OPTIONAL { ?claim dlc:truthStatus dlc:StatusTrue . BIND(?claim AS ?true) }
  OPTIONAL { ?claim dlc:truthStatus dlc:StatusFalse . BIND(?claim AS ?false) }
  OPTIONAL { ?claim dlc:truthStatus dlc:StatusPartlyTrue . BIND(?claim AS ?partly) }
}"""

_CONCEPTS = """
SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a/rdfs:subClassOf* dlc:Concept . }"""

_SOURCES = """
SELECT (COUNT(DISTINCT ?p) AS ?publications) (COUNT(DISTINCT ?s) AS ?sections) WHERE {
  { ?p a dlc:Publication } UNION { ?s a dlc:SourceSection }
}"""

_TOPICS = """
SELECT ?topic ?label
  (COUNT(DISTINCT ?claim) AS ?claims)
  (COUNT(DISTINCT ?myth) AS ?misconceptions)
  (COUNT(DISTINCT ?concept) AS ?concepts)
WHERE {
  ?topic a dlc:Topic ; skos:prefLabel ?label .
  OPTIONAL {
    ?claim dlc:topic ?topic ; a dlc:Claim .
    OPTIONAL { ?claim dlc:truthStatus ?st . FILTER(?st != dlc:StatusTrue) BIND(?claim AS ?myth) }
  }
  OPTIONAL { ?concept dlc:topic ?topic ; a/rdfs:subClassOf* dlc:Concept . }
}
GROUP BY ?topic ?label
ORDER BY ?label"""


def graph_stats(graph) -> dict:
    """Claims by status, concepts, sources, triples, and the same per topic."""
    counts = _one_row(graph, _COUNTS)
    sources = _one_row(graph, _SOURCES)
    topics = [
        {
            "topic": str(row.label),
            "claims": int(row.claims),
            "misconceptions": int(row.misconceptions),
            "concepts": int(row.concepts),
        }
        for row in sparql.run(graph, _TOPICS)
    ]
    return {
        "claims": counts["claims"],
        "claims_by_status": {
            "true": counts["true_claims"],
            "false": counts["false_claims"],
            "partly_true": counts["partly_true_claims"],
        },
        "concepts": _one_row(graph, _CONCEPTS)["n"],
        "publications": sources["publications"],
        "source_sections": sources["sections"],
        "triples": len(graph),
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
        f"{'topic':<26}{'claims':>8}{'myths':>8}{'concepts':>10}",
    ]
    for t in stats["topics"]:
        lines.append(f"{t['topic']:<26}{t['claims']:>8}{t['misconceptions']:>8}{t['concepts']:>10}")
    return "\n".join(lines) + "\n"


def _one_row(graph, query: str) -> dict[str, int]:
    row = next(iter(sparql.run(graph, query)))
    return {k: int(v) for k, v in row.asdict().items()}
