"""Shared fixtures: the bundled graph parsed once per session, a private cache dir, the CLI."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

# The seed article's topic files, which validate on their own: the graph of tests about a
# curator's mechanics (push, pull, diff, sheets), where the bundled graph, fifty times larger,
# would only make them slow. Tests about the bundled graph itself read it whole.
SEED_TOPICS = (
    "accessibility.ttl",
    "concepts.ttl",
    "data-efficiency.ttl",
    "foundations.ttl",
    "hardware.ttl",
    "interpretability.ttl",
    "limitations.ttl",
    "sources.ttl",
)


def seed_files() -> list[Path]:
    """The bundled files of SEED_TOPICS."""
    from kg.store import bundled_data_files

    files = [path for path in bundled_data_files() if path.name in SEED_TOPICS]
    assert len(files) == len(SEED_TOPICS), "a seed topic file was renamed"
    return files


def seed_graph_args() -> list[str]:
    """The CLI options that read the seed topics instead of the bundled graph."""
    return ["--no-bundled", *(arg for path in seed_files() for arg in ("--graph", str(path)))]


SERVED = "tests/served/"


def _served_together(config, log):
    """pytest -n: the scheduler of `--dist load`, except that every test of tests/served/ is
    one unit of work, run by one worker: the run starts one server and one browser, not one
    of each per worker. (xdist's own `--dist loadgroup` groups by a suffix of the node id,
    which pytest 9.2 no longer lets it set.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ServedTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return SERVED if nodeid.startswith(SERVED) else nodeid

    return ServedTogether(config, log)


if importlib.util.find_spec("xdist") is not None:  # a hook pytest knows only with xdist
    pytest_xdist_make_scheduler = _served_together


@pytest.fixture(scope="session")
def graph():
    from kg.store import load_graph

    return load_graph()


@pytest.fixture(scope="session")
def bundled_findings(graph):
    """What `lint_graph` finds in the bundled graph, once per session: it takes seconds, and
    several tests compare other ways of finding it against this."""
    from kg.lint import lint_graph

    return tuple(lint_graph(graph))


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory):
    # The compiled-graph cache is shared per session (building it once keeps the suite fast)
    # but never touches the user's own cache directory. Session scope, so that it is in place
    # before the session's checker is built.
    # A developer's own settings (a team endpoint) must not reach the tests either.
    base = tmp_path_factory.getbasetemp()
    # pytest-xdist's workers each have a basetemp below one shared root: the cache goes
    # there, so that the run compiles the graph once, not once per worker (writes are
    # atomic and content-addressed, so two workers building one entry agree).
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    wanted = {
        "DLCHECK_CACHE_DIR": str(shared / "dlcheck-cache"),
        "XDG_CONFIG_HOME": str(base / "config-home"),
        "DLCHECK_CONFIG": None,
        "XDG_STATE_HOME": str(base / "state-home"),  # what a curator last pulled or pushed
        "DLCHECK_STATE": None,
        "DLCHECK_ENDPOINT": None,
    }
    previous = {name: os.environ.get(name) for name in wanted}
    for name, value in wanted.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    yield
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def run_cli():
    """Invoke the CLI in-process and return click's Result."""
    from click.testing import CliRunner

    from cli import cli

    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def checker():
    """One checker for the whole session: building the pipeline is the slow part."""
    from checker.check import Checker

    return Checker()
