"""`dlcheck export`: every format reads back, topics cut the graph, files are whole or absent."""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import stat
import threading
from pathlib import Path

import networkx as nx
import pytest
from conftest import seed_files
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from kg import export
from kg.errors import Terminated
from kg.network import project
from ontology import DLC

HARDWARE = URIRef("https://w3id.org/dlcheck/kg/topic/hardware")


def _export(graph, fmt: str, topic: str | None = None) -> bytes:
    out = io.BytesIO()
    export.export(graph, fmt, out, topic)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "rdf_format"), [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")]
)
def test_rdf_formats_read_back_to_the_same_graph(graph, fmt, rdf_format):
    # One topic keeps this quick; the whole graph goes through the same serializer.
    part = export.topic_subgraph(graph, HARDWARE)
    back = Graph().parse(data=_export(graph, fmt, "hardware"), format=rdf_format)
    assert len(back) == len(part) > 100


def test_graphml_dot_and_mermaid_draw_the_network_projection():
    # The drawing's mechanics, on the seed topics: the bundled graph's takes seconds.
    from kg.store import load_graph

    graph = load_graph(seed_files())
    network = project(graph)
    back = nx.read_graphml(io.BytesIO(_export(graph, "graphml")))
    assert back.number_of_nodes() == network.number_of_nodes()
    assert back.number_of_edges() == network.number_of_edges()
    dot = _export(graph, "dot").decode()
    assert dot.startswith("digraph dlcheck {") and dot.endswith("}\n")
    assert dot.count(" -> ") == network.number_of_edges()
    mermaid = _export(graph, "mermaid").decode().splitlines()
    assert mermaid[0] == "flowchart LR"
    assert sum(" --> " in line for line in mermaid) == network.number_of_edges()


def test_topic_subgraph_holds_its_claims_and_what_they_mention(graph):
    part = Graph().parse(data=_export(graph, "turtle", "hardware"), format="turtle")
    claims = set(graph.subjects(DLC.topic, HARDWARE)) & set(graph.subjects(RDF.type, DLC.Claim))
    assert claims and all((c, RDF.type, DLC.Claim) in part for c in claims)
    myth = URIRef("https://w3id.org/dlcheck/kg/claim/dl-requires-specialized-hardware")
    hardware = graph.value(myth, DLC.object)
    assert part.value(hardware, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))
    source = graph.value(myth, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
    assert part.value(source, RDFS.label) == graph.value(source, RDFS.label)
    # Claims of other topics appear only as evidence a hardware claim names.
    others = set(part.subjects(RDF.type, DLC.Claim)) - claims
    named = {
        o
        for c in claims
        for p in ("correctedBy", "refutedBy", "supportedBy")
        for o in graph.objects(c, DLC[p])
    }
    assert others <= named
    assert len(part) < len(graph) / 3
    # The label and the IRI name the same topic.
    assert _export(graph, "nt", "Hardware and Compute") == _export(graph, "nt", str(HARDWARE))


def test_claimreview_has_one_review_per_claim(graph):
    document = json.loads(_export(graph, "claimreview"))
    assert document["@context"] == "https://schema.org"
    reviews = {r["url"]: r for r in document["@graph"]}
    assert set(reviews) == {str(c) for c in graph.subjects(RDF.type, DLC.Claim)}
    myth = reviews["https://w3id.org/dlcheck/kg/claim/dl-requires-specialized-hardware"]
    assert myth["@type"] == "ClaimReview"
    assert myth["claimReviewed"].startswith("Deep learning requires specialized hardware")
    assert myth["reviewRating"]["alternateName"] == "false"
    assert myth["reviewRating"]["ratingValue"] == 1
    assert myth["itemReviewed"]["@type"] == "Claim"
    assert myth["author"]["name"] == "dlcheck knowledge graph"
    assert myth["datePublished"]
    assert myth["citation"][0]["@id"] == "https://w3id.org/dlcheck/kg/source/holbox-2025-myth4"
    assert myth["citation"][0]["author"] == "Holbox"
    hardware = json.loads(_export(graph, "claimreview", "hardware"))["@graph"]
    assert 0 < len(hardware) < len(reviews)


def test_cli_writes_the_output_file(run_cli, tmp_path):
    target = tmp_path / "hardware.mmd"
    result = run_cli(
        "export", "--format", "mermaid", "--topic", "hardware", "--output", str(target)
    )
    assert result.exit_code == 0, result.stderr
    assert target.read_text().startswith("flowchart LR\n")
    assert target.stat().st_mode & 0o777 != 0o600  # not mkstemp's private mode
    assert [p.name for p in tmp_path.iterdir()] == ["hardware.mmd"]


def test_bad_format_and_topic_are_usage_errors(run_cli):
    assert run_cli("export", "--format", "yaml").exit_code == 2
    result = run_cli("export", "--topic", "astrology")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "dlcheck: error: unknown topic 'astrology'; the graph's topics:"
    )
    with pytest.raises(Exception, match="unknown export format"):
        export.export(Graph(), "yaml", io.BytesIO())


def test_failing_serializer_leaves_no_file(run_cli, tmp_path, monkeypatch):
    small = tmp_path.parent / f"{tmp_path.name}-small.ttl"  # outside the folder watched below
    small.write_text("<urn:a> <urn:b> <urn:c> .\n")

    def fail_midway(self, destination=None, **kwargs):
        destination.write(b"@prefix dlc: <https://w3id.org/dlcheck/ontology#> .\nhalf a gra")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Graph, "serialize", fail_midway)
    target = tmp_path / "graph.ttl"
    result = run_cli("export", "--output", str(target), "--no-bundled", "--graph", str(small))
    assert result.exit_code == 1
    assert result.stderr == f"dlcheck: error: {target}: cannot write (no space left on device)\n"
    assert list(tmp_path.iterdir()) == []
    # An existing file stays as it was.
    target.write_text("the old export\n")
    again = run_cli("export", "--output", str(target), "--no-bundled", "--graph", str(small))
    assert again.exit_code == 1
    assert target.read_text() == "the old export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.ttl"]


def test_interrupted_write_leaves_no_file(tmp_path):
    def interrupted(handle) -> None:
        handle.write(b"part of it")
        raise KeyboardInterrupt

    target = tmp_path / "out.json"
    with pytest.raises(KeyboardInterrupt):
        export.write_atomically(target, interrupted)
    assert list(tmp_path.iterdir()) == []


def test_output_in_a_missing_directory_is_one_line(run_cli, tmp_path):
    target = tmp_path / "nowhere" / "graph.ttl"
    result = run_cli("export", "--output", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"dlcheck: error: {target}: cannot write (no such file or directory)\n"
    assert not Path(tmp_path / "nowhere").exists()


def _export_small(run_cli, tmp_path, target):
    """Export a one-triple graph (beside tmp_path, so that the folder holds only the output)."""
    small = tmp_path.parent / f"{tmp_path.name}-small.ttl"
    small.write_text("<urn:a> <urn:b> <urn:c> .\n")
    graph = ("--no-bundled", "--graph", str(small))
    return run_cli("export", "--format", "mermaid", *graph, "-o", str(target))


def test_symlink_output_writes_its_target_and_stays_a_link(run_cli, tmp_path):
    real = tmp_path / "real.mmd"
    real.write_text("old\n")
    link = tmp_path / "link.mmd"
    link.symlink_to(real)
    result = _export_small(run_cli, tmp_path, link)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert real.read_text().startswith("flowchart LR\n")  # the export, through the link
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.mmd", "real.mmd"]


def test_device_output_is_written_in_place(run_cli, tmp_path):
    # A link to /dev/null stands for any device: the device must stay a device.
    null = tmp_path / "mynull"
    null.symlink_to("/dev/null")
    result = _export_small(run_cli, tmp_path, null)
    assert result.exit_code == 0, result.stderr
    assert null.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["mynull"]


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_character_device_stays_a_device(run_cli, tmp_path):
    device = tmp_path / "mynull"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # the null device's numbers
    result = _export_small(run_cli, tmp_path, device)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISCHR(device.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["mynull"]


def test_fifo_output_reaches_its_reader(run_cli, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = _export_small(run_cli, tmp_path, fifo)
    reader.join(10)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received and received[0].startswith(b"flowchart LR\n")


def test_sigterm_while_writing_leaves_no_temporary_file(tmp_path):
    def terminated_midway(handle) -> None:
        handle.write(b"part of it")
        os.kill(os.getpid(), signal.SIGTERM)

    target = tmp_path / "out.ttl"
    with pytest.raises(Terminated) as caught:
        export.write_atomically(target, terminated_midway)
    assert caught.value.exit_code == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is given back
