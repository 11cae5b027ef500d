"""Every command and option of the CLI has help text and is documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from cli import cli

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
# The options every command that reads the graph shares: one paragraph of the README.
SHARED = ("--graph", "--no-bundled", "--endpoint")


def _commands(group: click.Group, path: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield " ".join((*path, name)), command


COMMANDS = list(_commands(cli))


def _rows(name: str) -> str:
    """The README's command-table rows of `dlcheck NAME`."""
    return "\n".join(line for line in README.splitlines() if line.startswith(f"| `dlcheck {name}"))


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_command_and_option_has_help_and_a_readme_entry(name, command):
    assert command.help, f"dlcheck {name} has no help text"
    rows = _rows(name)
    assert rows, f"dlcheck {name} has no row in the README's command table"
    shared = next(p for p in README.split("\n\n") if "Every command that reads the graph" in p)
    for option in command.params:
        if not isinstance(option, click.Option):
            continue
        assert option.help, f"dlcheck {name} {option.opts[0]} has no help text"
        documented = rows + shared if option.opts[0] in SHARED else rows
        assert any(re.search(rf"(?<![\w-]){flag}(?![\w-])", documented) for flag in option.opts), (
            f"dlcheck {name} {option.opts[0]} is not documented in its README row"
        )
