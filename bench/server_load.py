"""Benchmark: `dlcheck serve` under concurrent SPARQL clients on loopback.

N client threads each send M queries (GET and POST, JSON/XML/CSV/TSV, SELECT and ASK) and
check every answer; the run stops by itself and reports requests per second. Every request
must be answered with 200: a lost or failed one is counted and makes the exit status 1.

The server runs in a child process of its own, as `dlcheck serve` does, so the clients'
threads do not share its interpreter lock.

--baseline also measures the session-3 server, the hand-written kg/server.py that web/
replaced, in the same run: this machine is shared and its speed drifts twice over within
minutes, so only figures taken side by side compare. Its source is taken from git history
(`git show <commit that removed it>^:kg/server.py`) into a temporary directory, imported
there as a module beside this checkout's kg/ and checker/, and deleted afterwards; it is
never part of the package. Without git history the baseline is skipped, with a note. The
two servers take turns (--rounds pairs, new first), and each pair gives a new/old ratio.

The new server keeps the answers to repeated queries (web/workers.py, AnswerCache), and
this bench repeats four queries: --no-answer-cache measures its HTTP layer and workers
alone, which is what the session-3 server had.

Run: python bench/server_load.py [--threads 8] [--queries 200] [--workers 2]
                                 [--baseline] [--rounds 3] [--no-answer-cache]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE_MODULE = "session3_server"  # kg/server.py of session 3, in a temporary directory

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


def warm_up(url: str) -> None:
    """Every query once per worker and format, so that no round pays for first parses."""
    run_load(url, threads=4, per_thread=len(QUERIES) * 2)


# --- the servers, each in a child process ------------------------------------------------


def serve_in_child(which: str, workers: int | None, baseline_dir: str | None) -> None:
    """The child's side: start the server, print its URL, serve until stdin closes.
    `new-uncached` is the new server without its answer cache (the HTTP layer alone)."""
    sys.path.insert(0, str(ROOT))
    options = {}
    if which == "old":
        sys.path.insert(0, baseline_dir)
        make_server = __import__(BASELINE_MODULE).make_server
    else:
        from web.endpoint import Limits
        from web.server import make_server

        if which == "new-uncached":
            options["limits"] = Limits(answer_cache=0)
    server = make_server(port=0, workers=workers, quiet=True, **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    print(f"{server.url} {server.pool.size}", flush=True)
    sys.stdin.read()  # the bench closes it when the round is over
    server.shutdown()
    thread.join()
    server.close()


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of a process so far, from /proc (None where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_pids(pid: int) -> list[int]:
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return []
    return [int(n) for task in tasks for n in (task / "children").read_text().split()]


class ChildServer:
    """A server in a child process: `with ChildServer(...) as (url, workers): ...`."""

    def __init__(self, which: str, workers: int | None, baseline_dir: str | None = None):
        command = [sys.executable, __file__, "--serve", which]
        if workers:
            command += ["--workers", str(workers)]
        if baseline_dir:
            command += ["--baseline-dir", baseline_dir]
        self.command = command

    def __enter__(self) -> tuple[str, int]:
        self.process = subprocess.Popen(
            self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        line = self.process.stdout.readline().split()
        if len(line) != 2:
            self.process.kill()
            raise SystemExit(f"server_load: the {self.command[3]} server did not start")
        return line[0], int(line[1])

    def cpu(self) -> tuple[float, float] | None:
        """CPU seconds so far of the web process and of its worker processes together."""
        web = cpu_seconds(self.process.pid)
        workers = [cpu_seconds(pid) for pid in child_pids(self.process.pid)]
        if web is None or None in workers:
            return None
        return web, sum(workers)

    def __exit__(self, *exc) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def extract_baseline(into: Path) -> str | None:
    """Write session 3's kg/server.py into `into` from git history; None and why if not."""
    try:
        removed = subprocess.run(
            ["git", "log", "--diff-filter=D", "--format=%H", "-1", "--", "kg/server.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not removed:
            return "git history does not have kg/server.py"
        source = subprocess.run(
            ["git", "show", f"{removed}^:kg/server.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"no git history here ({exc})"
    (into / f"{BASELINE_MODULE}.py").write_text(source, encoding="utf-8")
    return None


def measure(which: str, args, baseline_dir: str | None = None) -> LoadResult:
    child = ChildServer(which, args.workers, baseline_dir)
    with child as (url, workers):
        warm_up(url)
        before = child.cpu()
        result = run_load(url, args.threads, args.queries)
        after = child.cpu()
    name = {
        "new": "new (web/)",
        "new-uncached": "new (web/), no answer cache",
        "old": "old (session 3, kg/server.py)",
    }[which]
    print(
        f"{name}: {result.answered}/{result.sent} answered, {len(result.failures)} failed, "
        f"{result.seconds:.2f} s, {result.rate:.0f} requests/s "
        f"({args.threads} threads x {args.queries} queries, {workers} query workers)",
        flush=True,
    )
    if before and after and result.answered:
        web, pool = ((a - b) * 1000 / result.answered for a, b in zip(after, before, strict=True))
        print(f"  CPU per request: web process {web:.2f} ms, query workers {pool:.2f} ms")
    for failure in result.failures[:5]:
        print(f"  failed: {failure}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--queries", type=int, default=200, help="per thread")
    parser.add_argument("--workers", type=int, default=None, help="query worker processes")
    parser.add_argument(
        "--baseline", action="store_true", help="also measure session 3's server, in turns"
    )
    parser.add_argument("--rounds", type=int, default=3, help="pairs of runs with --baseline")
    parser.add_argument(
        "--no-answer-cache",
        action="store_true",
        help="measure the new server without its cache of repeated answers",
    )
    parser.add_argument("--serve", choices=("new", "new-uncached", "old"), help=argparse.SUPPRESS)
    parser.add_argument("--baseline-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_in_child(args.serve, args.workers, args.baseline_dir)
        return 0

    new = "new-uncached" if args.no_answer_cache else "new"
    if not args.baseline:
        result = measure(new, args)
        return 0 if result.answered == result.sent else 1

    lost = 0
    ratios = []
    with tempfile.TemporaryDirectory(prefix="dlcheck-baseline-") as baseline_dir:
        why = extract_baseline(Path(baseline_dir))
        if why:
            print(f"baseline skipped: {why}")
        for _ in range(args.rounds):
            ours = measure(new, args)
            lost += ours.sent - ours.answered
            if why:
                continue
            old = measure("old", args, baseline_dir)
            lost += old.sent - old.answered
            ratios.append(ours.rate / old.rate if old.rate else 0.0)
            print(f"  new/old: {ratios[-1]:.2f}", flush=True)
    if ratios:
        print(
            f"new/old over {len(ratios)} pairs: median {statistics.median(ratios):.2f}, "
            f"min {min(ratios):.2f}, max {max(ratios):.2f}"
        )
    return 0 if lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
