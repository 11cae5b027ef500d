"""Turning a Verdict into what people and tools read: text, JSON, ClaimReview, pictures."""

from __future__ import annotations

import json
from datetime import date

from checker.check import Verdict
from kg.knowledge import KnowledgeBase

_COLOURS = {"true": "green", "false": "red", "partly_true": "yellow", "unknown": "blue"}
# schema.org ClaimReview ratings: 1 worst .. 5 best.
_RATINGS = {"false": (1, "False"), "partly_true": (3, "Partly true"), "true": (5, "True")}


def as_text(verdict: Verdict, kb: KnowledgeBase, colour: bool = False) -> str:
    import click

    word = verdict.verdict.replace("_", " ").upper()
    head = click.style(word, fg=_COLOURS[verdict.verdict], bold=True) if colour else word
    lines = [f"{head}  {verdict.text}", f"  {verdict.explanation}"]
    if verdict.justification:
        lines.append("  Why (path through the graph):")
        for edge in verdict.justification:
            cite = ""
            if edge.source and edge.source in kb.sources:
                cite = f"  [{kb.sources[edge.source].label}]"
            lines.append(f"    - {edge.label}{cite}")
    return "\n".join(lines) + "\n"


def as_json(verdict: Verdict) -> str:
    """One JSON object per verdict, keys in the contract's order.

    The claim, path, explanation and sources are the same for every statement that reached
    the same decision, so their JSON is made once per decision and reused: it is most of the
    bytes of a line.
    """
    claim, justification, explanation, sources = _decision_json(verdict)
    return (
        f'{{"text": {_encode(verdict.text)}, "verdict": "{verdict.verdict}", '
        f'"claim": {claim}, "reading": {_reading_json(verdict)}, '
        f'"cues": {_encode(verdict.cue_dicts())}, '
        f'"justification": {justification}, "explanation": {explanation}, '
        f'"sources": {sources}}}'
    )


# One encoder for every line: json.dumps with options builds a new one per call.
_encode = json.JSONEncoder(ensure_ascii=False).encode

# id(reading) -> (that reading, its JSON): a decision's reading is one shared object.
_READINGS: dict[int, tuple[object, str]] = {}


def _reading_json(verdict: Verdict) -> str:
    cached = _READINGS.get(id(verdict.reading))
    if cached is not None and cached[0] is verdict.reading:
        return cached[1]
    text = _encode(verdict.reading_dict())
    if len(_READINGS) < 50_000:
        _READINGS[id(verdict.reading)] = (verdict.reading, text)
    return text


# id(justification tuple) -> (that tuple, the explanation, the decision's JSON pieces). The
# tuple is kept so an id reused after garbage collection is never mistaken for the old one;
# the explanation tells apart decisions that share the empty path.
_DECISIONS: dict[int, tuple[tuple, str, tuple[str, str, str, str]]] = {}


def _decision_json(verdict: Verdict) -> tuple[str, str, str, str]:
    from checker.check import _source_dict

    key = id(verdict.justification)
    cached = _DECISIONS.get(key)
    if (
        cached is not None
        and cached[0] is verdict.justification
        and cached[1] == verdict.explanation
    ):
        return cached[2]
    claim = verdict.claim
    pieces = (
        json.dumps(
            None
            if claim is None
            else {"id": claim.iri, "label": claim.label, "status": claim.status},
            ensure_ascii=False,
        ),
        json.dumps([e.as_dict() for e in verdict.justification], ensure_ascii=False),
        json.dumps(verdict.explanation, ensure_ascii=False),
        json.dumps([_source_dict(s) for s in verdict.sources], ensure_ascii=False),
    )
    if len(_DECISIONS) < 50_000:
        _DECISIONS[key] = (verdict.justification, verdict.explanation, pieces)
    return pieces


def as_claim_review(verdict: Verdict, kb: KnowledgeBase) -> dict:
    """A schema.org ClaimReview of the statement, with the justification as its evidence."""
    review: dict = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": verdict.text,
        "datePublished": date.today().isoformat(),
        "author": {"@type": "Organization", "name": "dlcheck knowledge graph"},
        "reviewRating": {
            "@type": "Rating",
            "alternateName": verdict.verdict.replace("_", " "),
            "ratingExplanation": verdict.explanation,
        },
        "itemReviewed": {
            "@type": "Claim",
            "text": verdict.text,
        },
        "isBasedOn": [
            {
                "@type": "CreativeWork",
                "@id": s.iri,
                "name": s.title or s.label,
                "author": s.creator,
                "datePublished": s.date,
                "citation": s.section,
            }
            for s in verdict.sources
        ],
        "hasPart": [
            {"@type": "Statement", "text": edge.label, "citation": edge.source}
            for edge in verdict.justification
        ],
    }
    if verdict.verdict in _RATINGS:
        value, _ = _RATINGS[verdict.verdict]
        review["reviewRating"].update({"ratingValue": value, "bestRating": 5, "worstRating": 1})
    if verdict.claim is not None:
        review["itemReviewed"]["sameAs"] = verdict.claim.iri
    return review


def as_mermaid(verdict: Verdict, kb: KnowledgeBase) -> str:
    """A Mermaid flowchart of the justification subgraph."""
    ids: dict[str, str] = {}
    lines = ["flowchart LR"]

    def node(iri: str) -> str:
        if iri not in ids:
            ids[iri] = f"n{len(ids)}"
            label = _quote_mermaid(kb.label(iri))
            shape = f'["{label}"]' if iri in kb.claims else f'("{label}")'
            lines.append(f"  {ids[iri]}{shape}")
        return ids[iri]

    for edge in verdict.justification:
        a, b = node(edge.subject), node(edge.object)
        lines.append(f'  {a} -- "{_quote_mermaid(_predicate(edge.predicate))}" --> {b}')
    if len(lines) == 1:
        lines.append(f'  n0["{_quote_mermaid(verdict.explanation)}"]')
    return "\n".join(lines) + "\n"


def as_dot(verdict: Verdict, kb: KnowledgeBase) -> str:
    """A Graphviz DOT digraph of the justification subgraph."""
    lines = ["digraph justification {", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    seen: set[str] = set()
    for edge in verdict.justification:
        for iri in (edge.subject, edge.object):
            if iri not in seen:
                seen.add(iri)
                shape = "box" if iri in kb.claims else "ellipse"
                lines.append(
                    f"  {_quote_dot(iri)} [label={_quote_dot(kb.label(iri))}, shape={shape}];"
                )
        lines.append(
            f"  {_quote_dot(edge.subject)} -> {_quote_dot(edge.object)} "
            f"[label={_quote_dot(_predicate(edge.predicate))}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _predicate(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _quote_mermaid(text: str) -> str:
    return text.replace('"', "#quot;")


def _quote_dot(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
