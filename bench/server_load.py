"""Benchmark: `dlcheck serve` under concurrent SPARQL clients on loopback.

N client threads each send M queries (GET and POST, JSON/XML/CSV/TSV, SELECT and ASK) and
check every answer; the run stops by itself and reports requests per second. Every request
must be answered with 200: a lost or failed one is counted and makes the exit status 1.

Run: python bench/server_load.py [--threads 8] [--queries 200] [--workers N]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

QUERIES = [
    ("SELECT ?l WHERE { c:tpu skos:prefLabel ?l }", "application/sparql-results+json"),
    ("SELECT ?c ?s WHERE { ?c dlc:truthStatus ?s } LIMIT 20", "text/csv"),
    ("ASK { c:gpu skos:broader ?b }", "application/sparql-results+xml"),
    (
        "SELECT ?c WHERE { ?c dlc:topic topic:hardware ; dlc:truthStatus dlc:StatusFalse }",
        "text/tab-separated-values",
    ),
]


@dataclass
class LoadResult:
    sent: int = 0
    answered: int = 0  # with status 200 and a non-empty body
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0


def run_load(url: str, threads: int = 8, per_thread: int = 200, timeout: float = 30.0):
    """Send threads x per_thread queries to the SPARQL endpoint `url`; every one is accounted."""
    result = LoadResult()
    lock = threading.Lock()

    def client(number: int) -> None:
        for i in range(per_thread):
            query, accept = QUERIES[(number + i) % len(QUERIES)]
            encoded = urllib.parse.urlencode({"query": query})
            if i % 2:
                request = urllib.request.Request(
                    url,
                    data=encoded.encode(),
                    headers={
                        "Accept": accept,
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                )
            else:
                request = urllib.request.Request(f"{url}?{encoded}", headers={"Accept": accept})
            with lock:
                result.sent += 1
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    ok = response.status == 200 and bool(response.read())
                    why = f"status {response.status}"
            except (urllib.error.URLError, OSError) as exc:
                ok, why = False, str(exc)
            with lock:
                if ok:
                    result.answered += 1
                else:
                    result.failures.append(why)

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    result.seconds = time.perf_counter() - start
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--queries", type=int, default=200, help="per thread")
    parser.add_argument("--workers", type=int, default=None, help="query worker processes")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from web.server import make_server

    server = make_server(port=0, workers=args.workers, quiet=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        result = run_load(server.url, args.threads, args.queries)
    finally:
        server.shutdown()
        thread.join()
        server.close()
    print(
        f"{result.answered}/{result.sent} answered, {len(result.failures)} failed, "
        f"{result.seconds:.2f} s, {result.rate:.0f} requests/s "
        f"({args.threads} threads x {args.queries} queries, {server.pool.size} query workers)"
    )
    for failure in result.failures[:5]:
        print(f"  failed: {failure}")
    return 0 if result.answered == result.sent else 1


if __name__ == "__main__":
    sys.exit(main())
