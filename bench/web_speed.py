"""Benchmark: the pages of `dlcheck serve`, in a browser and under concurrent clients.

0. The first page after a start (Browse, which needs the catalogue of web/catalogue.py),
   asked for as soon as the server serves.
1. Time to a drawn verdict, warm: headless Chromium (Selenium) types a statement into the
   Check page, submits it and waits until the path's SVG is in the page; and the same by
   opening `/?text=...` directly (Navigation Timing's load end). Goal: <= 300 ms.
2. Page load: N client threads each fetch M pages (Check with several statements, Browse,
   a topic, claims, concepts, Search, SPARQL with a query, Exam); every answer must be a
   whole page with status 200: a lost one makes the exit status 1.
3. The /sparql load of bench/server_load.py on the same server, for comparison.

Run: python bench/web_speed.py [--runs 30] [--threads 8] [--pages 100] [--workers 2]
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATEMENTS = [
    "Deep learning always needs massive datasets.",
    "CNNs don't always need GPUs.",
    "Deep learning is only for highly specialized experts.",
    "Transformers use attention.",
]
PAGES = [
    *("/?" + urllib.parse.urlencode({"text": s}) for s in STATEMENTS),
    "/browse",
    "/topic/accessibility",
    "/claim/dl-restricted-to-experts",
    "/claim/dl-requires-massive-datasets",
    "/concept/deep-learning",
    "/concept/gpu",
    "/search?q=network",
    "/query?" + urllib.parse.urlencode({"query": "SELECT ?c WHERE { ?c a dlc:Claim } LIMIT 20"}),
    "/exam",
]


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def time_to_verdict(base: str, runs: int) -> tuple[list[float], list[float]]:
    """Milliseconds from submitting a typed statement to its drawn path, and the load time
    of `/?text=...` opened directly (both warm: every statement was checked before)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser()
    typed, opened = [], []
    try:
        for statement in STATEMENTS:  # warm the checker's cache and the catalogue
            driver.get(base + "/?" + urllib.parse.urlencode({"text": statement}))
        for run in range(runs):
            statement = STATEMENTS[run % len(STATEMENTS)]
            driver.get(base + "/")
            box = driver.find_element(By.ID, "text")
            box.send_keys(statement)
            button = driver.find_element(By.CSS_SELECTOR, ".check-form button")
            start = time.perf_counter()
            button.click()
            WebDriverWait(driver, 30, poll_frequency=0.002).until(
                seen.presence_of_element_located((By.CSS_SELECTOR, "svg.path-picture a.node"))
            )
            typed.append((time.perf_counter() - start) * 1000)
            driver.get(base + "/?" + urllib.parse.urlencode({"text": statement}))
            opened.append(
                driver.execute_script(
                    "const n = performance.getEntriesByType('navigation')[0];"
                    "return n.loadEventEnd - n.startTime;"
                )
            )
    finally:
        driver.quit()
    return typed, opened


def page_load(base: str, threads: int, per_thread: int) -> tuple[int, int, list[str], float]:
    """(sent, answered, failures, seconds) for threads x per_thread page requests."""
    sent = answered = 0
    failures: list[str] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        nonlocal sent, answered
        for i in range(per_thread):
            path = PAGES[(number * 7 + i) % len(PAGES)]
            with lock:
                sent += 1
            try:
                with urllib.request.urlopen(base + path, timeout=60) as response:
                    body = response.read()
                    ok = response.status == 200 and body.rstrip().endswith(b"</html>")
                    why = f"{path}: status {response.status}"
            except (urllib.error.URLError, OSError) as exc:
                ok, why = False, f"{path}: {exc}"
            with lock:
                if ok:
                    answered += 1
                else:
                    failures.append(why)

    clients = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    start = time.perf_counter()
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    return sent, answered, failures, time.perf_counter() - start


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="browser checks")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--pages", type=int, default=100, help="page requests per thread")
    parser.add_argument("--queries", type=int, default=200, help="/sparql queries per thread")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from web.server import make_server

    spec = importlib.util.spec_from_file_location("server_load", ROOT / "bench/server_load.py")
    server_load = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = server_load
    spec.loader.exec_module(server_load)

    server = make_server(port=0, workers=args.workers, quiet=True)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        start = time.perf_counter()
        with urllib.request.urlopen(server.base_url + "/browse", timeout=120) as response:
            response.read()
        first = (time.perf_counter() - start) * 1000
        typed, opened = time_to_verdict(server.base_url, args.runs)
        sent, answered, failures, seconds = page_load(server.base_url, args.threads, args.pages)
        sparql = server_load.run_load(server.url, args.threads, args.queries)
    finally:
        server.shutdown()
        thread.join()
        server.close()
    print(f"{server.pool.size} workers; first page after the start: {first:.0f} ms")
    print(f"{args.runs} browser checks (warm)")
    for name, values in (("typed and submitted", typed), ("opened /?text=", opened)):
        print(
            f"time to a drawn verdict, {name}: median {statistics.median(values):.0f} ms, "
            f"p95 {_percentile(values, 0.95):.0f} ms, max {max(values):.0f} ms (goal <= 300 ms)"
        )
    print(
        f"pages: {answered}/{sent} answered, {len(failures)} lost, {seconds:.2f} s, "
        f"{answered / seconds:.0f} pages/s ({args.threads} threads x {args.pages})"
    )
    print(
        f"/sparql: {sparql.answered}/{sparql.sent} answered, {len(sparql.failures)} lost, "
        f"{sparql.rate:.0f} requests/s ({args.threads} threads x {args.queries})"
    )
    for failure in (failures + sparql.failures)[:5]:
        print(f"  failed: {failure}")
    return 0 if answered == sent and sparql.answered == sparql.sent else 1


if __name__ == "__main__":
    sys.exit(main())
