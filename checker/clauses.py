"""Clauses: a sentence joined by connectives asserts each of its parts ("A because B" says A
and B), so a false part makes it false, whatever the graph knows of the rest.

The connectives are data (`connectives` in the cue rule file): joining ones ("but",
"whereas") make the sentence true when every part is; causal ones ("because", "so") also
claim a link the graph does not record, so their parts can refute the sentence, never
confirm it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from checker.cues import CueRuleError, read_rule_file

_LETTER = re.compile(r"[^\W\d_]")


class Connectives(NamedTuple):
    pattern: re.Pattern[str] | None  # any connective, with the spaces and comma around it
    causal: frozenset[str]  # the causal ones, lower case
    # A clause opening with one of these pronouns ("it", "they") speaks of the sentence's
    # subject: the pronoun at its start, with the space after it.
    pronoun: re.Pattern[str] | None = None


def load_connectives(path: str | Path | None = None) -> Connectives:
    source, data = read_rule_file(path)
    found = data.get("connectives", {}) if isinstance(data, dict) else {}
    kinds = {}
    for kind in ("joining", "causal"):
        words = found.get(kind, [])
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise CueRuleError(f"{source}: 'connectives.{kind}' must be a list of phrases")
        kinds[kind] = [" ".join(w.lower().split()) for w in words]
    stops = found.get("not_before", [])
    if not isinstance(stops, list) or not all(isinstance(w, str) and w.strip() for w in stops):
        raise CueRuleError(f"{source}: 'connectives.not_before' must be a list of words")
    pronouns = found.get("pronouns", [])
    if not isinstance(pronouns, list) or not all(isinstance(w, str) and w for w in pronouns):
        raise CueRuleError(f"{source}: 'connectives.pronouns' must be a list of words")
    pronoun = None
    if pronouns:
        words = "|".join(re.escape(w.strip()) for w in pronouns)
        pronoun = re.compile(rf"\s*({words})\s+(?=\w)", re.IGNORECASE)
    phrases = sorted(kinds["joining"] + kinds["causal"], key=len, reverse=True)
    if not phrases:
        return Connectives(None, frozenset(), pronoun)
    # "A, because B" and "A because B" alike; a phrase that starts with a comma needs it.
    alternatives = "|".join(
        r",\s*" + re.escape(p[1:].strip()) if p.startswith(",") else r",?\s+" + re.escape(p)
        for p in phrases
    )
    unless = "".join(rf"(?!{re.escape(w.strip())}\b)" for w in stops)
    pattern = re.compile(rf"(?:{alternatives})\s+{unless}", re.IGNORECASE)
    causal = frozenset(p.lstrip(", ") for p in kinds["causal"])
    return Connectives(pattern, causal, pronoun)


def with_subject(clause: str, subject: str, connectives: Connectives) -> tuple[str, str] | None:
    """(the clause with `subject` for the pronoun it opens with, that pronoun), or None when
    it opens with none: "it does not depend on the batch size" -> "Layer normalization does
    not depend on the batch size"."""
    found = connectives.pronoun.match(clause) if connectives.pronoun else None
    if found is None:
        return None
    return subject + clause[found.end(1) :], found.group(1)


def clauses(sentence: str, connectives: Connectives) -> tuple[list[tuple[int, str]], bool] | None:
    """((offset, clause) for each clause, whether a connective is causal) of a sentence
    that has a connective between two clauses with words in them; else None."""
    if connectives.pattern is None:
        return None
    found, start, causal = [], 0, False
    for match in connectives.pattern.finditer(sentence):
        piece = sentence[start : match.start()]
        if not _LETTER.search(piece):
            continue
        found.append((start, piece))
        start = match.end()
        said = " ".join(match.group(0).lower().replace(",", " ").split())
        causal = causal or said in connectives.causal
    if not found or not _LETTER.search(sentence[start:]):
        return None
    found.append((start, sentence[start:]))
    return found, causal
