"""One server and one browser for the whole session: starting either costs seconds."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from web.endpoint import Limits
from web.server import DlcheckServer, make_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def launch() -> Callable[..., tuple[DlcheckServer, Callable[[], None]]]:
    """Start a server with these limits on a free loopback port, on the bundled graph or on
    `graph_files`: (server, stop)."""

    def start(graph_files=None, **limits) -> tuple[DlcheckServer, Callable[[], None]]:
        # Ten minutes for the workers to load the graph, not `dlcheck serve`'s two: a test run's
        # other worker, and other jobs on the host, share the cores while they start (at load
        # 14 on 2 cores every served test errored at setup).
        server = make_server(
            graph_files, port=0, workers=2, limits=Limits(**limits), quiet=True, start_wait=600.0
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()

        def stop() -> None:
            server.shutdown()
            thread.join(5)
            server.close()

        return server, stop

    return start


@pytest.fixture(scope="session")
def server(launch, checker):
    """The server with the default limits but a client timeout of 1 s (tests hit it).

    After the session's checker: building it compiles the bundled graph and its checker
    tables into the shared cache (or waits, with no deadline, for the pytest worker doing
    so), so that the server's workers only open them. On a cold cache under load, their own
    build missed the 120 s a worker has to load the graph."""
    server, stop = launch(client_timeout=1.0)
    yield server
    stop()


def _chromium() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's chromium and chromium-driver) driven by Selenium."""
    found = _chromium()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        found = None
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium, chromium-driver or selenium is missing; .ci/run installs them")
        pytest.skip("no chromium and chromedriver (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--disable-gpu",
        "--no-first-run",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(found[1]), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
