"""The curators' tutorial (docs/curators.md, "Growing the graph"), followed step by step: its
files are written, its `dlcheck` commands run in order against a real Oxigraph server, and
each shown output line must appear (in order; `...` matches anything)."""

from __future__ import annotations

import re
import shlex

import pytest
import test_remote
from conftest import FIXTURES

DOC = FIXTURES.parents[1] / "docs" / "curators.md"
DOC_STORE = "http://127.0.0.1:7878"


@pytest.fixture
def oxigraph(tmp_path):
    """A real Oxigraph server on a free loopback port (the fixture of tests/test_remote.py)."""
    yield from test_remote.oxigraph.__wrapped__(tmp_path)


def tutorial() -> tuple[dict[str, str], list[tuple[str, list[str]]]]:
    """(files to write, [(command, shown output lines)]) of the tutorial section."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Growing the graph: a tutorial", 1)[1].split("\n## ", 1)[0]
    files: dict[str, str] = {}
    steps: list[tuple[str, list[str]]] = []
    for info, body in re.findall(r"```([^\n]*)\n(.*?)```", section, flags=re.S):
        kind, _, name = info.partition(" ")
        if name:
            files[name] = body
        elif kind == "console":
            for line in body.splitlines():
                if line.startswith("$ "):
                    steps.append((line[2:], []))
                elif line.strip():
                    steps[-1][1].append(line)
    return files, steps


def _shown(expected: str) -> re.Pattern:
    return re.compile(".*?".join(re.escape(part) for part in expected.split("...")))


def test_the_tutorial_has_every_step():
    """Write a sheet, import, diff, push, check through the store, pull back."""
    files, steps = tutorial()
    assert set(files) == {"claims.csv", "claims.txt"}
    commands = [shlex.split(command) for command, _ in steps]
    heads = [words[:3] for words in commands if words[0] == "dlcheck"]
    assert [h[2] if h[1] == "kg" else h[1] for h in heads] == [
        "import",
        "diff",
        "push",
        "check",
        "pull",
        "diff",
    ]
    assert "--endpoint" in commands[[w[:2] for w in commands].index(["dlcheck", "check"])]


def test_following_the_tutorial(oxigraph, run_cli, tmp_path, monkeypatch):
    files, steps = tutorial()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("DLCHECK_STATE", str(tmp_path / "state.json"))
    # The push uploads the bundled graph: Oxigraph takes about 15 s of CPU to store it, past
    # the 30 s an exchange may take by default on a loaded host (nothing shown depends on it).
    monkeypatch.setenv("DLCHECK_ENDPOINT_TIMEOUT", "300")
    for name, body in files.items():
        (work / name).write_text(body, encoding="utf-8")
    store = oxigraph.removesuffix("/query")
    ran = 0
    for command, shown in steps:
        words = shlex.split(command.replace(DOC_STORE, store))
        if words[0] != "dlcheck":
            continue  # the tutorial's own Oxigraph: the fixture's server stands in for it
        result = run_cli(*words[1:])
        assert result.exit_code == 0, f"{command}\n{result.stderr}"
        lines = iter(result.output.splitlines())
        for expected in shown:
            pattern = _shown(expected.replace(DOC_STORE, store))
            assert any(pattern.fullmatch(line) for line in lines), (
                f"{command}: no line {expected!r} (in order) in:\n{result.output}"
            )
        ran += 1
    assert ran == 6
    assert sorted(p.name for p in work.iterdir()) == [
        "claims.csv",
        "claims.txt",
        "mine.ttl",
        "pulled",
    ]
