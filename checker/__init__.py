"""The checker: from a free-text statement to a verdict with its justification path."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from checker.check import Checker, Verdict

__all__ = ["Checker", "Verdict", "check"]


def check(text: str) -> Verdict:
    """Check one statement against the bundled graph (the pipeline is built once per process)."""
    from checker.check import default_checker

    return default_checker().check(text)


def __getattr__(name: str):
    if name in ("Checker", "Verdict"):
        from checker import check as module

        return getattr(module, name)
    raise AttributeError(name)
