"""A SPARQL 1.1 endpoint as the graph's home: fetch the graph from it, push the graph to it.

Reading uses the SPARQL 1.1 Protocol (one CONSTRUCT); writing uses the SPARQL 1.1 Graph Store
Protocol (one PUT of N-Triples, which replaces the named graph). Only the standard library talks
HTTP, and every failure names the URL.

An endpoint's answer is untrusted input, and nothing in it may reach past the endpoint:
- the graph is read only as N-Triples or Turtle, formats that cannot name anything to fetch
  (JSON-LD contexts are fetched by URL, file: URLs included; RDF/XML brings DTDs and entities);
- a redirect is followed only within the endpoint's own origin (scheme, host and port);
- each exchange has one deadline for the whole of it, connecting, headers and body, and a cap
  on the bytes it may bring.
"""

from __future__ import annotations

import http.client
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import DlcheckError, UsageError

ENV_TIMEOUT = "DLCHECK_ENDPOINT_TIMEOUT"
DEFAULT_TIMEOUT = 30.0
DEFAULT_GRAPH_IRI = "https://w3id.org/dlcheck/kg/"
# The bundled graph is under 1 MB as Turtle; 64 MiB leaves room for any curated graph and
# stops a runaway answer before parsing it costs gigabytes.
MAX_FETCH_BYTES = 64 * 2**20

# The default graph and every named graph: a store that keeps the pushed graph as a named
# graph (Oxigraph, Fuseki without unionDefaultGraph) answers the second half, one that puts
# everything in its default graph (GraphDB) the first. No FROM: every store accepts it.
FETCH_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"

# Media types a graph may come back in, best first, and rdflib's parser for each. Only
# formats whose parsers never fetch anything: every SPARQL store can answer N-Triples.
RDF_MEDIA_TYPES = {
    "application/n-triples": "nt",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
}
_ACCEPT = "application/n-triples, text/turtle;q=0.9"
_CHUNK = 1 << 16


class EndpointError(DlcheckError):
    """A SPARQL endpoint or graph store was unreachable or answered something unusable."""


def timeout_seconds() -> float:
    """$DLCHECK_ENDPOINT_TIMEOUT, else 30 s: the longest any one exchange may take."""
    text = os.environ.get(ENV_TIMEOUT)
    if not text:
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise UsageError(f"{ENV_TIMEOUT}={text!r}: give seconds between 0 and 3600")
    return value


def check_url(url: str, what: str = "endpoint") -> str:
    """The URL itself when it is an absolute http(s) URL; a UsageError otherwise."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise UsageError(f"{what} {url!r} is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{what} {url!r} is not an http:// or https:// URL")
    if any(ord(c) <= 32 or ord(c) == 127 for c in url):
        raise UsageError(f"{what} {url!r} holds spaces or control characters")
    return url


def fetch_graph(endpoint: str, timeout: float | None = None) -> tuple[bytes, str]:
    """The whole graph of `endpoint` as (bytes, media type), by one CONSTRUCT over the protocol."""
    check_url(endpoint)
    body = urllib.parse.urlencode({"query": FETCH_QUERY}).encode()
    request = urllib.request.Request(
        endpoint,
        data=body,
        method="POST",
        headers={"Accept": _ACCEPT, "Content-Type": "application/x-www-form-urlencoded"},
    )
    return _exchange(request, f"SPARQL endpoint {endpoint}", timeout)


def snapshot(endpoint: str, timeout: float | None = None) -> Path:
    """A local N-Triples copy of the endpoint's graph, for commands that read graph files.

    The copy is named by the fetched content, so an unchanged graph reuses both the copy and
    the compiled knowledge base; a changed one gets new ones.
    """
    from kg.cache import endpoint_file

    data, media_type = fetch_graph(endpoint, timeout)
    # The media type is part of the content: the same bytes as Turtle and as JSON-LD differ.
    tagged = media_type.encode() + b"\n" + data
    return endpoint_file(endpoint, tagged, lambda: _to_ntriples(endpoint, data, media_type))


def _to_ntriples(endpoint: str, data: bytes, media_type: str) -> bytes:
    from rdflib import Graph

    rdf_format = RDF_MEDIA_TYPES.get(media_type)
    if rdf_format is None:
        shown = media_type or "no content type"
        if media_type in ("application/ld+json", "application/rdf+xml", "application/json"):
            raise EndpointError(
                f"SPARQL endpoint {endpoint} answered {shown}; dlcheck reads a graph only as "
                "N-Triples or Turtle (asked for by the Accept header)"
            )
        raise EndpointError(
            f"SPARQL endpoint {endpoint} did not answer RDF ({shown}); is it a SPARQL query URL?"
        )
    graph = Graph()
    try:
        graph.parse(data=data, format=rdf_format)
    except Exception as exc:  # rdflib's parsers raise many unrelated types
        why = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise EndpointError(
            f"SPARQL endpoint {endpoint} answered {media_type} that is not valid RDF: {why}"
        ) from None
    if len(graph) == 0:
        raise EndpointError(
            f"SPARQL endpoint {endpoint} holds no triples; "
            f"upload the graph with: dlcheck kg push --endpoint {endpoint}"
        )
    return graph.serialize(format="nt", encoding="utf-8")


@dataclass(frozen=True)
class Pushed:
    """What `push` did: where the graph went and how big it was."""

    store: str  # the graph-store URL the PUT went to, graph parameter included
    graph_iri: str
    triples: int
    status: int  # 201 when the store created the graph, 200/204 when it replaced it


def graph_store_url(endpoint: str) -> str:
    """The Graph Store Protocol URL that goes with a query endpoint of a known store.

    Oxigraph: /query -> /store. Fuseki: /DATASET/sparql or /DATASET/query -> /DATASET/data.
    GraphDB and RDF4J: /repositories/ID -> /repositories/ID/rdf-graphs/service.
    """
    check_url(endpoint)
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    segments = path.split("/")
    if path == "/query":
        new_path = "/store"
    elif len(segments) >= 3 and segments[-1] in ("sparql", "query"):
        new_path = "/".join([*segments[:-1], "data"])
    elif len(segments) >= 3 and segments[-2] == "repositories":
        new_path = path + "/rdf-graphs/service"
    else:
        raise UsageError(f"cannot tell the graph-store URL of {endpoint}; give it with --store URL")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))


def push(
    graph, store: str, graph_iri: str = DEFAULT_GRAPH_IRI, timeout: float | None = None
) -> Pushed:
    """Upload `graph` (an rdflib Graph, read and checked by the caller) to a named graph of
    the store at the Graph Store Protocol URL `store`.

    One PUT: the store swaps the named graph for the upload as a whole, so a rejected or
    interrupted upload leaves the graph it had. The body is N-Triples, which every store
    reads and rdflib writes many times faster than Turtle.
    """
    check_url(store, "graph store")
    iri_parts = urllib.parse.urlsplit(graph_iri)
    if not iri_parts.scheme or any(c in graph_iri for c in '<>" {}|\\^`'):
        raise UsageError(f"--graph-iri {graph_iri!r} is not an absolute IRI")
    data = graph.serialize(format="nt", encoding="utf-8")
    separator = "&" if urllib.parse.urlsplit(store).query else "?"
    target = f"{store}{separator}{urllib.parse.urlencode({'graph': graph_iri})}"
    request = urllib.request.Request(
        target,
        data=_chunks(data),
        method="PUT",
        headers={
            "Content-Type": "application/n-triples; charset=utf-8",
            # With a length the body goes out as is, not chunked: every store reads that, and a
            # short upload is a broken request the store throws away.
            "Content-Length": str(len(data)),
        },
    )
    _, _, status = _send(request, f"graph store {store}", timeout)
    return Pushed(store=target, graph_iri=graph_iri, triples=len(graph), status=status)


def count_triples(endpoint: str, graph_iri: str | None = None, timeout: float | None = None) -> int:
    """How many triples the endpoint holds (in `graph_iri`, or in all its graphs)."""
    import json

    if graph_iri is None:
        where = "{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }"
    else:
        where = f"GRAPH <{graph_iri}> {{ ?s ?p ?o }}"
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"
    request = urllib.request.Request(
        f"{check_url(endpoint)}?{urllib.parse.urlencode({'query': query})}",
        headers={"Accept": "application/sparql-results+json"},
    )
    data, _ = _exchange(request, f"SPARQL endpoint {endpoint}", timeout)
    try:
        return int(json.loads(data)["results"]["bindings"][0]["n"]["value"])
    except (ValueError, KeyError, IndexError, TypeError):
        raise EndpointError(f"SPARQL endpoint {endpoint} did not answer a count") from None


def _chunks(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), _CHUNK):
        yield data[start : start + _CHUNK]


def _exchange(request, what: str, timeout: float | None) -> tuple[bytes, str]:
    data, media_type, _ = _send(request, what, timeout)
    return data, media_type


def _send(request, what: str, timeout: float | None) -> tuple[bytes, str, int]:
    """(body, media type, status) of a 2xx answer; an EndpointError naming `what` otherwise.

    `timeout` bounds the whole exchange, not only each socket read: a server that trickles
    bytes is cut off as surely as one that never answers.
    """
    limit = timeout_seconds() if timeout is None else timeout
    deadline = _Deadline(limit)
    late = EndpointError(f"{what} did not answer within {limit:g} s")
    opener = urllib.request.build_opener(
        _HTTPHandler(deadline), _HTTPSHandler(deadline), _SameOriginRedirects(what)
    )
    try:
        with deadline, opener.open(request, timeout=limit) as response:
            raw_type = response.headers.get("Content-Type") or ""
            media_type = raw_type.split(";")[0].strip().lower()
            chunks, size = [], 0
            while chunk := response.read(_CHUNK):
                size += len(chunk)
                if size > MAX_FETCH_BYTES:
                    raise EndpointError(f"{what} answered more than {MAX_FETCH_BYTES} bytes")
                chunks.append(chunk)
            if deadline.expired:  # the socket was shut under a body without a length
                raise late
            return b"".join(chunks), media_type, response.status
    except urllib.error.HTTPError as exc:
        raise EndpointError(f"{what} answered HTTP {exc.code}: {_reason(exc)}") from None
    except EndpointError:
        raise
    except Exception as exc:
        if deadline.expired or isinstance(exc, TimeoutError):
            raise late from None
        if isinstance(exc, urllib.error.URLError):
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise late from None
            if isinstance(reason, (ConnectionRefusedError, socket.gaierror)) or not isinstance(
                reason, OSError
            ):
                raise EndpointError(f"cannot reach {what}: {_why(reason)}") from None
            raise EndpointError(f"the exchange with {what} broke off: {_why(reason)}") from None
        if isinstance(exc, (http.client.RemoteDisconnected, http.client.IncompleteRead)):
            raise EndpointError(f"the exchange with {what} broke off: {_why(exc)}") from None
        if isinstance(exc, http.client.HTTPException):  # bad status line, huge headers, ...
            raise EndpointError(
                f"{what} did not give a valid HTTP answer: {_why(exc)[:200]}"
            ) from None
        if isinstance(exc, (OSError, ValueError)):  # reset mid-answer, a body that failed
            raise EndpointError(f"the exchange with {what} broke off: {_why(exc)}") from None
        raise


class _Deadline:
    """One time limit for a whole exchange: when it passes, the exchange's sockets are shut.

    A socket timeout bounds each read only, and a server sending one byte a second never
    trips it; shutting the socket down from a timer ends any read at once.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._end = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._timer.cancel()

    def connect(self, address, timeout=None, source_address=None) -> socket.socket:
        """socket.create_connection, within the time left, and watched until the end."""
        left = max(self._end - time.monotonic(), 0.001)
        sock = socket.create_connection(address, left, source_address)
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shut(sock)
        return sock

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # closed already


def _watched(connection_class, deadline: _Deadline):
    def connection(host, **kwargs):
        conn = connection_class(host, **kwargs)
        # http.client opens its socket through this attribute (HTTPS wraps what it returns).
        conn._create_connection = deadline.connect
        return conn

    return connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline):
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):
        return self.do_open(_watched(http.client.HTTPConnection, self.deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline):
        super().__init__()
        self.deadline = deadline

    def https_open(self, req):
        return self.do_open(
            _watched(http.client.HTTPSConnection, self.deadline), req, context=self._context
        )


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect within the endpoint's origin; refuses one that leaves it.

    The endpoint URL is what the user trusts: an answer must not send dlcheck to another host
    (or to a service on another port of this one).
    """

    def __init__(self, what: str):
        super().__init__()
        self.what = what

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if _origin(urllib.parse.urljoin(req.full_url, newurl)) != _origin(req.full_url):
            shown = " ".join(str(newurl).split())[:200]
            raise EndpointError(
                f"{self.what} redirected to another origin ({shown}); "
                "give that URL yourself if you trust it"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _origin(url: str) -> tuple[str, str, int | None]:
    try:
        parts = urllib.parse.urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
        return scheme, (parts.hostname or "").lower(), port
    except ValueError:
        return ("", "", None)


def _reason(exc: urllib.error.HTTPError) -> str:
    try:
        text = exc.read(2048).decode("utf-8", "replace")
    except OSError:
        text = ""
    line = " ".join(text.split())[:200]
    return line or str(exc.reason)


def _why(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return " ".join(str(reason).split())[:200] or type(reason).__name__
