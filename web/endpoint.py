"""The SPARQL 1.1 Protocol as dlcheck answers it: limits, content negotiation, the answers.

Everything here runs either in the web process (negotiation, the service description) or in
a worker process (screening, running and serialising a query; checking a statement): the
HTTP side lives in web/app.py and web/server.py. Screening is the same as `dlcheck query`
(kg.sparql.prepare): updates, SERVICE and FROM are refused.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass

from kg.errors import QueryRefused, UsageError
from kg.sparql import GRAPH_IRI  # the named graph the data lives in

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8790

TEXT = "text/plain; charset=utf-8"
JSON = "application/json"

# What each kind of result can be sent as, in the server's order of preference, and the
# name of the writer for it.
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/x-turtle": "turtle",
    "application/json": "json-ld",
}
# http://www.w3.org/ns/formats/ names, for the service description.
_FORMAT_NAMES = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


@dataclass(frozen=True)
class Limits:
    """What one request may cost. Each limit has its own status code when it is hit."""

    timeout: float = 10.0  # seconds of query work, parsing included (503 past it)
    max_results: int = 100_000  # rows of a SELECT, triples of a CONSTRUCT/DESCRIBE (422)
    max_body: int = 1 << 20  # bytes of a POST body (413)
    max_upload: int = 8 << 20  # bytes of an exam bank posted to the exam page (413)
    exam_timeout: float = 120.0  # seconds an uploaded exam bank may take to check (503)
    client_timeout: float = 15.0  # seconds a client may take to send its whole request
    max_connections: int = 64  # requests being answered at once; more get 503 at once
    max_waiting: int = 1024  # connections still sending their request head; more get 503
    max_head: int = 65536  # bytes of request line and headers (431)
    worker_memory: int = 2 << 30  # bytes of address space per worker (503 past it)
    answer_cache: int = 32 << 20  # bytes of answers kept for repeated requests (0: none)


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    # The same request will always get these bytes while the server runs (web/workers.py
    # keeps them): a 200 computed from the fixed graph alone.
    reusable: bool = False

    @classmethod
    def text(cls, status: int, message: str) -> Answer:
        """An error or notice: one line of text, as every client can show it."""
        return cls(status, TEXT, (" ".join(message.split()) + "\n").encode())


class Refusal(Exception):
    """Ends a request early with an Answer (a status and a one-line message)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.answer = Answer.text(status, message)


# --- content negotiation -----------------------------------------------------------------


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the Accept header likes best; the first one when it is absent.

    Each offer gets the q of the most specific range that matches it (type/sub over type/*
    over */*); ties go to the server's order. None when the client accepts none of them.
    """
    if not accept or not accept.strip():
        return offered[0]
    ranges: list[tuple[str, str, float]] = []
    for item in accept.split(","):
        fields = [f.strip() for f in item.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        main, _, sub = media.partition("/")
        ranges.append((main, sub, q))
    best, best_q = None, 0.0
    for offer in offered:
        main, _, sub = offer.partition("/")
        specificity, q = -1, 0.0
        for r_main, r_sub, r_q in ranges:
            if (r_main, r_sub) == (main, sub):
                level = 2
            elif r_main == main and r_sub == "*":
                level = 1
            elif (r_main, r_sub) == ("*", "*"):
                level = 0
            else:
                continue
            if level > specificity:
                specificity, q = level, r_q
        if q > best_q:
            best, best_q = offer, q
    return best


class _PreparedQueries:
    """Screened queries by the SHA-256 of their text, least recently used out first.

    Parsing costs more than running most queries on this graph, and clients repeat
    themselves; a screened query's algebra is reusable (rdflib's own prepareQuery relies on
    that). The key is a hash, never the text, and the texts held are capped in total, so
    distinct large queries cannot grow a worker. Refused and broken queries are not kept.
    """

    def __init__(self, max_entries: int = 512, max_text: int = 2 << 20):
        self.max_entries = max_entries
        self.max_text = max_text
        self._entries: collections.OrderedDict[bytes, tuple[object, int]] = (
            collections.OrderedDict()
        )
        self._text = 0

    def __call__(self, text: str):
        from kg import sparql

        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return entry[0]
        prepared = sparql.prepare(text)
        if len(text) <= self.max_text // 16:  # a huge query is parsed each time it comes
            self._entries[key] = (prepared, len(text))
            self._text += len(text)
            while len(self._entries) > self.max_entries or self._text > self.max_text:
                _, (_, size) = self._entries.popitem(last=False)
                self._text -= size
        return prepared

    def __len__(self) -> int:
        return len(self._entries)


_prepare = _PreparedQueries()


def answer_check(checker, text: str) -> Answer:
    """Check one statement: the checker's JSON, or 400 with the reason it cannot be read."""
    from checker import render

    verdict = checker.check(text)
    if verdict.error:
        return Answer.text(400, verdict.error)
    body = (render.as_json(verdict) + "\n").encode()
    return Answer(200, f"{JSON}; charset=utf-8", body, reusable=True)


def answer_query(dataset, text: str, accept: str | None, max_results: int) -> Answer:
    """Screen, run and serialise one query: the whole job of a worker, as an HTTP answer."""
    from kg import sparql

    try:
        prepared = _prepare(text)
    except QueryRefused as exc:
        return Answer.text(403, str(exc))
    except UsageError as exc:
        return Answer.text(400, str(exc))
    graph_form = prepared.form in ("CONSTRUCT", "DESCRIBE")
    types = GRAPH_TYPES if graph_form else RESULT_TYPES
    media = negotiate(accept, list(types))
    if media is None:
        return Answer.text(
            406,
            f"cannot answer a {prepared.form} query as {accept}; "
            f"this one can be sent as {', '.join(types)}",
        )
    try:
        result = sparql.run(dataset, prepared)
        if graph_form:
            answer = _graph_answer(result.graph, media, types[media], max_results)
            return _reusable(answer, prepared) if answer.status == 200 else answer
        if prepared.form == "ASK":
            return _reusable(_ask_answer(bool(result.askAnswer), media, types[media]), prepared)
        variables = list(result.vars or [])
        rows = list(itertools.islice(result, max_results + 1))
    except UsageError as exc:
        return Answer.text(400, str(exc))
    except MemoryError:
        raise  # the worker answers it and is replaced
    except Exception as exc:  # rdflib evaluates lazily: type errors surface while iterating
        return Answer.text(400, f"SPARQL evaluation failed: {exc}")
    if len(rows) > max_results:
        return _too_many(max_results, "rows")
    answer = _select_answer(variables, rows, media, types[media])
    return _reusable(answer, prepared)


# SPARQL functions whose value differs from one run of a query to the next.
_CHANGING = {"Builtin_RAND", "Builtin_NOW", "Builtin_UUID", "Builtin_STRUUID", "Builtin_BNODE"}


def _reusable(answer: Answer, prepared) -> Answer:
    """The answer, marked reusable unless its query calls a function that changes between
    runs. The parsed algebra is walked, not the text: escapes and comments are gone there."""
    from rdflib.plugins.sparql.parserutils import CompValue

    pending = [prepared.algebra.algebra]
    while pending:
        node = pending.pop()
        if isinstance(node, CompValue):
            if node.name in _CHANGING:
                return answer
            pending.extend(node.values())
        elif isinstance(node, (list, tuple)):
            pending.extend(node)
    return dataclasses.replace(answer, reusable=True)


def _too_many(limit: int, what: str) -> Answer:
    return Answer.text(
        422, f"the result has more than {limit} {what}, the limit; add a LIMIT or narrow the query"
    )


def _graph_answer(graph, media: str, rdf_format: str, max_results: int) -> Answer:
    from ontology import PREFIXES

    if len(graph) > max_results:
        return _too_many(max_results, "triples")
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    body = graph.serialize(format=rdf_format, encoding="utf-8")
    charset = "; charset=utf-8" if rdf_format in ("turtle", "nt") else ""
    return Answer(200, media + charset, body)


def _ask_answer(value: bool, media: str, kind: str) -> Answer:
    word = "true" if value else "false"
    if kind == "json":
        body = json.dumps({"head": {}, "boolean": value}) + "\n"
    elif kind == "xml":
        body = (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{word}</boolean></sparql>\n"
        )
    else:  # CSV and TSV have no boolean form; one line with the answer is what clients read
        body = word + "\n"
    return Answer(200, f"{media}; charset=utf-8", body.encode())


def _select_answer(variables: list, rows: list, media: str, kind: str) -> Answer:
    from rdflib.query import Result

    if kind == "tsv":
        return Answer(200, f"{media}; charset=utf-8", _tsv(variables, rows).encode())
    limited = Result("SELECT")
    limited.vars = variables
    limited.bindings = [
        {var: value for var, value in zip(variables, row, strict=True) if value is not None}
        for row in rows
    ]
    body = limited.serialize(format=kind, encoding="utf-8")
    return Answer(200, f"{media}; charset=utf-8", body)


def _tsv(variables: list, rows: list) -> str:
    """SPARQL 1.1 TSV: a `?name` header, then each value in Turtle syntax."""

    def cell(value) -> str:
        if value is None:
            return ""
        return value.n3().replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(cell(v) for v in row) for row in rows]
    return "\n".join(lines) + "\n"


def service_description(host: str, triples: int) -> Answer:
    """The sd:Service description a bare GET of /sparql answers (Turtle)."""
    formats = ", ".join(f"formats:{name}" for name in _FORMAT_NAMES)
    text = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix formats: <http://www.w3.org/ns/formats/> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

[] a sd:Service ;
    sd:endpoint <http://{host}/sparql> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph ;
    sd:resultFormat {formats} ;
    dcterms:description "dlcheck's knowledge graph about deep learning, read-only." ;
    sd:defaultDataset [
        a sd:Dataset ;
        sd:defaultGraph [ a sd:Graph ; void:triples {triples} ] ;
        sd:namedGraph [
            a sd:NamedGraph ;
            sd:name <{GRAPH_IRI}> ;
            sd:graph [ a sd:Graph ; void:triples {triples} ]
        ]
    ] .
"""
    return Answer(200, "text/turtle; charset=utf-8", text.encode())
