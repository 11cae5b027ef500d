"""The bundled graph holds every fact of the seed article, each sourced, and passes SHACL."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ontology import CLAIM, CONCEPT, DLC, SOURCE

PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
DCTERMS_PART = URIRef("http://purl.org/dc/terms/isPartOf")

MYTHS = [
    ("dl-requires-massive-datasets", "holbox-2025-myth1"),
    ("dl-models-are-black-boxes", "holbox-2025-myth2"),
    ("dl-solves-any-problem", "holbox-2025-myth3"),
    ("dl-requires-specialized-hardware", "holbox-2025-myth4"),
    ("dl-restricted-to-experts", "holbox-2025-myth5"),
]


@pytest.mark.parametrize(("myth", "section"), MYTHS)
def test_each_myth_is_false_sourced_and_corrected(graph, myth, section):
    claim = CLAIM[myth]
    assert graph.value(claim, DLC.truthStatus) == DLC.StatusFalse
    assert SOURCE[section] in set(graph.objects(claim, PROV_DERIVED))
    corrections = list(graph.objects(claim, DLC.correctedBy))
    assert corrections, f"{myth} has no correction"
    for correction in corrections:
        assert graph.value(correction, DLC.truthStatus) == DLC.StatusTrue


@pytest.mark.parametrize(
    ("myth", "techniques"),
    [
        (
            "dl-requires-massive-datasets",
            {"transfer-learning", "data-augmentation", "few-shot-learning"},
        ),
        (
            "dl-models-are-black-boxes",
            {
                "feature-visualization",
                "saliency-map",
                "attention-mechanism",
                "layer-wise-relevance-propagation",
                "shap",
            },
        ),
    ],
)
def test_myths_are_refuted_by_the_articles_techniques(graph, myth, techniques):
    refuters = {
        str(graph.value(evidence, DLC.subject)).rsplit("/", 1)[-1]
        for evidence in graph.objects(CLAIM[myth], DLC.refutedBy)
    }
    assert techniques <= refuters


@pytest.mark.parametrize(
    "limitation",
    ["data-bias", "lack-of-generalizability", "computational-cost", "interpretability-challenge"],
)
def test_the_five_limitations_are_true_claims(graph, limitation):
    claims = set(graph.subjects(DLC.object, CONCEPT[limitation]))
    statuses = {graph.value(c, DLC.truthStatus) for c in claims}
    assert DLC.StatusTrue in statuses


def test_symbolic_reasoning_is_a_limitation(graph):
    claim = CLAIM["dl-struggles-with-symbolic-reasoning"]
    assert graph.value(claim, DLC.object) == CONCEPT["symbolic-reasoning"]
    assert graph.value(claim, DLC.truthStatus) == DLC.StatusTrue


def test_every_claim_cites_a_section_of_a_publication(graph):
    claims = set(graph.subjects(RDF.type, DLC.Claim))
    assert len(claims) >= 60
    for claim in claims:
        sources = list(graph.objects(claim, PROV_DERIVED))
        assert sources, claim
        for source in sources:
            assert graph.value(source, DLC.section), source
            publication = graph.value(source, DCTERMS_PART)
            assert (publication, RDF.type, DLC.Publication) in graph, source
            for field in ("title", "creator", "date"):
                term = URIRef(f"http://purl.org/dc/terms/{field}")
                assert graph.value(publication, term) is not None, (publication, field)


def test_the_seed_articles_claims_cite_it(graph):
    cited = {
        claim
        for claim, section in graph.subject_objects(PROV_DERIVED)
        if graph.value(section, DCTERMS_PART) == SOURCE["holbox-2025"]
    }
    assert len(cited) >= 80


def test_taxonomy_places_deep_learning_under_machine_learning(graph):
    assert (CONCEPT["deep-learning"], SKOS.broader, CONCEPT["machine-learning"]) in graph
    assert (
        CONCEPT["deep-learning"],
        SKOS.exactMatch,
        URIRef("http://www.wikidata.org/entity/Q197536"),
    ) in graph


@pytest.mark.parametrize(
    ("concept", "synonym"),
    [
        ("layer-wise-relevance-propagation", "LRP"),
        ("shap", "SHapley Additive exPlanations"),
        ("deep-learning", "DL"),
        ("neural-network", "NN"),
        ("pre-trained-model", "pretrained model"),
        ("gpu", "graphics processing unit"),
    ],
)
def test_concepts_carry_synonyms_and_abbreviations(graph, concept, synonym):
    labels = {str(label) for label in graph.objects(CONCEPT[concept], SKOS.altLabel)}
    assert synonym in labels


def test_bundled_graph_conforms_to_the_shapes(graph):
    from kg.validate import validate

    report = validate(graph)
    assert report.conforms, report.text()


def test_broken_fixture_fails_with_a_useful_report():
    from conftest import FIXTURES

    from kg.store import load_graph
    from kg.validate import validate

    report = validate(load_graph([FIXTURES / "broken.ttl"]))
    assert not report.conforms
    text = report.text()
    assert "claim:unsourced (dlc:truthStatus)" in text
    assert "claim:uncorrected-myth: A false claim needs a correction" in text
    assert "c:nameless (skos:prefLabel)" in text


INCOMPLETE_MYTHS = """
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
src:book a dlc:Publication ; dcterms:title "A book" ; dcterms:creator "Someone" ;
    dcterms:date "2020" .
src:book-ch1 a dlc:SourceSection ; dcterms:isPartOf src:book ; dlc:section "1" .
claim:can-use-gpu a dlc:Claim ; rdfs:label "Deep learning can use a GPU."@en ;
    dlc:subject c:dl ; dlc:relation dlc:usableBy ; dlc:object c:gpu ; dlc:modality dlc:Can ;
    dlc:truthStatus dlc:StatusTrue ; prov:wasDerivedFrom src:book-ch1 .
claim:refuted-only a dlc:Claim ; rdfs:label "Deep learning needs a GPU."@en ;
    dlc:subject c:dl ; dlc:relation dlc:requires ; dlc:object c:gpu ; dlc:modality dlc:Always ;
    dlc:truthStatus dlc:StatusFalse ; dlc:refutedBy claim:can-use-gpu ;
    prov:wasDerivedFrom src:book-ch1 .
claim:condition-only a dlc:Claim ; rdfs:label "Deep learning generally needs a GPU."@en ;
    dlc:subject c:dl ; dlc:relation dlc:requires ; dlc:object c:gpu ; dlc:modality dlc:Generally ;
    dlc:truthStatus dlc:StatusPartlyTrue ; dlc:condition "For large models."@en ;
    prov:wasDerivedFrom src:book-ch1 .
claim:correction-only a dlc:Claim ; rdfs:label "Deep learning can need a GPU."@en ;
    dlc:subject c:dl ; dlc:relation dlc:requires ; dlc:object c:gpu ; dlc:modality dlc:Can ;
    dlc:truthStatus dlc:StatusPartlyTrue ; dlc:correctedBy claim:can-use-gpu ;
    prov:wasDerivedFrom src:book-ch1 .
claim:complete a dlc:Claim ; rdfs:label "Deep learning always benefits from a GPU."@en ;
    dlc:subject c:dl ; dlc:relation dlc:benefitsFrom ; dlc:object c:gpu ; dlc:modality dlc:Always ;
    dlc:truthStatus dlc:StatusPartlyTrue ; dlc:condition "For large models."@en ;
    dlc:correctedBy claim:can-use-gpu ; prov:wasDerivedFrom src:book-ch1 .
"""


MYTH_COMPLETENESS = Path(__file__).parent.parent / "docs" / "queries" / "myth-completeness.rq"


def _myth_counts(graph) -> dict[str, tuple[int, int, int]]:
    """status -> (claims, with a correction, with a condition), from the curator query."""
    from kg import sparql

    rows = sparql.run(graph, MYTH_COMPLETENESS.read_text())
    return {
        str(row.status).rsplit("#", 1)[-1]: (
            int(row.claims),
            int(row.with_correction),
            int(row.with_condition),
        )
        for row in rows
    }


def test_every_myth_carries_its_correction_and_a_partly_true_one_its_condition(tmp_path):
    """A false claim with only a refutation, a partly true one with only a condition or only a
    correction: each fails the shapes, and the curator query's counts show the gaps."""
    from kg.store import load_graph
    from kg.validate import validate

    path = tmp_path / "myths.ttl"
    path.write_text(INCOMPLETE_MYTHS)
    graph = load_graph([path])
    text = validate(graph).text()
    assert "claim:refuted-only: A false claim needs a correction (dlc:correctedBy)" in text
    for partly in ("condition-only", "correction-only"):
        assert f"claim:{partly}: A partly true claim needs the condition" in text
    assert "claim:complete" not in text and "claim:can-use-gpu" not in text
    assert _myth_counts(graph) == {
        "StatusTrue": (1, 0, 0),
        "StatusFalse": (1, 0, 0),
        "StatusPartlyTrue": (3, 2, 2),
    }


MYTHS_OF_EVERY_KIND = """
@prefix claim:   <https://w3id.org/dlcheck/kg/claim/> .
@prefix dlc:     <https://w3id.org/dlcheck/ontology#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex:      <urn:example:> .

ex:Myth rdfs:subClassOf dlc:Claim .
claim:myth-of-a-subclass a ex:Myth ; dlc:truthStatus dlc:StatusFalse .
claim:false-and-partly-true a dlc:Claim ; dlc:truthStatus dlc:StatusFalse , dlc:StatusPartlyTrue ;
    dlc:condition "For large models."@en .
claim:of-no-known-status a dlc:Claim ; dlc:truthStatus ex:Unknown .
claim:of-no-status a dlc:Claim .
ex:untyped dlc:truthStatus dlc:StatusFalse .
"""


def test_the_myth_shapes_report_each_claim_of_their_status_once(tmp_path):
    """Exactly the claims of a status, by class or subclass, get the status's one line, and
    validating file by file says the same as validating the whole graph."""
    from kg.store import load_graph
    from kg.validate import validate, validate_files

    complete = "".join(
        f'claim:{name} rdfs:label "{name}"@en ; dlc:subject c:dl ; dlc:relation dlc:requires ;'
        f" dlc:object c:gpu ; prov:wasDerivedFrom src:book-ch1 .\n"
        for name in ("myth-of-a-subclass", "false-and-partly-true", "of-no-known-status")
    )
    path = tmp_path / "myths.ttl"
    path.write_text(INCOMPLETE_MYTHS + MYTHS_OF_EVERY_KIND + complete)
    report = validate(load_graph([path]))
    false, partly = "A false claim needs a", "A partly true claim needs"
    one, least = "A claim needs exactly one", "A claim needs at least"
    assert [(v.focus, v.path, " ".join(v.message.split()[:5])) for v in report.violations] == [
        ("claim:condition-only", None, partly),
        ("claim:correction-only", None, partly),
        ("claim:false-and-partly-true", None, false),
        ("claim:false-and-partly-true", None, partly),
        ("claim:false-and-partly-true", "dlc:truthStatus", one),
        ("claim:myth-of-a-subclass", None, false),
        ("claim:of-no-known-status", "dlc:truthStatus", one),
        ("claim:of-no-status", "dlc:object", one),
        ("claim:of-no-status", "dlc:relation", one),
        ("claim:of-no-status", "dlc:subject", one),
        ("claim:of-no-status", "dlc:truthStatus", one),
        ("claim:of-no-status", "prov:wasDerivedFrom", least),
        ("claim:of-no-status", "rdfs:label", "A claim needs one non-empty"),
        ("claim:refuted-only", None, false),
    ]
    assert validate_files([path]) == report


def test_no_myth_in_the_bundled_graph_lacks_its_correction_or_condition(graph):
    counts = _myth_counts(graph)
    myths, corrected, _ = counts["StatusFalse"]
    assert myths >= 800 and corrected == myths
    assert len(set(counts["StatusPartlyTrue"])) == 1  # every partly true myth has both


def test_a_claim_labelled_twice_in_one_language_fails(tmp_path):
    """Two files giving one claim IRI two labels make two claims under one name."""
    from kg.store import load_graph
    from kg.validate import validate

    twice = tmp_path / "twice.ttl"
    twice.write_text(
        "@prefix claim: <https://w3id.org/dlcheck/kg/claim/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'claim:dl-requires-specialized-hardware rdfs:label "Deep learning needs GPUs."@en .\n'
    )
    from conftest import seed_files

    report = validate(load_graph([*seed_files(), twice]))
    assert not report.conforms
    assert "claim:dl-requires-specialized-hardware (rdfs:label)" in report.text()


def test_namespace_class_matches_the_ontology_file(graph):
    from ontology.namespace import DLC as Vocabulary

    declared = {
        str(s)[len(str(DLC)) :]
        for s in graph.subjects()
        if isinstance(s, URIRef) and str(s).startswith(str(DLC))
    }
    in_python = set(Vocabulary.__annotations__)
    assert declared == in_python
    for term in declared:
        assert graph.value(DLC[term], RDFS.label) is not None, f"dlc:{term} has no rdfs:label"
        assert graph.value(DLC[term], RDFS.comment) is not None, f"dlc:{term} has no rdfs:comment"
    with pytest.raises(AttributeError):
        _ = Vocabulary.Clam


def test_every_wikidata_link_is_a_well_formed_item_iri(graph):
    """skos:exactMatch links a concept to one Wikidata item: http://www.wikidata.org/entity/Q<n>
    (the entity IRI, not the wiki page), and no two concepts claim the same item."""
    import re

    links = list(graph.subject_objects(SKOS.exactMatch))
    assert links, "the seed concepts carry Wikidata links"
    item = re.compile(r"http://www\.wikidata\.org/entity/Q[1-9][0-9]*")
    assert [(s, o) for s, o in links if not (isinstance(o, URIRef) and item.fullmatch(o))] == []
    assert all(len(list(graph.objects(s, SKOS.exactMatch))) == 1 for s, _ in links)
    assert len({o for _, o in links}) == len(links)
