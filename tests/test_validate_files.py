"""`dlcheck validate` file by file: the report of validating the whole graph at once, and after
an edit only the files it touches run again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

from kg import validate as validation
from kg.store import load_graph

PREFIXES = """
@prefix c:       <https://w3id.org/dlcheck/kg/concept/> .
@prefix claim:   <https://w3id.org/dlcheck/kg/claim/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dlc:     <https://w3id.org/dlcheck/ontology#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix src:     <https://w3id.org/dlcheck/kg/source/> .
"""
# Concepts and a source, one concept labelled only in the claims' file (a shared subject).
CONCEPTS = """
c:gpu a dlc:Hardware ; skos:prefLabel "GPU"@en .
c:dl a dlc:Field ; skos:prefLabel "deep learning"@en ; skos:broader c:ml .
c:ml a dlc:Field ; skos:prefLabel "machine learning"@en .
c:split a dlc:Technique .
src:book a dlc:Publication ; dcterms:title "A book" ; dcterms:creator "Someone" ;
    dcterms:date "2020" .
src:book-ch1 a dlc:SourceSection ; dcterms:isPartOf src:book ; dlc:section "1" .
claim:elsewhere a dlc:Claim ; rdfs:label "Deep learning runs on GPUs."@en ;
    dlc:subject c:dl ; dlc:relation dlc:requires ; dlc:object c:gpu ;
    dlc:truthStatus dlc:StatusTrue ; prov:wasDerivedFrom src:book-ch1 .
"""
CLAIMS = """
c:split skos:prefLabel "split concept"@en .
c:orphan a dlc:Technique ; skos:altLabel "no preferred label"@en ; skos:broader src:book .
claim:good a dlc:Claim ; rdfs:label "Deep learning needs a GPU."@en ;
    dlc:subject c:dl ; dlc:relation dlc:requires ; dlc:object c:gpu ;
    dlc:truthStatus dlc:StatusFalse ; dlc:correctedBy claim:elsewhere ;
    prov:wasDerivedFrom src:book-ch1 .
claim:wrong-ends a dlc:Claim ; rdfs:label "A book needs deep learning."@en ;
    dlc:subject src:book ; dlc:relation dlc:requires ; dlc:object c:dl ;
    dlc:truthStatus dlc:StatusFalse ; dlc:refutedBy c:gpu ;
    prov:wasDerivedFrom c:split .
claim:bare a dlc:Claim ; dlc:subject c:split ; dlc:relation dlc:requires ; dlc:object c:ml .
"""


@pytest.fixture
def topic_files(tmp_path) -> list[Path]:
    concepts, claims = tmp_path / "a-concepts.ttl", tmp_path / "b-claims.ttl"
    concepts.write_text(PREFIXES + CONCEPTS)
    claims.write_text(PREFIXES + CLAIMS)
    return [concepts, claims]


@pytest.fixture
def own_cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("DLCHECK_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def shacl_runs(monkeypatch) -> list:
    """Each pySHACL run, counted."""
    import pyshacl

    runs = []
    real = pyshacl.validate

    def counted(data, *args, **kwargs):
        runs.append(len(data))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(pyshacl, "validate", counted)
    return runs


def test_file_by_file_reports_what_the_whole_graph_does(own_cache, topic_files):
    whole = validation.validate(load_graph(topic_files))
    by_file = validation.validate_files(topic_files)
    assert by_file == whole
    assert not whole.conforms and len(whole.violations) >= 8
    focus = {v.focus for v in whole.violations}
    assert {"claim:wrong-ends", "claim:bare", "c:orphan"} <= focus
    assert "c:split" not in focus and "claim:good" not in focus  # described across two files


def test_broken_fixture_reports_the_same_five_problems(own_cache):
    files = [FIXTURES / "broken.ttl"]
    report = validation.validate_files(files)
    assert report == validation.validate(load_graph(files))
    assert report.text().startswith("The graph does not conform: 5 problem(s).")


def test_after_one_edit_only_that_file_runs_again(own_cache, topic_files, shacl_runs):
    progress = []
    first = validation.validate_files(topic_files, lambda *told: progress.append(told))
    assert len(shacl_runs) == 3  # the ontology and both files
    assert progress[-1] == (3, 3, "b-claims.ttl")

    assert validation.validate_files(topic_files) == first
    assert len(shacl_runs) == 3  # nothing changed, nothing ran

    claims = topic_files[1]
    claims.write_text(
        claims.read_text().replace(
            "claim:bare a dlc:Claim ;", 'claim:bare a dlc:Claim ; rdfs:label "Bare."@en ;'
        )
    )
    edited = validation.validate_files(topic_files)
    assert len(shacl_runs) == 4
    assert edited == validation.validate(load_graph(topic_files))
    assert len(edited.violations) == len(first.violations) - 1


def test_a_change_in_what_a_file_uses_runs_that_file_again(own_cache, topic_files, shacl_runs):
    validation.validate_files(topic_files)
    concepts = topic_files[0]
    # c:gpu stops being a concept: the claims' file, which points at it, must run again.
    concepts.write_text(concepts.read_text().replace("c:gpu a dlc:Hardware", "c:gpu a dlc:Source"))
    report = validation.validate_files(topic_files)
    assert len(shacl_runs) == 3 + 2
    assert report == validation.validate(load_graph(topic_files))
    assert any(v.focus == "claim:good" and v.path == "dlc:object" for v in report.violations)


def test_shapes_reaching_past_a_file_run_once_on_the_whole_graph(
    own_cache, topic_files, tmp_path, monkeypatch
):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        validation.shapes_file().read_text()
        + """
dlsh:CitedSourceShape a sh:NodeShape ;
    sh:targetObjectsOf prov:wasDerivedFrom ;
    sh:property [ sh:path [ sh:inversePath prov:wasDerivedFrom ] ; sh:maxCount 1 ;
                  sh:message "Cited at most once (a test shape)." ] .
dlsh:CorrectionShape a sh:NodeShape ;
    sh:target [ a sh:SPARQLTarget ; sh:prefixes dlsh:prefixes ;
                sh:select "SELECT ?this WHERE { ?myth dlc:correctedBy ?this }" ] ;
    sh:property [ sh:path dlc:truthStatus ; sh:hasValue dlc:StatusFalse ;
                  sh:message "A correction is false (a test shape)." ] .
"""
    )
    monkeypatch.setattr(validation, "shapes_file", lambda: shapes)
    split = validation._Shapes(validation._shapes_graph())
    # The bundled myth shapes' SPARQL targets read the focus node's own triples: local.
    assert [str(s).rsplit("#")[-1] for s in split.whole] == ["CitedSourceShape", "CorrectionShape"]
    assert len(split.local) == 7
    report = validation.validate_files(topic_files)
    assert report == validation.validate(load_graph(topic_files))
    assert any(v.message.startswith("Cited at most once") for v in report.violations)
    assert [v.focus for v in report.violations if "a correction is false" in v.message.lower()] == [
        "claim:elsewhere"
    ]


def test_bundled_shapes_are_all_checked_file_by_file():
    split = validation._Shapes(validation._shapes_graph())
    assert split.whole == [] and len(split.local) == 7


def test_progress_goes_to_a_terminal_only(run_cli):
    result = run_cli("validate")
    assert result.exit_code == 0
    assert "validating" not in result.stderr  # not a terminal under the test runner


def _on_a_terminal(*args: str, cache: Path) -> tuple[int, str, str]:
    """`dlcheck ARGS` in a child whose stderr is a terminal (a pseudo-terminal), as a curator
    runs it: exit status, stdout, stderr."""
    import pty

    root = Path(__file__).parent.parent
    env = dict(os.environ, DLCHECK_CACHE_DIR=str(cache), PYTHONPATH=str(root))
    env.pop("DLCHECK_ENDPOINT", None)
    main, terminal = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    told = []
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        told.append(chunk)
    out = child.stdout.read().decode()
    child.wait()
    os.close(main)
    return child.returncode, out, b"".join(told).decode().replace("\r\n", "\n")


def test_on_a_terminal_the_files_an_edit_touched_are_validated_again_by_name(
    own_cache, topic_files
):
    args = ("validate", "--no-bundled", "--graph", *map(str, topic_files))
    status, report, told = _on_a_terminal(*args, cache=own_cache)
    whole = validation.validate(load_graph(topic_files)).text()
    assert (status, report) == (1, whole)
    assert "validating " in told and "b-claims.ttl" in told
    total = told.rsplit("validated ", 1)[-1].split(" ", 1)[0]
    assert told.rstrip().endswith(f"validated {total} file(s)")

    status, report, told = _on_a_terminal(*args, cache=own_cache)
    assert (status, report) == (1, whole)
    assert told.rstrip().endswith(f"no file changed: the results of {total} file(s) were kept")

    claims = topic_files[1]
    claims.write_text(
        claims.read_text().replace(
            "claim:bare a dlc:Claim ;", 'claim:bare a dlc:Claim ; rdfs:label "Bare."@en ;'
        )
    )
    status, report, told = _on_a_terminal(*args, cache=own_cache)
    assert (status, report) == (1, validation.validate(load_graph(topic_files)).text())
    assert told.rstrip().endswith(
        f"validated again: b-claims.ttl (1 of {total} files; the others' results were kept)"
    )

    # A file that no longer parses: one line naming it and its line, exit status 1, no report.
    claims.write_text(claims.read_text() + 'claim:open rdfs:label "no end .\n')
    status, report, told = _on_a_terminal(*args, cache=own_cache)
    assert (status, report) == (1, "")
    assert told.strip().count("\n") == 0
    assert told.startswith(f"dlcheck: error: {claims}:")
