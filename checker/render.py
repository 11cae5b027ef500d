"""Turning a Verdict into what people and tools read: text, JSON, ClaimReview, pictures."""

from __future__ import annotations

import json
from datetime import date

from checker.check import CUE_KINDS, Verdict
from kg.knowledge import KnowledgeBase
from ontology.names import local_name

_COLOURS = {"true": "green", "false": "red", "partly_true": "yellow", "unknown": "blue"}
# schema.org ClaimReview ratings: 1 worst .. 5 best.
_RATINGS = {"false": 1, "partly_true": 3, "true": 5}


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

    Everything but the text and the cues is the same for every statement that reached the
    same decision, so that JSON is made once per decision and reused: it is most of the
    bytes of a line.
    """
    head, tail = _decision_json(verdict)
    if verdict.sentences:
        tail += ', "sentences": [' + ", ".join(as_json(v) for v in verdict.sentences) + "]"
    return f'{{"text": {_string(verdict.text)}, {head}, "cues": {_cues_json(verdict)}, {tail}}}'


# json.dumps(s, ensure_ascii=False) for a str, without building an encoder per call.
_string = json.encoder.encode_basestring
_encode = json.JSONEncoder(ensure_ascii=False).encode


def _cues_json(verdict: Verdict) -> str:
    text = verdict.text
    return (
        "["
        + ", ".join(
            f'{{"text": {_string(text[c.start_char : c.end_char])}, "kind": "{c.rule.category}", '
            f'"start": {c.start_char}, "end": {c.end_char}}}'
            for c in verdict.cues
            if c.rule.category in CUE_KINDS
        )
        + "]"
    )


def _decision_json(verdict: Verdict) -> tuple[str, str]:
    """The JSON of a verdict but its text and cues, before and after the cues; kept on the
    decision it shares with every statement read alike."""
    decision = verdict.decision
    if decision is not None and decision.rendered:
        return decision.rendered[0], decision.rendered[1]
    data = verdict.as_dict()
    head = ", ".join(f'"{k}": {_encode(data[k])}' for k in ("verdict", "claim", "reading"))
    tail = ", ".join(
        f'"{k}": {_encode(data[k])}' for k in ("justification", "explanation", "sources")
    )
    if decision is not None:
        decision.rendered[:] = [head, tail]
    return head, tail


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
        value = _RATINGS[verdict.verdict]
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
        lines.append(f'  {a} -- "{_quote_mermaid(local_name(edge.predicate))}" --> {b}')
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
            f"[label={_quote_dot(local_name(edge.predicate))}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quote_mermaid(text: str) -> str:
    return text.replace('"', "#quot;")


def _quote_dot(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
