"""The settings file names the team's triple store, below the flag and the environment."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, seed_graph_args

UNREACHABLE = "http://127.0.0.1:9/sparql"  # the discard port: nothing answers there


@pytest.fixture
def settings(tmp_path, monkeypatch):
    path = tmp_path / "config.ini"
    monkeypatch.setenv("DLCHECK_CONFIG", str(path))
    monkeypatch.delenv("DLCHECK_ENDPOINT", raising=False)
    monkeypatch.setenv("DLCHECK_ENDPOINT_TIMEOUT", "2")
    return path


def test_endpoint_from_the_settings_file_is_used(run_cli, settings):
    settings.write_text(f"[dlcheck]\nendpoint = {UNREACHABLE}\n")
    result = run_cli("stats")
    assert result.exit_code == 1
    assert UNREACHABLE in result.stderr


def test_graph_flag_beats_the_settings_file(run_cli, settings):
    settings.write_text(f"[dlcheck]\nendpoint = {UNREACHABLE}\n")
    result = run_cli("validate", *seed_graph_args(), "--graph", str(FIXTURES / "broken.ttl"))
    assert result.exit_code == 1
    assert "does not conform" in result.output


def test_environment_beats_the_settings_file(run_cli, settings, monkeypatch):
    settings.write_text("[dlcheck]\nendpoint = http://127.0.0.1:9/from-file\n")
    monkeypatch.setenv("DLCHECK_ENDPOINT", "http://127.0.0.1:9/from-env")
    result = run_cli("stats")
    assert "from-env" in result.stderr and "from-file" not in result.stderr


def test_a_broken_settings_file_is_a_usage_error(run_cli, settings):
    settings.write_text("endpoint without a section\n")
    result = run_cli("stats")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"dlcheck: error: {settings}: not a valid settings file")


def test_a_named_settings_file_must_exist(run_cli, settings):
    result = run_cli("stats")
    assert result.exit_code == 2
    assert "no such settings file" in result.stderr


def test_no_settings_means_the_bundled_graph(run_cli, tmp_path, monkeypatch):
    monkeypatch.delenv("DLCHECK_CONFIG", raising=False)
    monkeypatch.delenv("DLCHECK_ENDPOINT", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    result = run_cli("stats", "--format", "json")
    assert result.exit_code == 0
