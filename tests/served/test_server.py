"""`dlcheck serve` as SPARQL clients see it: the protocol, content negotiation, limits, load."""

from __future__ import annotations

import csv
import dataclasses
import importlib.util
import io
import itertools
import json
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import seed_files, seed_graph_args
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from web.endpoint import negotiate

ROOT = Path(__file__).resolve().parents[2]
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
TPU = "SELECT ?l WHERE { c:tpu skos:prefLabel ?l }"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


# `server`, the endpoint with the default limits and a client timeout of 1 s, is shared with
# the page and browser tests (tests/served/conftest.py).


@pytest.fixture(scope="module")
def tight(launch):
    """An endpoint with small limits, to hit each of them. It serves the seed topics: the
    limits are the same on any graph, and each worker a limit stops is replaced by one that
    loads the graph again."""
    server, stop = launch(
        seed_files(),
        timeout=1.5,
        max_results=50,
        max_body=4096,
        client_timeout=1.0,
        max_connections=6,
        worker_memory=600 << 20,
    )
    yield server
    stop()


def fetch(
    url: str,
    query: str | None = None,
    *,
    accept: str | None = None,
    method="GET",
    body: bytes | None = None,
    content_type: str | None = None,
    timeout: float = 15.0,
):
    """(status, content type, body) of one request; HTTP errors are answers too."""
    headers = {}
    if accept:
        headers["Accept"] = accept
    if query is not None and method == "GET":
        url = f"{url}?{urllib.parse.urlencode({'query': query})}"
    elif query is not None:
        body = urllib.parse.urlencode({"query": query}).encode()
        content_type = content_type or "application/x-www-form-urlencoded"
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get_content_type(), exc.read()


def one_line(body: bytes) -> str:
    text = body.decode()
    assert text.endswith("\n") and text.count("\n") == 1, text
    return text.strip()


# --- the protocol ------------------------------------------------------------------------


def test_get_and_both_posts_answer_sparql_json(server):
    for method, kwargs in [
        ("GET", {"query": TPU}),
        ("POST", {"query": TPU}),
        ("POST", {"body": TPU.encode(), "content_type": "application/sparql-query"}),
    ]:
        status, media, body = fetch(server.url, method=method, **kwargs)
        assert (status, media) == (200, "application/sparql-results+json"), body
        data = json.loads(body)
        assert data["head"]["vars"] == ["l"]
        assert data["results"]["bindings"] == [
            {"l": {"type": "literal", "value": "TPU", "xml:lang": "en"}}
        ]


def test_select_results_in_xml_csv_and_tsv(server):
    status, media, body = fetch(server.url, TPU, accept="application/sparql-results+xml")
    assert (status, media) == (200, "application/sparql-results+xml")
    assert b'<literal xml:lang="en">TPU</literal>' in body
    status, media, body = fetch(server.url, TPU, accept="text/csv")
    assert (status, media) == (200, "text/csv")
    assert list(csv.reader(io.StringIO(body.decode()))) == [["l"], ["TPU"]]
    status, media, body = fetch(server.url, TPU, accept="text/tab-separated-values")
    assert (status, media) == (200, "text/tab-separated-values")
    assert body.decode().splitlines() == ["?l", '"TPU"@en']


def test_ask_in_json_and_xml(server):
    ask = "ASK { c:tpu skos:prefLabel ?l }"
    assert json.loads(fetch(server.url, ask)[2]) == {"head": {}, "boolean": True}
    body = fetch(server.url, ask, accept="application/sparql-results+xml")[2]
    assert b"<boolean>true</boolean>" in body


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        (None, "turtle"),
    ],
)
def test_construct_in_every_rdf_format(server, accept, rdf_format):
    query = "CONSTRUCT { c:tpu ?p ?o } WHERE { c:tpu ?p ?o }"
    status, media, body = fetch(server.url, query, accept=accept)
    assert status == 200
    assert media == (accept or "text/turtle")
    received = Graph().parse(data=body, format=rdf_format)
    rows = json.loads(fetch(server.url, "SELECT * WHERE { c:tpu ?p ?o }")[2])
    assert len(received) == len(rows["results"]["bindings"]) > 3


def test_content_negotiation_follows_q_values_and_refuses_the_unknown(server):
    status, media, _ = fetch(server.url, TPU, accept="text/csv;q=0.2, application/*;q=0.1")
    assert (status, media) == (200, "text/csv")
    status, media, body = fetch(server.url, TPU, accept="image/png")
    assert status == 406
    assert "cannot answer a SELECT query as image/png" in one_line(body)
    assert negotiate("text/*;q=0.5, text/csv;q=0", ["text/csv", "text/turtle"]) == "text/turtle"
    assert negotiate(None, ["a/b", "c/d"]) == "a/b"


def test_service_description_on_a_bare_get(server):
    status, media, body = fetch(server.url)
    assert (status, media) == (200, "text/turtle")
    description = Graph().parse(data=body, format="turtle")
    service = description.value(predicate=RDF.type, object=SD.Service)
    assert service is not None
    assert description.value(service, SD.endpoint) == URIRef(server.url)
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in description


def test_named_graph_and_union_default_graph(server):
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    rows = json.loads(fetch(server.url, query)[2])["results"]["bindings"]
    assert [(r["g"]["value"], int(r["n"]["value"])) for r in rows] == [
        ("https://w3id.org/dlcheck/kg/", server.pool.triples)
    ]
    union = json.loads(fetch(server.url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[2])
    assert int(union["results"]["bindings"][0]["n"]["value"]) == server.pool.triples


def test_rdflib_sparqlstore_is_a_client(server):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    remote = Graph(store=SPARQLStore(server.url))
    assert [str(r.l) for r in remote.query(TPU, initNs=_ns())] == ["TPU"]
    assert remote.query("ASK { ?s ?p ?o }").askAnswer is True
    construct = "CONSTRUCT { ?c skos:broader ?b } WHERE { ?c skos:broader ?b }"
    received = remote.query(construct, initNs=_ns()).graph
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?c skos:broader ?b }"
    assert len(received) == int(next(iter(remote.query(count, initNs=_ns()))).n) > 10
    json_store = Graph(store=SPARQLStore(server.url, returnFormat="json"))
    assert [r.l for r in json_store.query(TPU, initNs=_ns())] == [Literal("TPU", lang="en")]


def _ns() -> dict:
    from ontology import PREFIXES

    return {prefix: Namespace(iri) for prefix, iri in PREFIXES.items()}


# --- read-only and bad input -------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"body": b"update=CLEAR%20ALL", "content_type": "application/x-www-form-urlencoded"},
        {"body": b"CLEAR ALL", "content_type": "application/sparql-update"},
        {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"},
        {"query": "SELECT * WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }"},
        {"query": "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }"},
    ],
)
def test_writes_and_reaching_out_are_forbidden(server, kwargs):
    status, media, body = fetch(server.url, method="POST", **kwargs)
    assert (status, media) == (403, "text/plain")
    assert one_line(body)
    assert fetch(server.url, "ASK { ?s ?p ?o }")[0] == 200  # still read-only, still serving


def test_update_by_get_and_dataset_parameters_are_forbidden(server):
    assert fetch(f"{server.url}?update=CLEAR%20ALL")[0] == 403
    url = f"{server.url}?default-graph-uri=http%3A%2F%2Fexample.org%2Fg"
    assert (
        fetch(url, method="POST", body=TPU.encode(), content_type="application/sparql-query")[0]
        == 403
    )


def test_malformed_query_is_400_with_one_line(server):
    status, media, body = fetch(server.url, "SELECT WHERE {")
    assert (status, media) == (400, "text/plain")
    assert one_line(body).startswith("SPARQL syntax error at line 1")
    assert fetch(server.url, "SELECT * WHERE { ?s nope:x ?o }")[0] == 400
    assert fetch(server.url, "")[0] == 400
    status, _, body = fetch(server.url, "SELECT (SUM(?l) AS ?n) WHERE { ?c skos:prefLabel ?l }")
    assert status == 400 and one_line(body).startswith("SPARQL evaluation failed: ")
    assert fetch(server.url, TPU)[0] == 200


def test_a_lone_surrogate_is_400_not_500(server):
    status, _, body = fetch(server.url, 'SELECT ?x WHERE { BIND("\\uD800" AS ?x) }')
    assert status == 400
    assert "lone UTF-16 surrogate" in one_line(body)


def test_wrong_media_type_method_and_path(server):
    assert fetch(server.url, method="POST", body=b"{}", content_type="application/json")[0] == 415
    assert fetch(server.url, method="PUT", body=b"x", content_type="text/turtle")[0] == 405
    status, _, body = fetch(server.url.replace("/sparql", "/nope"))
    assert status == 404 and "try /sparql" in one_line(body)


def test_query_past_the_time_limit_is_stopped_and_the_server_goes_on(tight):
    start = time.monotonic()
    status, _, body = fetch(tight.url, CARTESIAN)
    assert status == 503
    assert "time limit of 1.5 s" in one_line(body)
    assert time.monotonic() - start < 5
    assert fetch(tight.url, TPU)[0] == 200
    deadline = time.monotonic() + 30  # the killed worker is replaced
    while time.monotonic() < deadline:
        if json.loads(fetch(tight.url.replace("/sparql", "/health"))[2])["idle_workers"] == 2:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the stopped worker was not replaced")


def test_result_over_the_cap_is_422(tight):
    status, _, body = fetch(tight.url, "SELECT ?s WHERE { ?s ?p ?o }")
    assert status == 422
    assert "more than 50 rows" in one_line(body)
    # A narrow CONSTRUCT: the whole graph takes 2.4 s on a busy 2-core machine, past the
    # fixture's 1.5 s limit, and then the answer is a 503.
    status, _, body = fetch(tight.url, "CONSTRUCT WHERE { ?s skos:prefLabel ?o }")
    assert status == 422 and "more than 50 triples" in one_line(body)
    assert fetch(tight.url, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 50")[0] == 200


def test_huge_post_body_is_413(tight):
    huge = b"query=" + b"x" * 20_000
    status, _, body = fetch(
        tight.url, method="POST", body=huge, content_type="application/x-www-form-urlencoded"
    )
    assert status == 413
    assert "limit is 4096" in one_line(body)
    # A client announcing a gigabyte gets its answer at once, without sending it.
    with socket.create_connection(_address(tight), timeout=5) as raw:
        raw.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 1000000000\r\n\r\nSELECT"
        )
        assert raw.recv(100).startswith(b"HTTP/1.1 413 ")
    assert fetch(tight.url, TPU)[0] == 200


def test_post_without_length_and_garbage_request_lines(tight):
    with socket.create_connection(_address(tight), timeout=5) as raw:
        raw.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n6\r\nSELECT\r\n0\r\n\r\n"
        )
        assert raw.recv(100).startswith(b"HTTP/1.1 411 ")
    with socket.create_connection(_address(tight), timeout=5) as raw:
        raw.sendall(b"\x16\x03\x01\x02\x00garbage that is no HTTP\r\n\r\n")
        assert raw.recv(100).startswith(b"HTTP/1.1 400 ")
    assert fetch(tight.url, TPU)[0] == 200


def test_slow_clients_hold_only_their_own_connection(tight):
    slow = [socket.create_connection(_address(tight), timeout=5) for _ in range(3)]
    try:
        for raw in slow:
            raw.sendall(b"GET /sparql?query=ASK")  # and never finish the request line
        start = time.monotonic()
        assert fetch(tight.url, TPU)[0] == 200
        assert time.monotonic() - start < 1.0
        for raw in slow:  # each is cut off after the client timeout (1 s)
            assert raw.recv(100) == b""
    finally:
        for raw in slow:
            raw.close()


def test_connections_over_the_limit_get_503_and_the_rest_are_served(tight):
    # Six requests whose body never comes: each holds a request thread until its timeout.
    held = [socket.create_connection(_address(tight), timeout=5) for _ in range(6)]
    try:
        for raw in held:
            raw.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/sparql-query\r\nContent-Length: 10\r\n\r\n"
            )
        time.sleep(0.2)
        status, _, body = fetch(tight.url, TPU)
        assert status == 503
        assert "limit of 6 connections" in one_line(body)
    finally:
        for raw in held:
            raw.close()
    deadline = time.monotonic() + 5
    while fetch(tight.url, TPU)[0] != 200:
        assert time.monotonic() < deadline, "connections were not given back"
        time.sleep(0.1)


def test_seventy_trickling_clients_leave_health_fast(tight):
    # Before: each held a slot for up to 15 s per byte, and /health got 503 every time.
    slow = [socket.create_connection(_address(tight), timeout=5) for _ in range(70)]
    try:
        health = tight.url.replace("/sparql", "/health")
        times = []
        for _ in range(5):
            for raw in slow:
                raw.sendall(b"G")  # a byte each, never a whole request line
            start = time.monotonic()
            status, _, _ = fetch(health)
            times.append(time.monotonic() - start)
            assert status == 200
            time.sleep(0.1)
        assert sorted(times)[2] < 0.1, times
        time.sleep(1.2)  # past the client timeout: the whole head is late, whatever trickled
        for raw in slow:
            assert raw.recv(100) == b""
    finally:
        for raw in slow:
            raw.close()


def test_every_connection_over_the_limit_gets_an_answer(tight):
    # Before: past 16 refusals at once, connections were closed with no HTTP answer at all.
    clients = [socket.create_connection(_address(tight), timeout=5) for _ in range(60)]
    try:
        for raw in clients:  # each holds a request thread, waiting for a body that never comes
            raw.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/sparql-query\r\nContent-Length: 10\r\n\r\n"
            )
        statuses = [raw.recv(100)[:12] for raw in clients]
    finally:
        for raw in clients:
            raw.close()
    assert statuses.count(b"HTTP/1.1 503") >= 54  # all but the six that got a slot
    assert set(statuses) <= {b"HTTP/1.1 503", b"HTTP/1.1 408"}


def test_duplicate_content_length_is_400(tight):
    with socket.create_connection(_address(tight), timeout=5) as raw:
        raw.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 3\r\nContent-Length: 20\r\n\r\nASK {}"
        )
        answer = b""
        while chunk := raw.recv(400):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert answer.endswith(b"give one Content-Length header, not several\n")


def test_escape_sequences_never_reach_the_log(tight, capsys, monkeypatch):
    monkeypatch.setattr(tight, "quiet", False)
    fetch(tight.url.replace("/sparql", "/%1b[2J%1b]0;owned%07"))
    with socket.create_connection(_address(tight), timeout=5) as raw:
        raw.sendall(b"GET /\x1b[31mred HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        raw.recv(400)
    time.sleep(0.2)
    log = capsys.readouterr().err
    assert "\\x1b[31mred" in log
    assert "\x1b" not in log and "\x07" not in log


def test_a_query_past_the_memory_cap_costs_only_its_worker(tight, monkeypatch):
    # Time enough for the memory cap to be what stops it, even on a busy machine.
    monkeypatch.setattr(tight.pool, "limits", dataclasses.replace(tight.pool.limits, timeout=30))
    # Each CONCAT makes the string 8 times longer: 32 MB, then 256 MB, then 2 GB.
    eight = ",".join(["?{0}"] * 8)
    steps = ['BIND("aaaaaaaaaaaaaaaa" AS ?a)']
    names = "abcdefghij"
    for before, after in itertools.pairwise(names):
        steps.append(f"BIND(CONCAT({eight.format(before)}) AS ?{after})")
    query = f"SELECT (STRLEN(?j) AS ?n) WHERE {{ {' '.join(steps)} }}"
    status, _, body = fetch(tight.url, query)
    assert status == 503
    assert "needed more than 600 MB of memory" in one_line(body)
    monkeypatch.undo()
    assert fetch(tight.url, TPU)[0] == 200  # the other worker goes on (its own is replaced)


def test_check_runs_in_the_workers_under_the_time_limit(tight):
    # Before: /check ran in the HTTP thread, under a lock and with no time limit, so one slow
    # statement held every other client's /check. Now it waits for a worker like a query,
    # at most the time limit: with both workers held by queries, the answer is a quick 503.
    tight.pool.answers.clear()  # a statement checked before would be answered at once
    deadline = time.monotonic() + 60
    while tight.pool.idle() < 2:  # a worker replaced by an earlier test may still be loading
        assert time.monotonic() < deadline, "no worker came back"
        time.sleep(0.2)
    holders = [threading.Thread(target=fetch, args=(tight.url, CARTESIAN)) for _ in range(2)]
    for holder in holders:
        holder.start()
    while tight.pool.idle() > 0:
        assert time.monotonic() < deadline, "the queries did not reach the workers"
        time.sleep(0.05)
    start = time.monotonic()
    status, _, body = fetch(tight.url.replace("/sparql", "/check") + "?text=CNNs+need+GPUs")
    assert status == 503
    assert "query workers stayed busy for 1.5 s" in one_line(body)
    assert time.monotonic() - start < 5
    for holder in holders:
        holder.join()


def test_parsed_queries_are_kept_by_hash_within_a_cap():
    from web.endpoint import _PreparedQueries

    kept = _PreparedQueries(max_entries=3, max_text=4000)
    queries = [f"SELECT * WHERE {{ ?s ?p {n} }}" for n in range(5)]
    for text in queries:
        assert kept(text).text == text
    assert len(kept) == 3
    assert all(isinstance(key, bytes) and len(key) == 32 for key in kept._entries)
    kept(f"ASK {{ ?s ?p {'1' * 300} }}")  # over max_text / 16: parsed, not kept
    assert len(kept) == 3


def test_a_repeated_query_is_answered_from_the_kept_answers(server):
    answers = server.pool.answers
    answers.clear()
    first = fetch(server.url, TPU, accept="text/csv")
    assert len(answers) == 1
    assert fetch(server.url, TPU, accept="text/csv") == first  # the same bytes, no worker
    assert fetch(server.url, TPU, accept="application/sparql-results+json")[0] == 200
    assert len(answers) == 2  # another Accept is another answer
    # Whose value changes from run to run is never kept, however the function is written.
    for changing in ("RAND()", "NOW()", "STRUUID()", "\\u0052AND()", "rand #x\n()"):
        status = fetch(server.url, f"SELECT ?x WHERE {{ BIND({changing} AS ?x) }}")[0]
        assert status == 200
    assert fetch(server.url, "SELECT ?x WHERE { ?x ?y }")[0] == 400  # errors are not kept
    assert len(answers) == 2
    assert fetch(server.url.replace("/sparql", "/check") + "?text=TPUs+are+hardware")[0] == 200
    assert len(answers) == 3


def test_kept_answers_are_capped_in_bytes():
    from web.endpoint import Answer
    from web.workers import AnswerCache

    kept = AnswerCache(max_bytes=1600)  # answers of up to 100 bytes
    for n in range(20):
        kept.keep(bytes([n]), Answer(200, "text/csv", b"x" * 100, reusable=True))
    assert len(kept) == 16 and kept.get(bytes([0])) is None and kept.get(bytes([19]))
    kept.keep(b"big", Answer(200, "text/csv", b"x" * 101, reusable=True))
    kept.keep(b"once", Answer(200, "text/csv", b"x", reusable=False))
    assert kept.get(b"big") is None and kept.get(b"once") is None


def test_keep_alive_connections_answer_every_request(server):
    import http.client

    host, port = _address(server)
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        for _ in range(3):
            connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": TPU}))
            answer = connection.getresponse()
            assert (answer.status, answer.read().count(b'"TPU"')) == (200, 1)
    finally:
        connection.close()


def _address(server) -> tuple[str, int]:
    return server.server_address[:2]


# --- /check and /health ------------------------------------------------------------------


def test_check_answers_the_checker_json(server, checker):
    from checker import render

    text = "Deep learning requires GPUs"
    expected = json.loads(render.as_json(checker.check(text)))
    base = server.url.replace("/sparql", "/check")
    status, media, body = fetch(f"{base}?{urllib.parse.urlencode({'text': text})}")
    assert (status, media) == (200, "application/json")
    assert json.loads(body) == expected
    status, _, body = fetch(base, method="POST", body=text.encode(), content_type="text/plain")
    assert json.loads(body) == expected
    assert fetch(base)[0] == 400
    assert fetch(f"{base}?text=%20")[0] == 400


def test_health(server):
    status, media, body = fetch(server.url.replace("/sparql", "/health"))
    assert (status, media) == (200, "application/json")
    assert json.loads(body)["status"] == "ok"
    assert json.loads(body)["triples"] == server.pool.triples > 1000


# --- load --------------------------------------------------------------------------------


def test_load_every_request_is_answered(server):
    spec = importlib.util.spec_from_file_location("server_load", ROOT / "bench/server_load.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses look their module up there
    spec.loader.exec_module(bench)
    result = bench.run_load(server.url, threads=8, per_thread=200)
    assert result.sent == 1600
    assert result.failures == []
    assert result.answered == 1600
    print(f"\nserver load: {result.rate:.0f} requests/s")


# --- the command -------------------------------------------------------------------------


def test_port_in_use_is_one_line_and_exit_1(run_cli):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port))
    assert result.exit_code == 1
    assert result.stderr == (
        f"dlcheck: error: cannot listen on 127.0.0.1:{port}: the port is already in use; "
        "choose another --port\n"
    )


def test_serve_stops_cleanly_on_sigterm_and_sigint():
    cache = os.environ["DLCHECK_CACHE_DIR"]  # the session's (tests/conftest.py)
    command = [sys.executable, "-c", "from cli import main; main()", "serve", "--port", "0"]
    command += ["--workers", "1", "--quiet", *seed_graph_args()]
    # Both servers start at once, on the seed topics: stopping is the same on any graph, and
    # the whole bundled graph takes each a few seconds to load.
    processes = {
        stop: subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "DLCHECK_CACHE_DIR": cache},
            stderr=subprocess.PIPE,
            text=True,
        )
        for stop in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        for stop, process in processes.items():
            line = process.stderr.readline()
            assert line.startswith("dlcheck: serving http://127.0.0.1:"), line
            assert fetch(line.split()[2], TPU)[0] == 200
            process.send_signal(stop)
        for process in processes.values():
            assert process.wait(15) == 0
            assert process.stderr.read() == "dlcheck: stopped\n"
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()


def test_the_pipe_to_a_worker_carries_big_jobs_and_answers_whole():
    # An exam bank of megabytes goes out in pieces as the worker reads, and a big answer
    # comes back in pieces; the loop never blocks on either.
    import asyncio
    import multiprocessing

    from web.workers import _Link

    ours, theirs = multiprocessing.Pipe()
    job = ("exam", "bank.gift", os.urandom(5 << 20), None)

    def worker() -> None:
        got = theirs.recv()
        theirs.send((200, "application/json", got[2][::-1] * 2, True, False))

    async def exchange() -> tuple:
        loop = asyncio.get_running_loop()
        answered = loop.create_future()
        link = _Link(loop, ours, answered.set_result, answered.set_exception)
        link.send(pickle.dumps(job))
        try:
            return await asyncio.wait_for(answered, 30)
        finally:
            link.close()

    thread = threading.Thread(target=worker)
    thread.start()
    reply = asyncio.run(exchange())
    thread.join()
    assert reply[:2] == (200, "application/json") and reply[2] == job[2][::-1] * 2
