"""The worker processes of `dlcheck serve`: each holds the graph and a checker and runs one
job at a time (a query, a statement, an exam bank, the browse catalogue) under a time limit.

Jobs do not run in the web process: rdflib cannot be interrupted, one cartesian product
takes minutes, and reading a long statement can too. A job past its time limit or its
worker's memory cap costs its worker (killed and replaced), never the server.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import DlcheckError
from web.endpoint import Answer, Limits, answer_check, answer_query

# --- the worker processes ----------------------------------------------------------------


def _load_dataset(graph_files: Sequence[Path] | None):
    """The graph as the one named graph of a Dataset whose default graph is the union."""
    from kg.sparql import as_dataset
    from kg.store import load_graph

    graph = load_graph(list(graph_files) if graph_files else None)
    return as_dataset(graph), len(graph)


def _worker_main(conn, graph_files: list[Path] | None, limits: Limits) -> None:
    """A worker process: load the graph once, then answer jobs until told to stop.

    A job is a kind of `_JOBS` and its arguments; the answer is (status, content type, body,
    healthy). An unhealthy worker (out of memory) is replaced.
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
        held = _Held(dataset, statements, limits)
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
            answer = _JOBS[job[0]](held, *job[1:])
        except MemoryError:
            healthy = False
            answer = Answer.text(
                503,
                f"the request needed more than {limits.worker_memory >> 20} MB of memory and "
                "was stopped; narrow the query",
            )
        except Exception as exc:  # a bug of ours: the client still gets one line
            answer = Answer.text(500, f"internal error: {type(exc).__name__}: {exc}")
        conn.send((answer.status, answer.content_type, answer.body, healthy, answer.reusable))
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


@dataclass
class _Held:
    """What a worker holds between jobs."""

    dataset: object  # rdflib Dataset
    checker: object  # checker.check.Checker
    limits: Limits
    solver: object = None  # checker.exam.solver.ExamSolver, built on the first exam


def _exam_job(held: _Held, name: str, data: bytes, fmt: str | None) -> Answer:
    from web.exam import answer_exam

    if held.solver is None:
        from checker.exam.solver import ExamSolver

        held.solver = ExamSolver(held.checker)
    return answer_exam(held.solver, name, data, fmt)


def _page_job(held: _Held, text: str) -> Answer:
    from web.pages import answer_verdict

    return answer_verdict(held.checker, text)


def _catalogue_job(held: _Held) -> Answer:
    from web.catalogue import answer_catalogue

    return answer_catalogue(held.checker.kb, held.dataset)


_JOBS: dict[str, Callable[..., Answer]] = {
    "sparql": lambda held, text, accept: answer_query(
        held.dataset, text, accept, held.limits.max_results
    ),
    "check": lambda held, text: answer_check(held.checker, text),
    "verdict": _page_job,
    "exam": _exam_job,
    "catalogue": _catalogue_job,
}


@dataclass(eq=False)  # identity, not value: workers live in a set
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: object  # multiprocessing.connection.Connection
    link: _Link | None = None  # the event loop's end of the pipe, from the first job on
    job: _Job | None = None  # the job it runs

    def close(self) -> None:
        if self.link is not None:
            self.link.close()
        self.conn.close()


@dataclass(eq=False)
class _Job:
    """A request's job: its pickled message, its time limit, and where its answer goes (the
    worker's reply; None past the time limit; _BUSY if no worker came in time)."""

    message: bytes
    timeout: float
    answer: asyncio.Future
    timer: asyncio.TimerHandle | None = None  # waiting for a worker, then running


_BUSY = ("busy",)


class AnswerCache:
    """Answers a worker marked reusable, by the SHA-256 of the job; least recently used out
    first.

    The graph does not change while the server runs, so a query asked again with the same
    Accept header, or a statement checked again, gets the same bytes: from here they cost
    neither a worker nor the pipe. Workers mark only 200 answers computed from the graph
    alone (no RAND, NOW, UUID, STRUUID or BNODE in the query). The bytes held are capped,
    and so is each answer; the cache is emptied when a worker is replaced, since the
    replacement reads the graph files again.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.max_answer = max_bytes // 16
        self._answers: collections.OrderedDict[bytes, Answer] = collections.OrderedDict()
        self._bytes = 0

    def get(self, key: bytes) -> Answer | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def keep(self, key: bytes, answer: Answer) -> None:
        if not answer.reusable or len(answer.body) > self.max_answer or key in self._answers:
            return
        self._answers[key] = answer
        self._bytes += len(answer.body)
        while self._bytes > self.max_bytes:
            _, dropped = self._answers.popitem(last=False)
            self._bytes -= len(dropped.body)

    def clear(self) -> None:
        self._answers.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._answers)


class QueryPool:
    """Worker processes holding the graph; each runs one query at a time under a time limit."""

    def __init__(self, graph_files: Sequence[Path] | None, size: int, limits: Limits):
        self.graph_files = list(graph_files) if graph_files else None
        self.size = size
        self.limits = limits
        self.triples = 0
        self._context = multiprocessing.get_context("spawn")  # fork is unsafe with threads
        self._idle: collections.deque[_Worker] = collections.deque()
        # Jobs waiting for a worker, first come first served.
        self._waiting: collections.deque[_Job] = collections.deque()
        self._loop: asyncio.AbstractEventLoop | None = None  # the server's, once it serves
        self._live: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.answers = AnswerCache(limits.answer_cache)

    def start(self, wait: float = 120.0) -> None:
        """Start every worker and wait until each holds the graph (or one of them failed)."""
        started = [self._spawn() for _ in range(self.size)]
        deadline = time.monotonic() + wait
        try:
            for worker in started:
                self.triples = self._await_ready(worker, deadline - time.monotonic())
                self._idle.append(worker)
        except BaseException:
            self.close()
            raise

    def idle(self) -> int:
        return len(self._idle)

    async def run(self, text: str, accept: str | None) -> Answer:
        """Answer one query; a query past the time limit is stopped and its worker replaced."""
        return await self._job(
            ("sparql", text, accept), "the query", "add a LIMIT or narrow the query", keep=True
        )

    async def check(self, text: str) -> Answer:
        """Check one statement, under the same time limit and in the same workers as queries."""
        return await self._job(
            ("check", text), "checking the statement", "shorten the statement", keep=True
        )

    async def verdict(self, text: str) -> Answer:
        """A statement's verdict and ClaimReview for the Check page (JSON)."""
        return await self._job(("verdict", text), "checking the statement", "shorten the statement")

    async def exam(self, name: str, data: bytes, fmt: str | None) -> Answer:
        """An uploaded bank's report in every format (JSON), under the exam time limit."""
        return await self._job(
            ("exam", name, data, fmt),
            "checking the bank",
            "split the bank into smaller files",
            self.limits.exam_timeout,
        )

    async def catalogue(self) -> Answer:
        """The browse pages' catalogue of topics, claims and concepts (JSON)."""
        return await self._job(
            ("catalogue",), "building the catalogue", "try again", self.limits.exam_timeout
        )

    async def _job(
        self,
        job: tuple,
        what: str,
        advice: str,
        timeout: float | None = None,
        keep: bool = False,
    ) -> Answer:
        """Run a job in an idle worker; past the time limit the worker is replaced. With
        `keep`, a reusable answer is kept, and a job asked before is answered from there.

        The pool is driven by the event loop's callbacks, with no thread: a worker's answer
        is read as it arrives (`_Link`), and in the same callback the worker is handed the
        next waiting job, so it never waits for the request's task to run. (Session 4 handed
        each exchange to a thread; the loop then waited for the interpreter lock after every
        system call, and the web process spent a fifth more CPU per query.)
        """
        message = pickle.dumps(job, pickle.HIGHEST_PROTOCOL)
        key = hashlib.sha256(message).digest() if keep else b""
        kept = self.answers.get(key) if keep else None
        if kept is not None:
            return kept
        wait = self.limits.timeout
        timeout = timeout or wait
        loop = self._loop = asyncio.get_running_loop()
        pending = _Job(message, timeout, loop.create_future())
        if self._idle:
            self._run(self._idle.popleft(), pending)
        else:
            self._waiting.append(pending)
            pending.timer = loop.call_later(wait, _give_up, pending)
        try:
            reply = await pending.answer
        except (EOFError, OSError, pickle.UnpicklingError):
            return Answer.text(500, "the query worker stopped unexpectedly; try again")
        if reply is _BUSY:
            return Answer.text(
                503, f"all {self.size} query workers stayed busy for {wait:g} s; try again"
            )
        if reply is None:
            return Answer.text(
                503, f"{what} ran out of its time limit of {timeout:g} s and was stopped; {advice}"
            )
        status, content_type, body, _, reusable = reply
        answer = Answer(status, content_type, body, reusable)
        if keep:
            self.answers.keep(key, answer)
        return answer

    def _run(self, worker: _Worker, job: _Job) -> None:
        """Hand a job to an idle worker, with its time limit."""
        if job.timer is not None:
            job.timer.cancel()
        worker.job = job
        job.timer = self._loop.call_later(job.timeout, self._overran, worker)
        if worker.link is None:
            worker.link = _Link(
                self._loop,
                worker.conn,
                lambda reply: self._answered(worker, reply),
                lambda error: self._lost(worker, error),
            )
        worker.link.send(job.message)

    def _answered(self, worker: _Worker, reply: tuple) -> None:
        job, worker.job = worker.job, None
        if job is not None:
            job.timer.cancel()
            if not job.answer.done():  # a request that went away leaves its answer unread
                job.answer.set_result(reply)
        if reply[3]:  # healthy
            self._release(worker)
        else:  # out of memory: replaced
            self._replace(worker)

    def _overran(self, worker: _Worker) -> None:
        job, worker.job = worker.job, None
        if job is not None and not job.answer.done():
            job.answer.set_result(None)
        self._replace(worker)  # stopped mid-job: its state is unknown

    def _lost(self, worker: _Worker, error: Exception) -> None:
        job, worker.job = worker.job, None
        if job is not None:
            job.timer.cancel()
            if not job.answer.done():
                job.answer.set_exception(error)
        self._replace(worker)

    def _release(self, worker: _Worker, fresh: bool = False) -> None:
        """Give a worker the longest waiting job, or back to the idle ones. From another
        thread (a `fresh` replacement that has loaded the graph) it goes through the loop."""
        loop = self._loop
        if loop is not None and not _in_loop(loop):
            try:
                loop.call_soon_threadsafe(self._release, worker, fresh)
                return
            except RuntimeError:  # the loop has closed: nobody is waiting any more
                pass
        if fresh:  # it read the graph files again: they may differ from the answers kept
            self.answers.clear()
        while self._waiting:
            job = self._waiting.popleft()
            if not job.answer.done():  # not given up on, nor gone away
                self._run(worker, job)
                return
        self._idle.append(worker)

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
            worker.close()

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
        worker.close()
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
        self._release(worker, fresh=True)


def _in_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _give_up(job: _Job) -> None:
    if not job.answer.done():
        job.answer.set_result(_BUSY)


# multiprocessing.connection's framing, which the worker's end of the pipe speaks: a 4-byte
# big-endian signed length (-1 and then an 8-byte length from 2 GiB up), then the pickle.
_LENGTH = struct.Struct("!i")
_LONG_LENGTH = struct.Struct("!Q")


class _Link:
    """The event loop's end of a worker's pipe, non-blocking: a job out, its answer in.

    `answered(reply)` is called with each answer as soon as it is whole; `lost(error)` once,
    when the pipe closes or breaks. A worker replaced mid-answer takes its pipe with it, so a
    half-read answer never matters.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        conn,
        answered: Callable[[tuple], None],
        lost: Callable[[Exception], None],
    ):
        self.loop = loop
        self.socket = socket.socket(fileno=os.dup(conn.fileno()))
        self.socket.setblocking(False)
        self.fd = self.socket.fileno()
        self.answered = answered
        self.lost = lost
        self.inbox = bytearray()
        self.outbox = memoryview(b"")
        self.writing = False
        self.closed = False
        loop.add_reader(self.fd, self._readable)

    def send(self, data: bytes) -> None:
        if len(data) < 0x7FFFFFFF:
            head = _LENGTH.pack(len(data))
        else:
            head = _LENGTH.pack(-1) + _LONG_LENGTH.pack(len(data))
        self.outbox = memoryview(head + data)
        self._writable()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.loop.remove_reader(self.fd)
            if self.writing:
                self.loop.remove_writer(self.fd)
            self.socket.close()

    def _writable(self) -> None:
        try:
            sent = self.socket.send(self.outbox)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError as exc:
            self._broken(exc)
            return
        self.outbox = self.outbox[sent:]
        if self.outbox and not self.writing:
            self.writing = True  # the rest of a big job (an exam bank) as the worker reads
            self.loop.add_writer(self.fd, self._writable)
        elif not self.outbox and self.writing:
            self.writing = False
            self.loop.remove_writer(self.fd)

    def _readable(self) -> None:
        try:
            chunk = self.socket.recv(1 << 18)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._broken(exc)
            return
        if not chunk:
            self._broken(EOFError("the worker closed its pipe"))
            return
        self.inbox += chunk
        while not self.closed and len(self.inbox) >= _LENGTH.size:
            (size,) = _LENGTH.unpack_from(self.inbox)
            start = _LENGTH.size
            if size == -1:
                if len(self.inbox) < start + _LONG_LENGTH.size:
                    return
                (size,) = _LONG_LENGTH.unpack_from(self.inbox, start)
                start += _LONG_LENGTH.size
            if len(self.inbox) < start + size:
                return
            try:
                reply = pickle.loads(self.inbox[start : start + size])
            except Exception as exc:  # a worker that wrote garbage is as good as gone
                self._broken(pickle.UnpicklingError(f"{type(exc).__name__}: {exc}"))
                return
            del self.inbox[: start + size]
            self.answered(reply)

    def _broken(self, error: Exception) -> None:
        if not self.closed:
            self.close()
            self.lost(error)
