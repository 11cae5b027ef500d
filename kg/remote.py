"""A SPARQL 1.1 endpoint as the graph's home: fetch the graph from it, push the graph to it.

Reading uses the SPARQL 1.1 Protocol (one CONSTRUCT); writing uses the SPARQL 1.1 Graph Store
Protocol (one PUT of Turtle, which replaces the named graph). Only the standard library talks
HTTP, with a bounded time for every request, and every failure names the URL.
"""

from __future__ import annotations

import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import DlcheckError, UsageError

ENV_TIMEOUT = "DLCHECK_ENDPOINT_TIMEOUT"
DEFAULT_TIMEOUT = 30.0
DEFAULT_GRAPH_IRI = "https://w3id.org/dlcheck/kg/"
MAX_FETCH_BYTES = 512 * 2**20  # far above any curated graph; stops a runaway answer

# The default graph and every named graph: a store that keeps the pushed graph as a named
# graph (Oxigraph, Fuseki without unionDefaultGraph) answers the second half, one that puts
# everything in its default graph (GraphDB) the first. No FROM: every store accepts it.
FETCH_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"

# Media types a graph may come back in, best first, and rdflib's parser for each.
RDF_MEDIA_TYPES = {
    "application/n-triples": "nt",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5, "
_ACCEPT += "application/ld+json;q=0.4"
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
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{what} {url!r} is not an http:// or https:// URL")
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
    graph_files: Sequence[Path] | None,
    endpoint: str | None = None,
    store: str | None = None,
    graph_iri: str = DEFAULT_GRAPH_IRI,
    timeout: float | None = None,
) -> Pushed:
    """Upload the bundled graph (or `graph_files` plus the ontology) to a named graph.

    One Graph Store Protocol PUT: the store swaps the named graph for the upload as a whole, so
    a rejected or interrupted upload leaves the graph it had. The local files are parsed
    first, so a curator's syntax error never reaches the store.
    """
    from kg.store import load_graph

    if store is None:
        if endpoint is None:
            raise UsageError("give --endpoint URL or --store URL")
        store = graph_store_url(endpoint)
    check_url(store, "graph store")
    iri_parts = urllib.parse.urlsplit(graph_iri)
    if not iri_parts.scheme or any(c in graph_iri for c in '<>" {}|\\^`'):
        raise UsageError(f"--graph-iri {graph_iri!r} is not an absolute IRI")
    graph = load_graph(list(graph_files) if graph_files else None)
    data = graph.serialize(format="turtle", encoding="utf-8")
    separator = "&" if urllib.parse.urlsplit(store).query else "?"
    target = f"{store}{separator}{urllib.parse.urlencode({'graph': graph_iri})}"
    request = urllib.request.Request(
        target,
        data=_chunks(data),
        method="PUT",
        headers={
            "Content-Type": "text/turtle; charset=utf-8",
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
    deadline = time.monotonic() + limit
    try:
        with urllib.request.urlopen(request, timeout=limit) as response:
            raw_type = response.headers.get("Content-Type") or ""
            media_type = raw_type.split(";")[0].strip().lower()
            chunks, size = [], 0
            while chunk := response.read(_CHUNK):
                size += len(chunk)
                if size > MAX_FETCH_BYTES:
                    raise EndpointError(f"{what} answered more than {MAX_FETCH_BYTES} bytes")
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunks.append(chunk)
            return b"".join(chunks), media_type, response.status
    except urllib.error.HTTPError as exc:
        raise EndpointError(f"{what} answered HTTP {exc.code}: {_reason(exc)}") from None
    except TimeoutError:
        raise EndpointError(f"{what} did not answer within {limit:g} s") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise EndpointError(f"{what} did not answer within {limit:g} s") from None
        if isinstance(reason, (ConnectionRefusedError, socket.gaierror)) or not isinstance(
            reason, OSError
        ):
            raise EndpointError(f"cannot reach {what}: {_why(reason)}") from None
        raise EndpointError(f"the exchange with {what} broke off: {_why(reason)}") from None
    except (OSError, ValueError) as exc:  # reset mid-answer, a body that failed to go out
        raise EndpointError(f"the exchange with {what} broke off: {_why(exc)}") from None


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
