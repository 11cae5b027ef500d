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
from checker.rephrase import inner

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


# What a part's template may ask of a group besides its words: the subject it opens with
# (`Checker._subject`), the words after that subject, the concept it ends with, and the
# concept that is all it says (an article aside).
PLACES = ("subject", "predicate", "antecedent", "concept")
COMBINATIONS = ("all", "linked")
_FIELD = re.compile(r"\{(\w+)(?:\.(\w+))?\}")


class Part(NamedTuple):
    template: str  # the part's words: {group}, {group.subject}, {group.predicate}, ...
    contrary: bool = False  # the sentence says that this part does not hold


class ClauseKind(NamedTuple):
    """A construction whose parts a sentence asserts each ("Unlike X, S": S, and not S of X),
    read when the sentence is undecided whole."""

    name: str
    pattern: re.Pattern[str]  # the whole sentence, case-insensitive
    parts: tuple[Part, ...]
    # "all": every part must hold for the sentence to be true, and any false part makes it
    # false; "linked": so too, but true parts confirm it only when one claim text states
    # them linked, read as the `linked` template says.
    combine: str = "all"
    linked: tuple[str, ...] = ()  # the linked readings, templates, tried in order
    # The marks that link two parts in a claim text (":", "because", "by"): a linked reading
    # confirms the sentence only through a claim one of whose texts has one between words.
    marks: re.Pattern[str] | None = None


def load_clause_kinds(path: str | Path | None = None) -> tuple[ClauseKind, ...]:
    """The clause kinds of a cue rule file, checked: a pattern that compiles, parts whose
    fields are its groups (or a group's subject, predicate or antecedent), a combination
    rule, and a linked reading for a linked one."""
    source, data = read_rule_file(path)
    entries = data.get("clause_kinds", []) if isinstance(data, dict) else []
    if not isinstance(entries, list):
        raise CueRuleError(f"{source}: 'clause_kinds' must be a list")
    found = []
    for number, entry in enumerate(entries, start=1):
        where = f"{source}: clause kind {number}"
        if not isinstance(entry, dict) or not {"name", "pattern", "parts"} <= set(entry):
            raise CueRuleError(f"{where} needs 'name', 'pattern' and 'parts'")
        extra = set(entry) - {"name", "pattern", "parts", "combine", "linked", "marks", "comment"}
        if extra:
            raise CueRuleError(f"{where}: unknown key(s) {sorted(extra)}")
        try:
            # DOTALL: a line break inside a statement is white space; without it, a lazy
            # group would be tried from every connective up to the break.
            pattern = re.compile(entry["pattern"], re.IGNORECASE | re.DOTALL)
        except (re.error, TypeError) as exc:
            raise CueRuleError(f"{where}: {exc}") from None
        combine = entry.get("combine", "all")
        if combine not in COMBINATIONS:
            raise CueRuleError(f"{where}: 'combine' must be one of {list(COMBINATIONS)}")
        linked = entry.get("linked", [])
        marks = entry.get("marks", [])
        if not isinstance(linked, list) or not all(isinstance(t, str) for t in linked):
            raise CueRuleError(f"{where}: 'linked' must be a list of templates")
        if (combine == "linked") != (bool(linked) and bool(marks)):
            raise CueRuleError(
                f"{where}: 'linked' templates and their 'marks' go with 'combine': 'linked'"
            )
        if not isinstance(marks, list) or not all(isinstance(m, str) and m.strip() for m in marks):
            raise CueRuleError(f"{where}: 'marks' must be a list of words or marks")
        mark = None
        if marks:
            ordered = sorted((m.strip() for m in marks), key=len, reverse=True)
            words = "|".join(re.escape(m) for m in ordered if _LETTER.search(m)) or "(?!)"
            signs = "|".join(re.escape(m) for m in ordered if not _LETTER.search(m)) or "(?!)"
            # A word before words ("works by reducing", "Since the input layer ..."), or a
            # sign between them ("shift: it").
            mark = re.compile(rf"(?:^|\w\s+)(?:{words})\s+\w|\w\s*(?:{signs})\s+\w", re.IGNORECASE)
        parts = entry["parts"]
        if not isinstance(parts, list) or len(parts) < 2:
            raise CueRuleError(f"{where}: 'parts' must list two parts or more")
        templates = list(linked)
        read = []
        for part in parts:
            if not isinstance(part, dict) or not isinstance(part.get("as"), str):
                raise CueRuleError(f"{where}: each part needs 'as', a template")
            if set(part) - {"as", "contrary"} or not isinstance(part.get("contrary", False), bool):
                raise CueRuleError(f"{where}: a part has 'as' and may have 'contrary' (true)")
            templates.append(part["as"])
            read.append(Part(part["as"], part.get("contrary", False)))
        for template in templates:
            for group, place in _FIELD.findall(template):
                if group not in pattern.groupindex or (place and place not in PLACES):
                    raise CueRuleError(
                        f"{where}: '{{{group}{'.' + place if place else ''}}}' is no group of "
                        f"the pattern (a group may be asked for its {', '.join(PLACES)})"
                    )
        found.append(
            ClauseKind(str(entry["name"]), pattern, tuple(read), combine, tuple(linked), mark)
        )
    return tuple(found)


def matching_kinds(
    sentence: str, kinds: tuple[ClauseKind, ...]
) -> list[tuple[ClauseKind, dict[str, str]]]:
    """(kind, its groups' words) for each clause kind whose pattern the sentence matches."""
    text = " ".join(sentence.split())  # a line break or a tab reads as a space
    found = []
    for kind in kinds:
        match = kind.pattern.fullmatch(text)
        if match is not None:
            groups = {k: inner(" ".join((v or "").split())) for k, v in match.groupdict().items()}
            found.append((kind, groups))
    return found


def fill(template: str, groups: dict[str, str], place) -> str | None:
    """A template with its fields filled: `place(words, "subject")` finds a group's subject,
    predicate or antecedent, or None, and then the template has no reading."""
    missing = False

    def field(match: re.Match) -> str:
        nonlocal missing
        words = groups[match.group(1)]
        if match.group(2) is None:
            return words
        found = place(words, match.group(2))
        missing = missing or found is None
        return found or ""

    said = _FIELD.sub(field, template)
    if missing:
        return None
    said = " ".join(said.split())
    return said[:1].upper() + said[1:] if _LETTER.search(said) else None
