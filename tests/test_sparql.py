"""Curators' SPARQL: read-only, never reaches the network, answers the documented questions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg import sparql
from kg.errors import QueryRefused, QuerySyntaxError

QUERIES = Path(__file__).parent.parent / "docs" / "queries"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { SERVICE SILENT <http://example.org/s> { ?s ?p ?o } }", "SERVICE"),
        ("ASK { FILTER EXISTS { SERVICE <http://example.org/s> { ?s ?p ?o } } }", "SERVICE"),
        ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", "FROM"),
        ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
        ("LOAD <http://example.org/data.ttl>", "update"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "update"),
        ("DELETE WHERE { ?s ?p ?o }", "update"),
        ("CLEAR ALL", "update"),
    ],
)
def test_queries_that_write_or_reach_out_are_refused(text, reason):
    with pytest.raises(QueryRefused, match=reason):
        sparql.prepare(text)


def test_syntax_error_shows_the_position():
    with pytest.raises(QuerySyntaxError, match=r"line 2, column \d+"):
        sparql.prepare("SELECT ?s\nWHERE { ?s ?p }")


def test_unknown_prefix_is_a_clear_error():
    with pytest.raises(QuerySyntaxError, match="foo"):
        sparql.prepare("SELECT * WHERE { ?s foo:bar ?o }")


def test_myths_query_lists_each_myth_with_its_correction(graph):
    rows = list(sparql.run(graph, (QUERIES / "myths-and-corrections.rq").read_text()))
    myths = {str(r.myth).rsplit("/", 1)[-1]: str(r.correction_label) for r in rows}
    assert "dl-requires-specialized-hardware" in myths
    assert "CPUs" in myths["dl-requires-specialized-hardware"]
    assert len(myths) >= 5


def test_techniques_query_names_the_refuting_techniques(graph):
    rows = list(sparql.run(graph, (QUERIES / "techniques-refuting-claim.rq").read_text()))
    assert {str(r.technique_label) for r in rows} == {
        "transfer learning",
        "data augmentation",
        "few-shot learning",
    }
    assert all(str(r.section).startswith("Myth 1") for r in rows)


def test_section_query_lists_the_claims_citing_it(graph):
    rows = list(sparql.run(graph, (QUERIES / "claims-citing-section.rq").read_text()))
    labels = [str(r.label) for r in rows]
    assert "Deep learning requires specialized hardware such as GPUs or TPUs." in labels
    assert all(
        "CPU" in label
        or "hardware" in label.lower()
        or "GPU" in label
        or "cloud" in label.lower()
        or "Cloud" in label
        for label in labels
    )


def test_select_json_follows_the_w3c_results_format(graph):
    result = sparql.run(
        graph, "SELECT ?p ?t WHERE { VALUES ?p { src:holbox-2025 } ?p dcterms:title ?t }"
    )
    data = json.loads(sparql.format_result(result, "json"))
    assert data["head"]["vars"] == ["p", "t"]
    binding = data["results"]["bindings"][0]
    assert binding["p"]["type"] == "uri"
    assert binding["t"] == {
        "type": "literal",
        "value": "Which Of The Following Is Not True About Deep Learning",
    }


def test_ask_and_construct(graph):
    ask = sparql.run(graph, "ASK { c:deep-learning skos:broader c:machine-learning }")
    assert sparql.format_result(ask, "table") == "true\n"
    assert json.loads(sparql.format_result(ask, "json")) == {"head": {}, "boolean": True}
    construct = sparql.run(
        graph,
        "CONSTRUCT { ?c skos:prefLabel ?l } "
        "WHERE { ?c skos:broader c:hardware ; skos:prefLabel ?l }",
    )
    turtle = sparql.format_result(construct, "table")
    assert "c:cpu" in turtle and '"CPU"@en' in turtle


def test_csv_and_tsv_have_a_header_row(graph):
    result = sparql.run(graph, "SELECT ?l WHERE { c:gpu skos:prefLabel ?l }")
    assert sparql.format_result(result, "csv") == "l\nGPU\n"
    assert sparql.format_result(result, "tsv") == "l\nGPU\n"
