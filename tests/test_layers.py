"""The layering, kept by reading every import (lazy ones too): ontology -> kg -> checker ->
faces (cli.py, web/). A module may import its own layer and the layers below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {"ontology": 0, "kg": 1, "checker": 2, "cli": 3, "web": 3}
# Arrows upward that exist today, each with the issue that removes it. A new one fails.
KNOWN: set[tuple[str, str]] = set()


def _modules() -> list[Path]:
    files = [ROOT / "cli.py"]
    for package in ("ontology", "kg", "checker", "web"):
        files += sorted((ROOT / package).rglob("*.py"))
    return files


def _imports(path: Path) -> set[str]:
    """The project packages a file imports, anywhere in it (functions included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {n.split(".")[0] for n in names if n.split(".")[0] in LAYERS}
    return found


def _layer(path: Path) -> str:
    relative = path.relative_to(ROOT)
    return "cli" if relative.name == "cli.py" and len(relative.parts) == 1 else relative.parts[0]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down_the_layers(path):
    own = LAYERS[_layer(path)]
    name = str(path.relative_to(ROOT))
    upward = {
        target for target in _imports(path) if LAYERS[target] > own and (name, target) not in KNOWN
    }
    assert not upward, f"{name} imports {sorted(upward)}, a layer above its own"


def test_the_known_exceptions_still_exist():
    """An exception that is gone is taken off the list, so it cannot come back unseen."""
    for name, target in KNOWN:
        assert target in _imports(ROOT / name), f"{name} no longer imports {target}"
