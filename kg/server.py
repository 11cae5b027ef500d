"""`dlcheck serve`: the graph as a read-only SPARQL 1.1 Protocol endpoint, plus /check and /health.

The HTTP side is the standard library's ThreadingHTTPServer with a doorman in front: one
thread reads every connection's request head under one deadline for the whole head, and only
a request that has arrived gets a thread of its own, so slow clients cost a buffer, not a
thread or a slot. Every connection over a limit gets a 503 answer.

Queries and statements do not run in those threads: rdflib cannot be interrupted, one
cartesian product takes minutes, and reading a long statement can too. They run in a small
pool of worker processes that each hold the graph and a checker;
a job past its time limit or its worker's memory cap costs its worker (killed and replaced),
never the server. Screening is the same as `dlcheck query` (kg.sparql.prepare): updates,
SERVICE and FROM are refused.
"""

from __future__ import annotations

import collections
import errno
import hashlib
import itertools
import json
import multiprocessing
import os
import queue
import re
import selectors
import signal
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from kg.errors import DlcheckError, QueryRefused, UsageError
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
    client_timeout: float = 15.0  # seconds a client may take to send its whole request
    max_connections: int = 64  # requests being answered at once; more get 503 at once
    max_waiting: int = 1024  # connections still sending their request head; more get 503
    worker_memory: int = 2 << 30  # bytes of address space per worker (503 past it)


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes

    @classmethod
    def text(cls, status: int, message: str) -> Answer:
        """An error or notice: one line of text, as every client can show it."""
        return cls(status, TEXT, (" ".join(message.split()) + "\n").encode())


class _Refusal(Exception):
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


# --- the worker processes ----------------------------------------------------------------


def _load_dataset(graph_files: Sequence[Path] | None):
    """The graph as the one named graph of a Dataset whose default graph is the union."""
    from kg.sparql import as_dataset
    from kg.store import load_graph

    graph = load_graph(list(graph_files) if graph_files else None)
    return as_dataset(graph), len(graph)


def _worker_main(conn, graph_files: list[Path] | None, limits: Limits) -> None:
    """A worker process: load the graph once, then answer jobs until told to stop.

    A job is ("sparql", query, accept) or ("check", statement); the answer is (status,
    content type, body, healthy). An unhealthy worker (out of memory) is replaced.
    """
    # Ctrl-C goes to the whole process group; the parent decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limit_memory(limits.worker_memory)
    try:
        dataset, triples = _load_dataset(graph_files)
        # Built before the worker says it is ready, so that building it never counts against
        # the time limit of the first /check (it reads the compiled cache: about a second).
        from checker.check import Checker

        statements = Checker(graph_files)
    except Exception as exc:
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", triples))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the server went away
        if job is None:
            return
        healthy = True
        try:
            if job[0] == "check":
                answer = answer_check(statements, job[1])
            else:
                answer = answer_query(dataset, job[1], job[2], limits.max_results)
        except MemoryError:
            healthy = False
            answer = Answer.text(
                503,
                f"the request needed more than {limits.worker_memory >> 20} MB of memory and "
                "was stopped; narrow the query",
            )
        except Exception as exc:  # a bug of ours: the client still gets one line
            answer = Answer.text(500, f"internal error: {type(exc).__name__}: {exc}")
        conn.send((answer.status, answer.content_type, answer.body, healthy))
        if not healthy:
            return


def _limit_memory(limit: int) -> None:
    """Cap this process's address space, so that a runaway query fails with MemoryError.

    One 370-byte query (REPLACE and CONCAT doubling a string) grows without bound within its
    time limit; the cap stops it long before the machine runs out.
    """
    try:
        import resource
    except ImportError:  # not on this platform: the time limit still holds
        return
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass  # a lower hard limit is already set: that one holds


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
    return Answer(200, f"{JSON}; charset=utf-8", (render.as_json(verdict) + "\n").encode())


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
            return _graph_answer(result.graph, media, types[media], max_results)
        if prepared.form == "ASK":
            return _ask_answer(bool(result.askAnswer), media, types[media])
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
    return _select_answer(variables, rows, media, types[media])


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


# --- the pool ----------------------------------------------------------------------------


@dataclass(eq=False)  # identity, not value: workers live in a set
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: object  # multiprocessing.connection.Connection


class QueryPool:
    """Worker processes holding the graph; each runs one query at a time under a time limit."""

    def __init__(self, graph_files: Sequence[Path] | None, size: int, limits: Limits):
        self.graph_files = list(graph_files) if graph_files else None
        self.size = size
        self.limits = limits
        self.triples = 0
        self._context = multiprocessing.get_context("spawn")  # fork is unsafe with threads
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._live: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False

    def start(self, wait: float = 120.0) -> None:
        """Start every worker and wait until each holds the graph (or one of them failed)."""
        started = [self._spawn() for _ in range(self.size)]
        deadline = time.monotonic() + wait
        try:
            for worker in started:
                self.triples = self._await_ready(worker, deadline - time.monotonic())
                self._idle.put(worker)
        except BaseException:
            self.close()
            raise

    def idle(self) -> int:
        return self._idle.qsize()

    def run(self, text: str, accept: str | None) -> Answer:
        """Answer one query; a query past the time limit is stopped and its worker replaced."""
        return self._job(("sparql", text, accept), "the query", "add a LIMIT or narrow the query")

    def check(self, text: str) -> Answer:
        """Check one statement, under the same time limit and in the same workers as queries."""
        return self._job(("check", text), "checking the statement", "shorten the statement")

    def _job(self, job: tuple, what: str, advice: str) -> Answer:
        timeout = self.limits.timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            return Answer.text(
                503, f"all {self.size} query workers stayed busy for {timeout:g} s; try again"
            )
        done = False
        try:
            worker.conn.send(job)
            if worker.conn.poll(timeout):
                status, content_type, body, healthy = worker.conn.recv()
                done = healthy
                return Answer(status, content_type, body)
            return Answer.text(
                503, f"{what} ran out of its time limit of {timeout:g} s and was stopped; {advice}"
            )
        except (EOFError, OSError):
            return Answer.text(500, "the query worker stopped unexpectedly; try again")
        finally:
            if done:
                self._idle.put(worker)
            else:  # timed out, died, or interrupted: its state is unknown, so replace it
                self._replace(worker)

    def close(self) -> None:
        """Stop every worker: politely first, then by force."""
        with self._lock:
            self._closed = True
            workers = list(self._live)
            self._live.clear()
        for worker in workers:
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        for worker in workers:
            worker.process.join(2.0)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(2.0)
            worker.conn.close()

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main,
            args=(child, self.graph_files, self.limits),
            name="dlcheck-query-worker",
            daemon=True,
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            if self._closed:
                process.kill()
                raise DlcheckError("the server is shutting down")
            self._live.add(worker)
        return worker

    def _await_ready(self, worker: _Worker, wait: float) -> int:
        try:
            if not worker.conn.poll(max(wait, 0.0)):
                raise DlcheckError(f"a query worker did not load the graph within {wait:.0f} s")
            kind, value = worker.conn.recv()
        except (EOFError, OSError):
            raise DlcheckError("a query worker stopped while loading the graph") from None
        if kind != "ready":
            raise DlcheckError(f"a query worker could not load the graph: {value}")
        return int(value)

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._live.discard(worker)
            closed = self._closed
        worker.process.kill()
        worker.process.join(2.0)
        worker.conn.close()
        if not closed:
            threading.Thread(target=self._refill, name="dlcheck-respawn", daemon=True).start()

    def _refill(self) -> None:
        try:
            worker = self._spawn()
            self._await_ready(worker, 120.0)
        except DlcheckError as exc:
            if not self._closed:  # at shutdown a missing replacement is no news
                print(f"dlcheck: serve: {exc}", file=sys.stderr)
            return
        with self._lock:
            closed = self._closed
        if closed:
            worker.process.kill()
            return
        self._idle.put(worker)


# --- HTTP --------------------------------------------------------------------------------


class DlcheckServer(ThreadingHTTPServer):
    """The HTTP server: request heads read by one doorman thread, requests in their own.

    A connection gets a thread only once its request head has arrived whole, and only while
    fewer than `max_connections` requests are being answered; clients still sending cost a
    buffer in the doorman, and at most `max_waiting` of them are kept. Every connection
    over a limit gets a 503 answer, never a bare close.
    """

    daemon_threads = True
    request_queue_size = 128  # bursts wait in the kernel's backlog instead of being refused

    def __init__(self, address, pool: QueryPool, limits: Limits, quiet: bool):
        self.pool = pool
        self.limits = limits
        self.quiet = quiet
        self._slots = threading.BoundedSemaphore(limits.max_connections)
        self._busy = 0
        self._idle_cv = threading.Condition()
        self._heads: dict[socket.socket, bytes] = {}  # what the doorman read, per connection
        self._kept: set[socket.socket] = set()  # handed back to the doorman after an answer
        self._heads_lock = threading.Lock()
        super().__init__(address, _Handler)
        self.doorman = _Doorman(self)
        self.doorman.start()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/sparql"

    def process_request(self, request, client_address) -> None:
        self.doorman.admit(request, client_address, b"")

    def serve_head(self, request, client_address, head: bytes) -> bool:
        """Answer a connection whose request head has arrived, in a thread of its own.

        False when every slot is taken: the doorman then answers 503.
        """
        if not self._slots.acquire(blocking=False):
            return False
        with self._heads_lock:
            self._heads[request] = head
        try:
            request.setblocking(True)
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise
        return True

    def take_head(self, request) -> bytes:
        with self._heads_lock:
            return self._heads.pop(request, b"")

    def keep(self, request, client_address, rest: bytes) -> None:
        """After an answer on a kept-alive connection: back to the doorman for the next head."""
        with self._heads_lock:
            self._kept.add(request)
        self.doorman.admit(request, client_address, rest)

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def shutdown_request(self, request) -> None:
        with self._heads_lock:
            if request in self._kept:  # the doorman has it now
                self._kept.discard(request)
                return
        super().shutdown_request(request)

    def request_started(self) -> None:
        with self._idle_cv:
            self._busy += 1

    def request_finished(self) -> None:
        with self._idle_cv:
            self._busy -= 1
            self._idle_cv.notify_all()

    def drain(self, grace: float) -> bool:
        """Wait up to `grace` seconds for requests in progress to finish; True when they did."""
        deadline = time.monotonic() + grace
        with self._idle_cv:
            while self._busy > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle_cv.wait(left)
        return True

    def close(self) -> None:
        """Stop accepting, let requests in progress finish, then stop the workers."""
        self.server_close()
        self.doorman.stop()
        self.drain(self.limits.timeout + 1.0)
        self.pool.close()

    def handle_error(self, request, client_address) -> None:
        # A client that vanished mid-answer is not the server's problem; say one line, no trace.
        exc = sys.exc_info()[1]
        if not self.quiet:
            print(f"dlcheck: serve: {client_address[0]}: {_printable(str(exc))}", file=sys.stderr)


class _IPv6Server(DlcheckServer):
    address_family = socket.AF_INET6


_MAX_HEAD = 65536  # bytes of request line and headers; more is 431


@dataclass(eq=False)
class _Waiting:
    """A connection the doorman holds: reading its request head, or saying a last word."""

    sock: socket.socket
    address: tuple
    data: bytearray
    deadline: float
    reply: bytes = b""  # an answer to send before closing (503, 431)
    closing: bool = False  # answered: reading what the client still sends, until it stops


class _Doorman(threading.Thread):
    """Reads every connection's request head in one thread, with one deadline for the whole head.

    A client sending one byte a second holds no thread and no slot: when its head has not
    arrived within `client_timeout` it is closed. A finished head goes to a request thread;
    when every slot is taken the client gets a 503 from here, written without blocking.
    """

    def __init__(self, server: DlcheckServer):
        super().__init__(name="dlcheck-doorman", daemon=True)
        self.server = server
        self.limits = server.limits
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._incoming: collections.deque[_Waiting] = collections.deque()
        self._waiting: set[_Waiting] = set()
        self._stopped = False

    def admit(self, sock: socket.socket, address, data: bytes) -> None:
        sock.setblocking(False)
        deadline = time.monotonic() + self.limits.client_timeout
        self._incoming.append(_Waiting(sock, address, bytearray(data), deadline))
        self._wake()

    def stop(self) -> None:
        self._stopped = True
        self._wake()
        self.join(2.0)

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass  # already awake: the pipe is full

    def run(self) -> None:
        try:
            while not self._stopped:
                for key, events in self._selector.select(timeout=0.1):
                    if key.data is None:
                        self._drain_wake()
                    elif events & selectors.EVENT_WRITE:
                        self._write(key.data)
                    else:
                        self._read(key.data)
                self._take_incoming()
                self._expire()
        finally:
            for conn in list(self._waiting):
                self._close(conn)
            self._selector.close()
            self._wake_r.close()
            self._wake_w.close()

    def _drain_wake(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except OSError:
            pass

    def _take_incoming(self) -> None:
        while self._incoming:
            conn = self._incoming.popleft()
            if len(self._waiting) >= self.limits.max_waiting:
                self._waiting.add(conn)
                limit = self.limits.max_waiting
                self._answer(conn, _busy_reply(f"the server is at its limit of {limit} waiting"))
                continue
            self._waiting.add(conn)
            if _head_end(conn.data):  # a pipelined request already read whole
                self._hand_over(conn)
            else:
                self._register(conn, selectors.EVENT_READ)

    def _register(self, conn: _Waiting, events: int) -> None:
        try:
            self._selector.register(conn.sock, events, conn)
        except KeyError:
            self._selector.modify(conn.sock, events, conn)
        except (OSError, ValueError):
            self._close(conn)

    def _read(self, conn: _Waiting) -> None:
        try:
            chunk = conn.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._close(conn)
            return
        if conn.closing:
            return  # what a refused client still sends is dropped
        conn.data += chunk
        if _head_end(conn.data):
            self._unregister(conn)
            self._hand_over(conn)
        elif len(conn.data) > _MAX_HEAD:
            message = f"the request head is over {_MAX_HEAD} bytes"
            self._answer(conn, _reply(431, "Request Header Fields Too Large", message))

    def _hand_over(self, conn: _Waiting) -> None:
        self._waiting.discard(conn)
        try:
            served = self.server.serve_head(conn.sock, conn.address, bytes(conn.data))
        except OSError:
            served = False
        if not served:
            self._waiting.add(conn)
            limit = self.limits.max_connections
            self._answer(conn, _busy_reply(f"the server is at its limit of {limit} connections"))

    def _answer(self, conn: _Waiting, reply: bytes) -> None:
        conn.reply = reply
        conn.deadline = time.monotonic() + 2.0
        self._register(conn, selectors.EVENT_WRITE)

    def _write(self, conn: _Waiting) -> None:
        try:
            sent = conn.sock.send(conn.reply)
        except BlockingIOError:
            return
        except OSError:
            self._close(conn)
            return
        conn.reply = conn.reply[sent:]
        if conn.reply:
            return
        # Answered: read (and drop) what the client still sends until it closes, since
        # closing with unread data would reset the connection and lose the answer.
        try:
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._close(conn)
            return
        conn.closing = True
        conn.deadline = time.monotonic() + 2.0
        self._selector.modify(conn.sock, selectors.EVENT_READ, conn)

    def _expire(self) -> None:
        now = time.monotonic()
        for conn in [c for c in self._waiting if c.deadline < now]:
            self._close(conn)  # a head not sent in time: the connection goes, as before

    def _unregister(self, conn: _Waiting) -> None:
        try:
            self._selector.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass

    def _close(self, conn: _Waiting) -> None:
        self._waiting.discard(conn)
        self._unregister(conn)
        try:
            conn.sock.close()
        except OSError:
            pass


def _head_end(data: bytearray) -> bool:
    return b"\r\n\r\n" in data or b"\n\n" in data


def _busy_reply(message: str) -> bytes:
    return _reply(503, "Service Unavailable", f"{message}; try again", retry=True)


def _reply(status: int, reason: str, message: str, retry: bool = False) -> bytes:
    body = (message + "\n").encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {TEXT}\r\n"
        f"Content-Length: {len(body)}\r\n"
        + ("Retry-After: 1\r\n" if retry else "")
        + "Connection: close\r\n\r\n"
    )
    return head.encode() + body


class _RequestStream:
    """What a handler reads its request from: the head the doorman read, then the socket.

    Every read from the socket is bounded by the request's one deadline, so a body that
    trickles in is cut off as surely as one that never comes.
    """

    def __init__(self, sock: socket.socket, data: bytes, deadline: float):
        self.sock = sock
        self.buffer = bytearray(data)
        self.deadline = deadline

    def readline(self, limit: int = -1) -> bytes:
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0 or (0 <= limit <= len(self.buffer)):
                size = end + 1 if end >= 0 else limit
                if 0 <= limit < size:
                    size = limit
                return self._take(size)
            if not self._fill():
                return self._take(len(self.buffer))

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            if not self._fill():
                break
        return self._take(len(self.buffer) if size < 0 else min(size, len(self.buffer)))

    def rest(self) -> bytes:
        """What has been read from the socket and not yet taken: a pipelined next request."""
        return self._take(len(self.buffer))

    def close(self) -> None:
        pass  # the socket belongs to the server

    def _take(self, size: int) -> bytes:
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def _fill(self) -> bool:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self.sock.settimeout(left)
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)


# Control characters (ESC above all) a client could send to a terminal showing the log.
_CONTROL = {code: f"\\x{code:02x}" for code in (*range(32), 127)}


def _printable(text: str) -> str:
    return text.translate(_CONTROL)


_HOST_HEADER = re.compile(r"^[A-Za-z0-9.\-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$")


class _Handler(BaseHTTPRequestHandler):
    """Routes /sparql, /check and /health; every answer has a length, every error one line."""

    server: DlcheckServer
    protocol_version = "HTTP/1.1"
    # Errors about unreadable request lines get a status line and headers too (the base
    # class would answer them as HTTP/0.9: a bare body).
    default_request_version = "HTTP/1.0"
    _unread = 0  # bytes of a refused request body still on the wire
    server_version = "dlcheck"
    error_content_type = TEXT
    error_message_format = "%(code)d %(message)s\n"

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        # The doorman has read the request head; the body (if any) must follow within the
        # same client timeout, counted afresh for this request.
        limit = self.server.limits.client_timeout
        self.connection = self.request
        self.connection.settimeout(limit)  # bounds each send of the answer
        head = self.server.take_head(self.request)
        self.rfile = _RequestStream(self.connection, head, time.monotonic() + limit)
        self.wfile = socketserver._SocketWriter(self.connection)

    def handle(self) -> None:
        """One request; a kept-alive connection then goes back to the doorman to wait."""
        self.close_connection = True
        self.handle_one_request()
        if not self.close_connection:
            self.server.keep(self.request, self.client_address, self.rfile.rest())

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def log_message(self, format: str, *args) -> None:
        if not self.server.quiet:
            line = _printable(format % args)  # the request line is the client's text
            sys.stderr.write(f"{self.address_string()} - {line}\n")

    def _dispatch(self, method: str) -> None:
        self.server.request_started()
        try:
            try:
                answer = self._route(method)
            except _Refusal as refusal:
                answer = refusal.answer
            except Exception as exc:  # a bug of ours: still an answer, and the server goes on
                answer = Answer.text(500, f"internal error: {type(exc).__name__}: {exc}")
            self._send(answer, method)
        finally:
            self.server.request_finished()

    def _route(self, method: str) -> Answer:
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        routes: dict[str, Callable[[str, dict], Answer]] = {
            "/sparql": self._sparql,
            "/check": self._check,
            "/health": self._health,
            "/": self._index,
        }
        route = routes.get(path)
        if route is None:
            raise _Refusal(404, f"no such resource: {path}; try /sparql, /check or /health")
        if method not in ("GET", "POST"):
            raise _Refusal(405, f"{method} is not allowed here: the endpoint is read-only")
        return route(method, _form(url.query))

    # /sparql -----------------------------------------------------------------------------

    def _sparql(self, method: str, params: dict[str, list[str]]) -> Answer:
        if method == "POST":
            media = self.headers.get_content_type() if "Content-Type" in self.headers else ""
            body = self._read_body()
            if media == "application/x-www-form-urlencoded":
                params = {**params, **_form(_utf8(body))}
            elif media == "application/sparql-query":
                params = {**params, "query": [_utf8(body)]}
            elif media == "application/sparql-update":
                raise _Refusal(403, "SPARQL updates are refused: this endpoint is read-only")
            else:
                raise _Refusal(
                    415,
                    f"POST a query as application/x-www-form-urlencoded (query=...) or "
                    f"application/sparql-query, not {media or 'no Content-Type'}",
                )
        if "update" in params:
            raise _Refusal(403, "SPARQL updates are refused: this endpoint is read-only")
        if "default-graph-uri" in params or "named-graph-uri" in params:
            raise _Refusal(
                403,
                "refused: default-graph-uri / named-graph-uri would load graphs from outside; "
                "the endpoint serves its one graph",
            )
        queries = params.get("query")
        if queries is None:
            if method == "POST":
                raise _Refusal(400, "no query: send query=... or an application/sparql-query body")
            return self._service_description()
        if len(queries) > 1:
            raise _Refusal(400, "give one query parameter, not several")
        return self.server.pool.run(queries[0], self.headers.get("Accept"))

    def _service_description(self) -> Answer:
        host = self.headers.get("Host", "")
        if not _HOST_HEADER.match(host):
            host = self.server.url.split("/")[2]
        formats = ", ".join(f"formats:{name}" for name in _FORMAT_NAMES)
        triples = self.server.pool.triples
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

    # /check, /health, / --------------------------------------------------------------------

    def _check(self, method: str, params: dict[str, list[str]]) -> Answer:
        if method == "POST":
            media = self.headers.get_content_type() if "Content-Type" in self.headers else ""
            body = _utf8(self._read_body())
            if media == "application/x-www-form-urlencoded":
                params = {**params, **_form(body)}
            elif media == "text/plain":
                params = {**params, "text": [body]}
            else:
                raise _Refusal(415, "POST text=... as a form, or the statement as text/plain")
        texts = params.get("text")
        if not texts:
            raise _Refusal(400, "no statement: give it as text=...")
        if len(texts) > 1:
            raise _Refusal(400, "give one text parameter, not several")
        return self.server.pool.check(texts[0])

    def _health(self, method: str, params: dict[str, list[str]]) -> Answer:
        pool = self.server.pool
        state = {"status": "ok", "triples": pool.triples, "workers": pool.size}
        state["idle_workers"] = pool.idle()
        return Answer(200, JSON, (json.dumps(state) + "\n").encode())

    def _index(self, method: str, params: dict[str, list[str]]) -> Answer:
        return Answer.text(
            200,
            "dlcheck: GET or POST /sparql (SPARQL 1.1 query, read-only; without a query: the "
            "service description), /check?text=STATEMENT, /health",
        )

    # plumbing ------------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        coding = self.headers.get("Transfer-Encoding", "").strip().lower()
        if coding not in ("", "identity"):
            self.close_connection = True
            raise _Refusal(411, "send the body with a Content-Length, not chunked")
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            self.close_connection = True
            raise _Refusal(411, "a POST needs a Content-Length")
        if len(lengths) > 1:  # which one a proxy on the way believed is anybody's guess
            self.close_connection = True
            raise _Refusal(400, "give one Content-Length header, not several")
        declared = lengths[0]
        try:
            length = int(declared)
            if length < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            raise _Refusal(400, f"bad Content-Length: {declared!r}") from None
        limit = self.server.limits.max_body
        if length > limit:
            self.close_connection = True
            self._unread = length  # dropped after the answer is out (see _send)
            raise _Refusal(413, f"the request body is {length} bytes; the limit is {limit}")
        try:
            data = self.rfile.read(length)
        except TimeoutError:
            self.close_connection = True
            raise _Refusal(408, "the request body did not arrive in time") from None
        if len(data) < length:
            self.close_connection = True
            raise _Refusal(400, "the request body ended before its Content-Length")
        return data

    def _discard(self, length: int) -> None:
        """Read and drop a refused body (up to a cap), so the client gets to read the 413.

        Closing a socket with unread data makes the kernel reset the connection, and a client
        still sending would see "connection reset" instead of the answer.
        """
        left = min(length, 32 * self.server.limits.max_body)
        try:
            self.rfile.deadline = time.monotonic() + 2.0
            while left > 0:
                chunk = self.rfile.read(min(left, 1 << 16))
                if not chunk:
                    break
                left -= len(chunk)
        except OSError:
            pass

    def _send(self, answer: Answer, method: str) -> None:
        try:
            # Reading the request may have left the socket only the rest of its deadline.
            self.connection.settimeout(self.server.limits.client_timeout)
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            if answer.status == 405:
                self.send_header("Allow", "GET, POST")
            if answer.status == 503:
                self.send_header("Retry-After", "1")
            self.send_header("Vary", "Accept")
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(answer.body)
            self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client left; nobody to tell
            return
        if self._unread:
            self._discard(self._unread)


def _form(text: str) -> dict[str, list[str]]:
    try:
        return parse_qs(text, keep_blank_values=True, max_num_fields=64)
    except ValueError as exc:
        raise _Refusal(400, f"bad form or query string: {exc}") from None


def _utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Refusal(400, f"the request body is not UTF-8 (byte {exc.start})") from None


# --- starting and stopping ---------------------------------------------------------------


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def make_server(
    graph_files: Sequence[Path] | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int | None = None,
    limits: Limits | None = None,
    quiet: bool = True,
) -> DlcheckServer:
    """A bound server with its workers ready; call serve_forever() and close().

    The port is taken first, so a port in use fails fast, before any graph is loaded.
    """
    limits = limits or Limits()
    pool = QueryPool(graph_files, workers or default_workers(), limits)
    server_class = _IPv6Server if ":" in host else DlcheckServer
    try:
        server = server_class((host, port), pool, limits, quiet)
    except OSError as exc:
        raise DlcheckError(_bind_error(host, port, exc)) from None
    try:
        pool.start()
    except BaseException:
        server.server_close()
        pool.close()
        raise
    return server


def _bind_error(host: str, port: int, exc: OSError) -> str:
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return f"cannot listen on {where}: the port is already in use; choose another --port"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"cannot listen on {where}: permission denied; choose a port above 1023"
    if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
        return f"cannot listen on {where}: no such address on this machine"
    return f"cannot listen on {where}: {exc.strerror or exc}"


def serve(server: DlcheckServer, announce: Callable[[str], None] | None = None) -> None:
    """Serve until SIGINT or SIGTERM, then stop cleanly: finish requests, stop the workers."""
    stopping = threading.Event()

    def stop(signum, frame) -> None:
        if not stopping.is_set():
            stopping.set()
            # shutdown() waits for serve_forever, which runs in this very thread: hand it off.
            threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, stop)
    try:
        if announce is not None:
            announce(server.url)
        server.serve_forever(poll_interval=0.2)
    finally:
        server.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
