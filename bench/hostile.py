"""Benchmark: dlcheck under hostile input, on loopback only, in bounded loops.

Prints three things (issue #16):
1. the time to check statements of 1k, 5k and 10k characters (goal: near-linear growth,
   10k characters in at most 0.5 s);
2. the peak memory of the server's workers while costly queries run (each worker is capped
   by --worker-memory; past it the query gets 503 and the worker is replaced);
3. /health latency while 70 clients trickle their requests a byte at a time and the costly
   queries run (goal: at most 100 ms, none refused).

Run: python bench/hostile.py [--workers 2] [--seconds 8]
"""

from __future__ import annotations

import argparse
import itertools
import socket
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

# Statements built by repeating a unit up to the length: cue words, lists, plain claims.
UNITS = {
    "cue words": "does not always often never need ",
    "concept list": "CNNs and RNNs and GPUs and transformers ",
    "claim sentences": "Deep learning requires GPUs. ",
}
LENGTHS = (1_000, 5_000, 10_000)


def _growth(name: str) -> str:
    """A query whose one string grows eightfold at each step: 16 B to 2 GB."""
    eight = ",".join(["?{0}"] * 8)
    names = "abcdefghij"
    steps = ['BIND("aaaaaaaaaaaaaaaa" AS ?a)']
    steps += [f"BIND({name}({eight.format(b)}) AS ?{a})" for b, a in itertools.pairwise(names)]
    return f"SELECT (STRLEN(?j) AS ?n) WHERE {{ {' '.join(steps)} }}"


COSTLY = {
    "CONCAT growth": _growth("CONCAT"),
    "REPLACE growth": (
        "SELECT (STRLEN(?x) AS ?n) WHERE { BIND(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE("
        '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), "a", '
        '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), "a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), "a", '
        '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), "a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") AS ?x) }'
    ),
    "cartesian product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
}


def statement_times() -> None:
    from checker.check import Checker

    checker = Checker()
    print("1. checking one statement, by length in characters (best of 3, milliseconds)")
    print(f"   {'statement':<18}" + "".join(f"{n:>10,}" for n in LENGTHS) + "   10k/1k")
    for name, unit in UNITS.items():
        times = []
        for length in LENGTHS:
            best = float("inf")
            for attempt in range(3):
                # A new text each time: the checker remembers the decisions it has made.
                text = (f"{attempt} " + unit * (length // len(unit) + 1))[:length]
                start = time.perf_counter()
                checker.check(text)
                best = min(best, time.perf_counter() - start)
            times.append(best)
        ratio = times[-1] / times[0] if times[0] else float("inf")
        cells = "".join(f"{t * 1000:>10.1f}" for t in times)
        print(f"   {name:<18}{cells}   {ratio:6.1f}x")


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class _MemoryWatch(threading.Thread):
    """Samples the resident memory of every live worker every 20 ms; keeps the peak."""

    def __init__(self, pool):
        super().__init__(daemon=True)
        self.pool = pool
        self.peak_kb = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.02):
            for worker in list(self.pool._live):
                self.peak_kb = max(self.peak_kb, _rss_kb(worker.process.pid))


def _ask(url: str, query: str, timeout: float = 60.0) -> str:
    request = f"{url}?{urllib.parse.urlencode({'query': query})}"
    start = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        return f"no answer ({exc})"
    return f"{status} after {time.monotonic() - start:.1f} s"


def costly_queries(server) -> None:
    print("2. server memory under costly queries (one at a time)")
    watch = _MemoryWatch(server.pool)
    watch.start()
    for name, query in COSTLY.items():
        before = watch.peak_kb
        print(f"   {name:<18} {_ask(server.url, query)}", end="")
        time.sleep(0.1)
        print(f"; worker peak so far {max(before, watch.peak_kb) / 1024:.0f} MB")
    watch.stopped.set()
    limit = server.limits.worker_memory >> 20
    print(f"   peak resident memory of a worker: {watch.peak_kb / 1024:.0f} MB (cap {limit} MB)")


def slow_clients_and_health(server, seconds: float, clients: int = 70) -> None:
    print(f"3. /health while {clients} clients trickle a byte every 0.5 s and costly queries run")
    address = server.server_address[:2]
    slow = [socket.create_connection(address, timeout=5) for _ in range(clients)]
    stop = threading.Event()

    def trickle() -> None:
        request = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n"
        step = 0
        while not stop.wait(0.5):
            for raw in slow:
                try:
                    raw.sendall(request[step % len(request) : step % len(request) + 1])
                except OSError:
                    pass
            step += 1

    def costly() -> None:
        while not stop.is_set():
            for query in COSTLY.values():
                if stop.is_set():
                    return
                _ask(server.url, query)

    helpers = [threading.Thread(target=trickle, daemon=True)]
    helpers += [threading.Thread(target=costly, daemon=True) for _ in range(2)]
    for helper in helpers:
        helper.start()
    health = server.url.replace("/sparql", "/health")
    latencies, refused = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.monotonic()
        try:
            with urllib.request.urlopen(health, timeout=10) as answer:
                answer.read()
        except (urllib.error.URLError, OSError):
            refused += 1
        latencies.append(time.monotonic() - start)
        time.sleep(0.1)
    stop.set()
    for raw in slow:
        raw.close()
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(
        f"   {len(latencies)} tries: median {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms; {refused} refused"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="query worker processes")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of part 3")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from web.server import make_server

    statement_times()
    server = make_server(host="127.0.0.1", port=0, workers=args.workers, quiet=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        costly_queries(server)
        slow_clients_and_health(server, args.seconds)
    finally:
        server.shutdown()
        thread.join()
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
