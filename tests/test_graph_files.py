"""`--graph` adds a curator's files to the bundled graph; `--no-bundled` replaces it."""

from __future__ import annotations

import json

import pytest
from conftest import seed_graph_args

from cli import spread_graph_files
from kg.store import bundled_data_files, gather_graph_files

QUANTUM_TTL = """@prefix c: <https://w3id.org/dlcheck/kg/concept/> .
@prefix claim: <https://w3id.org/dlcheck/kg/claim/> .
@prefix dlc: <https://w3id.org/dlcheck/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix src: <https://w3id.org/dlcheck/kg/source/> .
c:quantum-annealer a dlc:Hardware ; skos:prefLabel "quantum annealer"@en .
claim:quantum-annealers-accelerate-training a dlc:Claim ;
    rdfs:label "Quantum annealers accelerate deep learning training."@en ;
    dlc:subject c:quantum-annealer ; dlc:relation dlc:accelerates ; dlc:object c:training ;
    dlc:truthStatus dlc:StatusFalse ;
    dlc:correctedBy claim:specialized-hardware-accelerates-training ;
    prov:wasDerivedFrom src:holbox-2025-myth4 .
"""
LABEL = "Quantum annealers accelerate deep learning training."
HARDWARE = "SELECT ?l WHERE { ?c a dlc:Hardware ; skos:prefLabel ?l } ORDER BY ?l"


@pytest.fixture
def quantum(tmp_path):
    path = tmp_path / "quantum.ttl"
    path.write_text(QUANTUM_TTL, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("args", "spread"),
    [
        (["--graph", "a.ttl", "b.ttl", "TEXT"], ["--graph", "a.ttl", "--graph", "b.ttl", "TEXT"]),
        (["--graph=a.ttl", "b.nt", "-o", "x"], ["--graph=a.ttl", "--graph", "b.nt", "-o", "x"]),
        (["TEXT", "--graph", "a.ttl"], ["TEXT", "--graph", "a.ttl"]),
        (
            ["x.ttl", "--graph", "a.ttl", "--", "b.ttl"],
            ["x.ttl", "--graph", "a.ttl", "--", "b.ttl"],
        ),
    ],
)
def test_one_graph_flag_takes_several_files(args, spread):
    assert spread_graph_files(args) == spread


def test_a_directory_means_its_turtle_files(tmp_path, quantum):
    (tmp_path / "notes.txt").write_text("not a graph")
    files = gather_graph_files([tmp_path])
    assert files == [*bundled_data_files(), quantum]
    assert gather_graph_files([tmp_path, quantum], bundled=False) == [quantum]


def test_a_file_named_twice_by_any_path_is_read_once(tmp_path, quantum):
    (tmp_path / "link.ttl").symlink_to(quantum)
    other = tmp_path / "sub" / ".." / "quantum.ttl"
    (tmp_path / "sub").mkdir()
    missing = tmp_path / "missing.ttl"
    given = [quantum, other, tmp_path / "link.ttl", tmp_path, missing, missing]
    assert gather_graph_files(given, bundled=False) == [quantum, missing]
    bundled = bundled_data_files()
    assert gather_graph_files([*map(str, bundled), quantum]) == [*bundled, quantum]


def test_the_added_claim_checks_to_its_own_status_and_the_bundled_graph_stays(run_cli, quantum):
    # Checked on the seed topics plus the file (what its claim refers to is there): a new
    # graph is compiled for the check, which the whole bundled graph would make slow.
    mine = run_cli("check", LABEL, *seed_graph_args(), "--graph", str(quantum), "--format", "json")
    assert mine.exit_code == 0, mine.stderr
    assert json.loads(mine.output)["verdict"] == "false"
    assert json.loads(mine.output)["claim"]["label"] == LABEL
    both = run_cli("query", HARDWARE, "--format", "csv", "--graph", str(quantum))
    assert "quantum annealer" in both.output and "TPU" in both.output


def test_several_files_after_one_flag_and_no_bundled(run_cli, tmp_path, quantum):
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "@prefix dlc: <https://w3id.org/dlcheck/ontology#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<https://w3id.org/dlcheck/kg/concept/abacus> a dlc:Hardware ;\n"
        '    skos:prefLabel "abacus"@en .\n'
    )
    only = run_cli(
        "query", HARDWARE, "--format", "csv", "--no-bundled", "--graph", str(quantum), str(extra)
    )
    assert only.exit_code == 0, only.stderr
    assert only.output == "l\nabacus\nquantum annealer\n"


def test_no_bundled_alone_is_a_usage_error(run_cli):
    result = run_cli("stats", "--no-bundled")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "dlcheck: error: --no-bundled needs --graph FILE|DIR: the files to read instead\n"
    )


def test_an_empty_directory_is_an_error(run_cli, tmp_path):
    result = run_cli("stats", "--graph", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == f"dlcheck: error: {tmp_path}: a directory with no *.ttl file\n"
