"""Rephrasings: constructions whose parts the reader finds in another order, rewritten by the
patterns of the cue rule file ("X is called Y" says that Y is X).

A statement the graph leaves undecided is tried once more in its rephrased form; the
verdict then says how it was read."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from checker.cues import CueRuleError, read_rule_file


class Rephrasing(NamedTuple):
    pattern: re.Pattern[str]  # the whole sentence, case-insensitive
    template: str  # str.format fields: the pattern's named groups
    # The rephrased text is only part of what the sentence says ("unlike X, S" says S and
    # more): it can refute the sentence, never confirm it.
    refutes_only: bool = False
    # Read before the sentence itself, not only when it is left undecided: a fronted phrase
    # ("Without GPUs, S") whose cue would otherwise scope over the wrong words.
    first: bool = False


def load_rephrasings(path: str | Path | None = None) -> tuple[Rephrasing, ...]:
    """The rephrasings of a cue rule file (none for a bare rule list)."""
    source, data = read_rule_file(path)
    entries = data.get("rephrasings", []) if isinstance(data, dict) else []
    found = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not {"pattern", "as"} <= set(entry):
            raise CueRuleError(f"{source}: rephrasing {number} needs 'pattern' and 'as'")
        try:
            pattern = re.compile(entry["pattern"], re.IGNORECASE)
            entry["as"].format(**dict.fromkeys(pattern.groupindex, ""))
        except (re.error, KeyError, IndexError, ValueError) as exc:
            raise CueRuleError(f"{source}: rephrasing {number}: {exc}") from None
        found.append(
            Rephrasing(
                pattern,
                entry["as"],
                bool(entry.get("refutes_only", False)),
                bool(entry.get("first", False)),
            )
        )
    return tuple(found)


def rephrase(text: str, rephrasings: tuple[Rephrasing, ...]) -> tuple[str, bool] | None:
    """(the first rephrasing of a sentence that changes it, whether it can only refute the
    sentence), or None."""
    for rephrasing in rephrasings:
        match = rephrasing.pattern.fullmatch(text.strip())
        if match is None:
            continue
        parts = {k: inner(v or "") for k, v in match.groupdict().items()}
        said = " ".join(rephrasing.template.format(**parts).split())
        if said and said != text:
            return said[:1].upper() + said[1:], rephrasing.refutes_only
    return None


def inner(part: str) -> str:
    """A sentence's part as it reads inside another sentence: "The layer" -> "the layer",
    while "ReLU" and "BERT" keep their capitals."""
    if len(part) > 1 and part[0].isupper() and part[1].islower():
        return part[0].lower() + part[1:]
    return part
