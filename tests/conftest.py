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

# Rough CPU seconds of the costliest units of work in a whole run (session 12, 2 workers:
# each unit's wall seconds in `--durations` times the run's CPU / wall): they are handed out
# first, longest first, so that the run does not end with one worker still in the tutorial
# while the other has nothing left. Renamed, a unit only loses its place; every unit not
# named here follows in collection order.
COSTLY = {
    "tests/test_tutorial.py": 240,
    "tests/test_reading.py": 105,
    "tests/served/": 100,
    "tests/test_claim_index.py": 70,
    "tests/test_scale.py": 58,
    "tests/test_persistent.py": 50,
    "tests/test_sheet.py": 38,
    "tests/test_seed_graph.py": 30,
    "tests/test_compile.py": 21,
    "tests/exam/test_exam_properties.py": 15,
    "tests/exam/test_exam_cli.py": 10,
    "tests/test_export.py": 9,
    "tests/test_checker.py": 9,
}


def _unit(nodeid: str) -> str:
    """The unit of work of a test under `pytest -n`: its module, or all of tests/served/."""
    return SERVED if nodeid.startswith(SERVED) else nodeid.split("::", 1)[0]


def pytest_collection_modifyitems(items) -> None:
    """The costliest units first (COSTLY); the rest, and the order within a unit, kept."""
    items.sort(key=lambda item: -COSTLY.get(_unit(item.nodeid), 0))


def _by_module(config, log):
    """pytest -n: the scheduler of `--dist load`, except that a unit of work is a module
    (all of tests/served/ one unit), handed out in collection order. A module's fixtures
    (the rdflib compile of test_compile, the labelled sets' verdicts, the documented
    queries' answers) are then made by one worker, where tests of one module spread over
    both workers made them twice; the run starts one server and one browser. (xdist's own
    `--dist loadgroup` groups by a suffix of the node id, which pytest 9.2 no longer lets it
    set, and `--dist loadfile` would not keep tests/served/ together.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByModule(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

    # The order of pytest_collection_modifyitems, not xdist's largest-module-first.
    config.option.loadscopereorder = False
    return ByModule(config, log)


if importlib.util.find_spec("xdist") is not None:  # a hook pytest knows only with xdist
    pytest_xdist_make_scheduler = _by_module


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
