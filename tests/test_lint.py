"""`dlcheck lint`: each finding on a graph made to have it, levels, exit status, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg import sparql
from kg.lint import lint_graph

QUERY = Path(__file__).parent.parent / "docs" / "queries" / "unmentioned-concepts.rq"
KG = "https://w3id.org/dlcheck/kg/"

FLAWED = """
@prefix c:       <https://w3id.org/dlcheck/kg/concept/> .
@prefix claim:   <https://w3id.org/dlcheck/kg/claim/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dlc:     <https://w3id.org/dlcheck/ontology#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix src:     <https://w3id.org/dlcheck/kg/source/> .

c:dl a dlc:Field ; skos:prefLabel "deep learning"@en .
c:gpu a dlc:Hardware ; skos:prefLabel "GPU"@en .
c:graphics-card a dlc:Hardware ; skos:prefLabel "graphics card"@en ; skos:altLabel "gpu"@en .
c:cpu a dlc:Hardware ; skos:prefLabel "CPU"@en .
c:lonely a dlc:Concept ; skos:prefLabel "lonely concept"@en .

src:book a dlc:Publication ; rdfs:label "A book"@en .
src:book-ch1 a dlc:SourceSection ; dcterms:isPartOf src:book ; rdfs:label "A book, ch. 1"@en .
src:unread a dlc:Publication ; rdfs:label "An unread paper"@en .

claim:needs-gpu a dlc:Claim ; rdfs:label "Deep learning needs a GPU."@en ;
    dlc:subject c:dl ; dlc:relation dlc:requires ; dlc:object c:gpu ;
    dlc:modality dlc:Always ; dlc:truthStatus dlc:StatusFalse ;
    dlc:correctedBy claim:needs-cpu ; prov:wasDerivedFrom src:book-ch1 .
claim:needs-cpu a dlc:Claim ; rdfs:label "Deep learning needs a CPU."@en ;
    dlc:subject c:dl ; dlc:relation dlc:requires ; dlc:object c:cpu ;
    dlc:modality dlc:Always ; dlc:truthStatus dlc:StatusFalse ; prov:wasDerivedFrom src:book-ch1 .
claim:can-use-gpu a dlc:Claim ; rdfs:label "Deep learning can use a GPU!"@en ;
    dlc:subject c:dl ; dlc:relation dlc:requires ; dlc:object c:gpu ;
    dlc:modality dlc:Can ; dlc:truthStatus dlc:StatusTrue ; prov:wasDerivedFrom src:nowhere .
"""


@pytest.fixture
def flawed(tmp_path) -> Path:
    path = tmp_path / "flawed.ttl"
    path.write_text(FLAWED)
    return path


def _found(findings) -> set[tuple[str, str, str]]:
    return {(f.level, f.code, f.subject.removeprefix(KG)) for f in findings}


def test_each_finding_on_a_flawed_graph(flawed):
    from kg.store import load_graph

    found = _found(lint_graph(load_graph([flawed])))
    assert found == {
        ("error", "duplicate-label", "concept/gpu"),
        ("error", "false-correction", "claim/needs-gpu"),
        ("warning", "unsupported-claim", "claim/can-use-gpu"),
        ("warning", "uncited-source", "source/unread"),
        ("warning", "duplicate-claim", "claim/can-use-gpu"),
        ("warning", "similar-claims", "claim/needs-cpu"),
        ("info", "unmentioned-concept", "concept/graphics-card"),
        ("info", "unmentioned-concept", "concept/lonely"),
    }


def test_cli_text_and_json_and_exit_status(run_cli, flawed):
    text = run_cli("lint", "--no-bundled", "--graph", str(flawed))
    assert text.exit_code == 1
    lines = text.output.splitlines()
    assert lines[0] == (
        'error    duplicate-label      c:gpu: shares "gpu" with c:graphics-card: '
        "the matcher cannot tell them apart"
    )
    assert lines[-1] == "2 error(s), 4 warning(s), 2 info(s)"
    as_json = run_cli("lint", "--no-bundled", "--graph", str(flawed), "--format", "json")
    assert as_json.exit_code == 1
    findings = json.loads(as_json.output)
    assert all(set(f) == {"level", "code", "subject", "message"} for f in findings)
    assert [f["level"] for f in findings] == ["error"] * 2 + ["warning"] * 4 + ["info"] * 2
    assert findings[0]["subject"] == KG + "concept/gpu"


def test_findings_are_kept_per_content_and_an_edit_is_linted_at_once(
    run_cli, flawed, tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    monkeypatch.setenv("DLCHECK_CACHE_DIR", str(cache))
    first = run_cli("lint", "--no-bundled", "--graph", str(flawed))
    assert first.exit_code == 1
    assert list(cache.glob("lint-*.pickle"))  # kept, keyed by the files' content
    again = run_cli("lint", "--no-bundled", "--graph", str(flawed))
    assert (again.exit_code, again.output) == (1, first.output)
    # The graphics card no longer shares "gpu" with the GPU: the next lint says so.
    flawed.write_text(FLAWED.replace(' ; skos:altLabel "gpu"@en', ""))
    edited = run_cli("lint", "--no-bundled", "--graph", str(flawed))
    assert edited.exit_code == 1  # the false correction is still there
    assert "duplicate-label" not in edited.output
    assert edited.output.splitlines()[-1] == "1 error(s), 4 warning(s), 2 info(s)"


def test_warnings_alone_exit_0(run_cli, tmp_path):
    path = tmp_path / "lonely.ttl"
    path.write_text(
        "@prefix dlc: <https://w3id.org/dlcheck/ontology#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<https://w3id.org/dlcheck/kg/concept/x> a dlc:Concept ; skos:prefLabel "x"@en .\n'
    )
    result = run_cli("lint", "--no-bundled", "--graph", str(path))
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "0 error(s), 0 warning(s), 1 info(s)"


def test_bundled_graph_lints(bundled_findings):
    findings = bundled_findings
    assert {f.level for f in findings} <= {"error", "warning", "info"}
    assert all(f.subject.startswith("https://") and f.message for f in findings)


def test_unmentioned_concepts_query_agrees_with_lint(graph, bundled_findings, flawed):
    from kg.store import load_graph

    small = load_graph([flawed])
    for data, findings in ((graph, bundled_findings), (small, lint_graph(small))):
        rows = sparql.run(data, QUERY.read_text())
        listed = {str(row.concept) for row in rows}
        linted = {f.subject for f in findings if f.code == "unmentioned-concept"}
        assert listed == linted
    assert {str(r.concept) for r in sparql.run(load_graph([flawed]), QUERY.read_text())} == {
        KG + "concept/graphics-card",
        KG + "concept/lonely",
    }


def test_ci_lints_the_graph_and_fails_on_errors():
    """CI runs `dlcheck lint` (exit 1 on errors) under `set -e`, before the tests."""
    from conftest import FIXTURES

    script = (FIXTURES.parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in script.splitlines()]
    assert "set -euo pipefail" in lines
    assert lines.index("dlcheck lint") < lines.index("python -m pytest -n auto")


SECTIONS = """
@prefix c:       <https://w3id.org/dlcheck/kg/concept/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dlc:     <https://w3id.org/dlcheck/ontology#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix src:     <https://w3id.org/dlcheck/kg/source/> .

src:book a dlc:Publication ; rdfs:label "A book"@en ; dcterms:title "Deep  Learning" .
src:other a dlc:Publication ; rdfs:label "Another book"@en ; dcterms:title "Deep Learning 2" .
src:copy a dlc:Publication ; rdfs:label "A copy"@en ; dcterms:title "deep learning" .
src:copy-1 a dlc:SourceSection ; dcterms:isPartOf src:copy ; dlc:section "1 Introduction" .
src:book-9-2 a dlc:SourceSection ; dcterms:isPartOf src:book ; dlc:section "9.2 Tokens" .
src:again-9-2 a dlc:SourceSection ; dcterms:isPartOf src:book ;
    dlc:section "Section 9.2 Tokens (9.2.1 Splitting)" .
src:book-9-3 a dlc:SourceSection ; dcterms:isPartOf src:book ; dlc:section "9.3 Language Models" .
src:book-9-31 a dlc:SourceSection ; dcterms:isPartOf src:book ; dlc:section "9.31 Appendix" .
src:other-9-2 a dlc:SourceSection ; dcterms:isPartOf src:other ; dlc:section "9.2 Tokens" .
src:myth a dlc:SourceSection ; dcterms:isPartOf src:other ; dlc:section "Myth 1: Data" .
src:myth-part a dlc:SourceSection ; dcterms:isPartOf src:other ; dlc:section "Myth 1 > More" .
src:range a dlc:SourceSection ; dcterms:isPartOf src:other ; dlc:section "Sections 2-4: Curves" .
src:range-2 a dlc:SourceSection ; dcterms:isPartOf src:other ; dlc:section "2 Curves" .

c:token a dlc:Concept ; skos:prefLabel "token"@en ;
    prov:wasDerivedFrom src:book-9-2 , src:again-9-2 , src:book-9-3 , src:book-9-31 ,
        src:other-9-2 , src:myth , src:myth-part , src:range , src:range-2 , src:copy-1 .
"""


def test_a_section_or_a_publication_held_twice_is_an_error(run_cli, tmp_path):
    """One section, one node: "Section 9.2 ..." and "9.2 ..." of one book are the same
    section, whatever their titles add; the same number in another book, a longer number
    (9.31), a range and names without a leading number are not. Two publications with one
    title (case and spacing aside) are one publication."""
    path = tmp_path / "sections.ttl"
    path.write_text(SECTIONS)
    result = run_cli("lint", "--no-bundled", "--graph", str(path))
    assert result.exit_code == 1
    assert result.output.splitlines()[:-2] == [
        "error    duplicate-publication src:copy: has the title of src:book, "
        '"Deep  Learning": merge them into one node, and their sections',
        "error    duplicate-section    src:book-9-2: is section 9.2 of src:book, "
        "as src:again-9-2 is: merge them into one node and cite it",
    ]
    assert result.output.splitlines()[-1] == "2 error(s), 0 warning(s), 1 info(s)"
