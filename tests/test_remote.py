"""A triple store as the graph's home: push to a real Oxigraph server, read back with --endpoint."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import seed_graph_args

from kg import remote
from kg.errors import UsageError

TEXT = "Deep learning requires GPUs"
CURATOR_TTL = """@prefix c: <https://w3id.org/dlcheck/kg/concept/> .
@prefix dlc: <https://w3id.org/dlcheck/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
c:quantum-annealer a dlc:Hardware ; skos:prefLabel "quantum annealer"@en .
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _oxigraph_binary() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


@pytest.fixture
def oxigraph(tmp_path):
    """A fresh Oxigraph server on a free loopback port; yields its SPARQL query URL."""
    binary = _oxigraph_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("the oxigraph command is missing; it is in the test extra")
        pytest.skip("the oxigraph command is not installed (pip install oxigraph)")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "serve", "--location", str(tmp_path / "store"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                pytest.fail(f"oxigraph did not start: {process.stderr.read().decode()[:500]}")
            try:
                with urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("oxigraph did not answer within 20 s")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def _one_line_error(result, exit_code: int = 1) -> str:
    assert result.exit_code == exit_code, result.output
    assert result.stderr.startswith("dlcheck: error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


# --- push, then read back ----------------------------------------------------------------


def test_push_then_check_gives_the_local_verdict(oxigraph, run_cli):
    pushed = run_cli("kg", "push", "--endpoint", oxigraph, *seed_graph_args())
    assert pushed.exit_code == 0, pushed.stderr
    assert pushed.output.startswith(f"created <{remote.DEFAULT_GRAPH_IRI}> with ")
    triples = int(pushed.output.split(" with ")[1].split()[0])
    assert remote.count_triples(oxigraph, remote.DEFAULT_GRAPH_IRI) == triples

    here = run_cli("check", TEXT, "--format", "json", *seed_graph_args())
    there = run_cli("check", TEXT, "--format", "json", "--endpoint", oxigraph)
    assert there.exit_code == 0, there.stderr
    assert json.loads(there.output) == json.loads(here.output)
    assert json.loads(there.output)["verdict"] == "false"
    assert json.loads(there.output)["justification"]

    query = "SELECT ?l WHERE { c:tpu skos:prefLabel ?l }"
    assert run_cli("query", query, "--format", "csv", "--endpoint", oxigraph).output == "l\nTPU\n"


def test_endpoint_from_the_environment(oxigraph, run_cli, monkeypatch, tmp_path):
    mine = tmp_path / "mine.ttl"
    mine.write_text(CURATOR_TTL)
    assert run_cli("kg", "push", "--graph", str(mine)).exit_code == 2  # no endpoint anywhere
    monkeypatch.setenv("DLCHECK_ENDPOINT", oxigraph)
    assert run_cli("kg", "push", "--no-bundled", "--graph", str(mine)).exit_code == 0
    labels = "SELECT ?l WHERE { ?c a dlc:Hardware ; skos:prefLabel ?l }"
    there = run_cli("query", labels, "--format", "csv")
    assert there.exit_code == 0, there.stderr
    assert there.output == "l\nquantum annealer\n"
    monkeypatch.delenv("DLCHECK_ENDPOINT")
    alone = run_cli("query", labels, "--format", "csv", "--no-bundled", "--graph", str(mine))
    assert alone.output == there.output


def test_push_a_curators_file_to_a_graph_of_its_own(oxigraph, run_cli, tmp_path):
    from kg.store import gather_graph_files, load_graph

    mine = tmp_path / "mine.ttl"
    mine.write_text(CURATOR_TTL)
    iri = "https://example.org/graphs/curator"
    # --no-bundled: the upload is the point here, and the bundled graph would only be slow.
    mine_alone = ["--no-bundled", "--graph", str(mine)]
    result = run_cli("kg", "push", "--endpoint", oxigraph, "--graph-iri", iri, *mine_alone)
    assert result.exit_code == 0, result.stderr
    files = gather_graph_files([mine], bundled=False)
    assert remote.count_triples(oxigraph, iri) == len(load_graph(files))
    store = oxigraph.replace("/query", "/store")
    again = run_cli(
        "kg",
        "push",
        "--endpoint",
        oxigraph,
        "--store",
        store,
        "--graph-iri",
        iri,
        *mine_alone,
    )
    assert again.output.startswith(f"replaced <{iri}> with ")
    bad = run_cli("kg", "push", "--endpoint", oxigraph, "--graph-iri", "not an iri")
    assert "not an absolute IRI" in _one_line_error(bad, 2)


def test_a_rejected_upload_keeps_the_old_graph(oxigraph, run_cli, monkeypatch, tmp_path):
    import rdflib

    mine = tmp_path / "mine.ttl"
    mine.write_text(CURATOR_TTL)
    assert (
        run_cli(
            "kg", "push", "--endpoint", oxigraph, "--no-bundled", "--graph", str(mine)
        ).exit_code
        == 0
    )
    before = remote.count_triples(oxigraph, remote.DEFAULT_GRAPH_IRI)

    def broken(self, *args, **kwargs) -> bytes:  # the store must refuse this Turtle
        return b"<urn:a> <urn:b> <urn:c> .\n<urn:broken"

    monkeypatch.setattr(rdflib.Graph, "serialize", broken)
    result = run_cli("kg", "push", "--endpoint", oxigraph, "--no-bundled", "--graph", str(mine))
    message = _one_line_error(result)
    assert "graph store http://127.0.0.1:" in message and "answered HTTP 400" in message
    assert remote.count_triples(oxigraph, remote.DEFAULT_GRAPH_IRI) == before > 0


def test_an_interrupted_upload_keeps_the_old_graph(oxigraph, run_cli, monkeypatch, tmp_path):
    mine = tmp_path / "mine.ttl"
    mine.write_text(CURATOR_TTL)
    assert (
        run_cli(
            "kg", "push", "--endpoint", oxigraph, "--no-bundled", "--graph", str(mine)
        ).exit_code
        == 0
    )
    before = remote.count_triples(oxigraph, remote.DEFAULT_GRAPH_IRI)

    def half_then_reset(data: bytes):
        yield data[: len(data) // 2]
        raise ConnectionResetError(104, "Connection reset by peer")

    monkeypatch.setattr(remote, "_chunks", half_then_reset)
    message = _one_line_error(
        run_cli("kg", "push", "--endpoint", oxigraph, "--no-bundled", "--graph", str(mine))
    )
    assert "broke off: connection reset by peer" in message
    time.sleep(0.2)  # give the store time to see the short body
    assert remote.count_triples(oxigraph, remote.DEFAULT_GRAPH_IRI) == before > 0


def test_empty_store_says_to_push_first(oxigraph, run_cli):
    message = _one_line_error(run_cli("validate", "--endpoint", oxigraph))
    assert f"{oxigraph} holds no triples" in message
    assert "dlcheck kg push" in message


# --- bad endpoints -----------------------------------------------------------------------


def test_unreachable_endpoint_names_the_url(run_cli):
    url = f"http://127.0.0.1:{_free_port()}/query"
    start = time.monotonic()
    message = _one_line_error(run_cli("check", TEXT, "--endpoint", url))
    assert message == f"dlcheck: error: cannot reach SPARQL endpoint {url}: connection refused\n"
    assert time.monotonic() - start < 5
    push = _one_line_error(run_cli("kg", "push", "--endpoint", url, *seed_graph_args()))
    assert f"cannot reach SPARQL endpoint {url}" in push  # the lock is read there first


def test_silent_endpoint_times_out(run_cli, monkeypatch):
    monkeypatch.setenv("DLCHECK_ENDPOINT_TIMEOUT", "1")
    with socket.socket() as silent:  # accepts connections (the kernel does) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        start = time.monotonic()
        message = _one_line_error(run_cli("query", "ASK {}", "--endpoint", url))
    assert message == f"dlcheck: error: SPARQL endpoint {url} did not answer within 1 s\n"
    assert time.monotonic() - start < 5


_CANNED = {
    "/html": (200, "text/html", b"<html><body>a web page</body></html>"),
    "/garbage": (200, "text/turtle", b"this is not { turtle"),
    "/empty": (200, "application/n-triples", b""),
    "/broken": (500, "text/plain", b"Internal failure\nwith details"),
    "/untyped": (200, "", b"<urn:a> <urn:b> <urn:c> ."),
}


class _Canned(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, media, body = _CANNED[self.path]
        self.send_response(status)
        if media:
            self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def canned():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/html", "did not answer RDF (text/html); is it a SPARQL query URL?"),
        ("/garbage", "answered text/turtle that is not valid RDF"),
        ("/empty", "holds no triples"),
        ("/broken", "answered HTTP 500: Internal failure with details"),
        ("/untyped", "did not answer RDF (no content type)"),
    ],
)
def test_endpoint_answering_garbage(canned, run_cli, path, expected):
    url = canned + path
    message = _one_line_error(run_cli("check", TEXT, "--endpoint", url))
    assert f"SPARQL endpoint {url} " in message
    assert expected in message


def test_graph_and_endpoint_together(run_cli, tmp_path, monkeypatch):
    mine = tmp_path / "mine.ttl"
    mine.write_text(CURATOR_TTL)
    both = run_cli("lint", "--graph", str(mine), "--endpoint", "http://127.0.0.1:9/query")
    assert "not both" in _one_line_error(both, 2)
    # An explicit --graph beats the environment, which is then never contacted (the file
    # alone: the bundled graph beside it would cost an on-disk store of its own).
    monkeypatch.setenv("DLCHECK_ENDPOINT", "http://127.0.0.1:9/query")
    assert run_cli("query", "ASK {}", "--no-bundled", "--graph", str(mine)).output == "true\n"
    assert "is not an http:// or https:// URL" in _one_line_error(
        run_cli("lint", "--endpoint", "ftp://example.org/sparql"), 2
    )


def test_graph_store_url_of_known_stores():
    assert remote.graph_store_url("http://h:7878/query") == "http://h:7878/store"
    assert remote.graph_store_url("http://h:3030/ds/sparql") == "http://h:3030/ds/data"
    assert remote.graph_store_url("http://h:3030/ds/query") == "http://h:3030/ds/data"
    assert (
        remote.graph_store_url("http://h:7200/repositories/dl")
        == "http://h:7200/repositories/dl/rdf-graphs/service"
    )
    with pytest.raises(UsageError, match="--store URL"):
        remote.graph_store_url("http://h/sparql")
