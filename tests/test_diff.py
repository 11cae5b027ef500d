"""`dlcheck kg diff OLD NEW`: what a change to the graph does to claims, concepts, verdicts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from conftest import seed_files

MYTH = "claim:dl-requires-specialized-hardware"
STATEMENTS = (
    "text\texpected\n"
    "Deep learning requires specialized hardware.\tfalse\n"
    "Deep learning models can be trained on standard CPUs.\ttrue\n"
)


@pytest.fixture
def flipped(tmp_path):
    """(the seed topics, a copy of them in which the hardware myth is marked true, the
    statements): diff's mechanics, on a graph small enough to compile in a moment."""
    seed = tmp_path / "seed"
    folder = tmp_path / "data"
    for copy in (seed, folder):
        copy.mkdir()
        for path in seed_files():
            shutil.copy(path, copy / path.name)
    hardware = folder / "hardware.ttl"
    text = hardware.read_text(encoding="utf-8")
    old = "dlc:modality dlc:Always ; dlc:truthStatus dlc:StatusFalse ;"
    assert text.index(old) < text.index("claim:dl-trains-on-cpus a")  # the myth's own status
    new = "dlc:modality dlc:Always ; dlc:truthStatus dlc:StatusTrue ;"
    hardware.write_text(text.replace(old, new, 1), encoding="utf-8")
    statements = tmp_path / "statements.tsv"
    statements.write_text(STATEMENTS, encoding="utf-8")
    return seed, folder, statements


def test_a_flipped_status_shows_as_a_change_and_a_broken_verdict(run_cli, flipped):
    seed, folder, statements = flipped
    args = ["kg", "diff", str(seed), str(folder), "--statements", str(statements)]
    text = run_cli(*args)
    assert text.exit_code == 0, text.stderr
    lines = text.output.splitlines()
    assert lines[0] == f"graph diff {seed} -> {folder}"
    assert "claims: 0 added, 0 removed, 1 changed" in lines
    assert f"  ~ {MYTH}  Deep learning requires specialized hardware such as GPUs or TPUs." in lines
    assert "      status: false -> true" in lines
    assert (
        "verdicts: 1 of 2 statements changed (0 fixed, 1 broken, 0 other) on statements.tsv"
        in lines
    )
    assert lines[-1] == (
        "  broken  [statements.tsv] 'Deep learning requires specialized hardware.': "
        "false -> true (label false)"
    )

    strict = run_cli(*args, "--strict", "--format", "json")
    assert strict.exit_code == 1
    data = json.loads(strict.output)
    assert data["claims"]["changed"][0]["changes"] == {"status": {"old": "false", "new": "true"}}
    assert data["verdict_summary"] == {"fixed": 0, "broken": 1, "changed": 0}
    assert data["verdicts"][0]["effect"] == "broken"

    markdown = run_cli(*args, "--format", "markdown").output
    assert markdown.startswith(f"### Graph diff: `{seed}` → `{folder}`\n")
    assert f"| changed | `{MYTH}` |" in markdown
    row = "| broken | statements.tsv | Deep learning requires specialized hardware. |"
    assert row + " false | false | true |" in markdown


def test_git_revisions_and_the_working_tree(run_cli, tmp_path, monkeypatch):
    if shutil.which("git") is None:
        if os.environ.get("CI"):
            pytest.fail("git is missing: CI clones the repository with it")
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "kg" / "data").mkdir(parents=True)
    for path in seed_files():
        shutil.copy(path, repo / "kg" / "data" / path.name)
    monkeypatch.chdir(repo)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "bundled"], check=True)
    (repo / "kg" / "data" / "interpretability.ttl").unlink()
    statements = tmp_path / "none.txt"
    statements.write_text("Deep learning models are always black boxes.\n")
    result = run_cli(
        "kg", "diff", "HEAD", "kg/data", "--statements", str(statements), "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.output)
    assert data["claims"]["removed"] and not data["claims"]["added"]
    assert data["old"] == "HEAD" and data["statements"] == 1
    same = json.loads(
        run_cli(
            "kg",
            "diff",
            "HEAD",
            "HEAD:kg/data",
            "--statements",
            str(statements),
            "--format",
            "json",
        ).output
    )
    assert same["claims"] == {"added": [], "removed": [], "changed": []} and same["verdicts"] == []


def test_a_side_that_is_nothing_is_a_usage_error(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("kg", "diff", "bundled", "no-such-thing")
    assert result.exit_code == 2
    assert result.stderr == (
        "dlcheck: error: 'no-such-thing': no such file, directory, git revision or URL\n"
    )
