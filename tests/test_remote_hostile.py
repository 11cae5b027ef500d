"""An endpoint's answer is hostile input: nothing in it may reach past the endpoint.

A fake endpoint on 127.0.0.1 answers what an attacker would; a second loopback server stands
for "anywhere else" and counts every request that reaches it, which must stay zero.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import remote

TEXT = "Deep learning requires GPUs"
NT = b"<urn:a> <urn:b> <urn:c> .\n"


class _Elsewhere(BaseHTTPRequestHandler):
    """Anywhere an answer might send dlcheck: counts the requests that reach it."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = json.dumps({"@context": {"x": "urn:x"}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args) -> None:
        pass


class _Hostile(BaseHTTPRequestHandler):
    """The endpoint: each path is one hostile answer (see `answers` in the fixture)."""

    answers: ClassVar[dict] = {}

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.do_GET()

    def do_GET(self) -> None:
        answer = self.answers[self.path.split("?")[0]]
        try:
            if callable(answer):
                answer(self)
            else:
                self.wfile.write(answer)
            self.wfile.flush()
        except OSError:
            pass  # the client gave up on us, as it should

    def log_message(self, *args) -> None:
        pass


def _serve(handler) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _http(status: str, media: str, body: bytes, extra: str = "") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {media}\r\nContent-Length: {len(body)}\r\n"
    return (head + extra + "Connection: close\r\n\r\n").encode() + body


def _trickle_body(handler) -> None:
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/n-triples\r\n\r\n")
    handler.wfile.flush()
    for _ in range(100):  # 20 s of one byte at a time, far past the 1 s limit
        handler.wfile.write(b"<")
        handler.wfile.flush()
        time.sleep(0.2)


def _trickle_headers(handler) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.2)


@pytest.fixture(scope="module")
def endpoints():
    elsewhere, far = _serve(_Elsewhere)
    hostile, near = _serve(_Hostile)
    entities = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about="urn:a"><rdf:value>&c;</rdf:value></rdf:Description>'
        b"</rdf:RDF>"
    )
    _Hostile.answers = {
        "/remote-context": _http(
            "200 OK", "application/ld+json", json.dumps({"@context": f"{far}/ctx"}).encode()
        ),
        "/file-context": _http(
            "200 OK",
            "application/ld+json",
            json.dumps({"@context": "file:///etc/passwd", "@id": "urn:a"}).encode(),
        ),
        "/entities": _http("200 OK", "application/rdf+xml", entities),
        "/away": _http("302 Found", "text/plain", b"", f"Location: {far}/query\r\n"),
        "/home": _http("302 Found", "text/plain", b"", "Location: /nt\r\n"),
        "/nt": _http("200 OK", "application/n-triples", NT),
        "/trickle-body": _trickle_body,
        "/trickle-headers": _trickle_headers,
        "/bad-status": b"HTTP/1.1 two hundred\r\n\r\n",
        "/big-header": b"HTTP/1.1 200 OK\r\nX-Big: " + b"h" * 200_000 + b"\r\n\r\n",
        "/many-headers": b"HTTP/1.1 200 OK\r\n" + b"X-A: 1\r\n" * 500 + b"\r\n",
        "/huge": _http("200 OK", "application/n-triples", NT * 2000),
    }
    _Elsewhere.hits = []
    yield near, _Elsewhere.hits
    for server in (hostile, elsewhere):
        server.shutdown()
        server.server_close()


def _one_line_error(result, exit_code: int = 1) -> str:
    assert result.exit_code == exit_code, result.output
    assert result.stderr.startswith("dlcheck: error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "internal error" not in result.stderr
    return result.stderr


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/remote-context", "reads a graph only as N-Triples or Turtle"),
        ("/file-context", "reads a graph only as N-Triples or Turtle"),
        ("/entities", "reads a graph only as N-Triples or Turtle"),
        ("/away", "redirected to another origin"),
        ("/bad-status", "did not give a valid HTTP answer"),
        ("/big-header", "did not give a valid HTTP answer"),
        ("/many-headers", "did not give a valid HTTP answer"),
    ],
)
def test_answers_that_would_reach_elsewhere_are_refused(endpoints, run_cli, path, expected):
    near, hits = endpoints
    message = _one_line_error(run_cli("check", TEXT, "--endpoint", near + path))
    assert expected in message
    assert hits == []  # no context fetched, no redirect followed


def test_a_redirect_within_the_origin_is_followed(endpoints):
    near, hits = endpoints
    data, media = remote.fetch_graph(near + "/home", timeout=5)
    assert (data, media) == (NT, "application/n-triples")
    assert hits == []


@pytest.mark.parametrize("path", ["/trickle-body", "/trickle-headers"])
def test_a_trickling_answer_is_cut_at_the_deadline(endpoints, run_cli, monkeypatch, path):
    near, _ = endpoints
    monkeypatch.setenv("DLCHECK_ENDPOINT_TIMEOUT", "1")
    start = time.monotonic()
    message = _one_line_error(run_cli("check", TEXT, "--endpoint", near + path))
    assert message == f"dlcheck: error: SPARQL endpoint {near + path} did not answer within 1 s\n"
    assert time.monotonic() - start < 3


def test_an_answer_over_the_size_cap_is_refused(endpoints, monkeypatch):
    near, _ = endpoints
    monkeypatch.setattr(remote, "MAX_FETCH_BYTES", 10_000)
    with pytest.raises(remote.EndpointError, match="answered more than 10000 bytes"):
        remote.fetch_graph(near + "/huge", timeout=5)


@pytest.mark.parametrize(
    "url", ["http://[::1/query", "http://h:port/query", "http:///query", "http://h/a b"]
)
def test_a_malformed_endpoint_url_is_a_usage_error(run_cli, url):
    assert "endpoint" in _one_line_error(run_cli("check", TEXT, "--endpoint", url), 2)


# --- any answer at all -------------------------------------------------------------------

_MEDIA = st.sampled_from(
    [
        "application/n-triples",
        "text/turtle",
        "application/ld+json",
        "application/rdf+xml",
        "application/json",
        "text/html",
        "",
    ]
)
_BODIES = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=200).map(str.encode),
    st.sampled_from(
        [
            NT,
            b"@prefix x: <http://127.0.0.1:1/> .\nx:a x:b x:c .\n",
            b'<urn:a> <urn:b> "x"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
            b'{"@context": "http://127.0.0.1:1/ctx", "@id": "urn:a"}',
            b"<urn:a> <urn:b> " + b"[ <urn:c> " * 3000 + b"]" * 3000 + b" .\n",
        ]
    ),
)


class _Any(BaseHTTPRequestHandler):
    """Answers whatever the property test put in `answer`."""

    answer: ClassVar[list[bytes]] = [b""]

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            self.wfile.write(self.answer[0])
        except OSError:
            pass

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def any_endpoint(endpoints):
    server, url = _serve(_Any)
    yield url, endpoints[1]
    server.shutdown()
    server.server_close()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    status=st.sampled_from(["200 OK", "204 No Content", "302 Found", "404 Not Found", "500 Oops"]),
    media=_MEDIA,
    body=_BODIES,
    location=st.sampled_from(["", "/elsewhere", "http://127.0.0.1:1/query", "file:///etc/passwd"]),
)
def test_any_endpoint_answer_is_a_graph_or_one_endpoint_error(
    any_endpoint, status, media, body, location
):
    url, hits = any_endpoint
    extra = f"Location: {location}\r\n" if location else ""
    _Any.answer[0] = _http(status, media, body, extra)
    start = time.monotonic()
    try:
        path = remote.snapshot(url, timeout=3)
    except remote.EndpointError as exc:
        assert "\n" not in str(exc) and url in str(exc)
    else:
        assert status.startswith("200") and media in remote.RDF_MEDIA_TYPES
        assert path.read_bytes()  # N-Triples of at least one triple
    assert time.monotonic() - start < 5
    assert hits == []
