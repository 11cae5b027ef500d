"""Cue rules (negation, quantifiers, hedges, scope terminators) as data, and the component
that finds them in a statement and records each cue's span and the span it scopes over."""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from spacy.attrs import NORM
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from checker.phrases import PhraseTrie
from kg.errors import DlcheckError

CATEGORIES = (
    "negation",
    "pseudo",
    "quantifier",
    "hedge",
    "terminator",
    "filler",
    "conjunction",
)
OPS = ("not", "all", "often", "some")
# Categories whose words carry logic, not content: the matcher reads past them by default.
_TRANSPARENT = {"negation", "quantifier", "hedge", "filler"}
_KEYS = {
    "restrictive",
    "literal",
    "pattern",
    "category",
    "ops",
    "negated_ops",
    "repeated_ops",
    "scope",
    "direction",
    "transparent",
    "comment",
}


class CueRuleError(DlcheckError, ValueError):
    """A cue rule file or rule does not follow the schema."""


@dataclass(frozen=True)
class CueRule:
    category: str
    ops: tuple[str, ...] = ()
    literal: str | None = None
    pattern: tuple[dict, ...] | None = None
    negated_ops: tuple[str, ...] | None = None
    # The ops when the cue comes again right after itself, as in a list ("no A and no B"
    # denies A and B each, once); None: as `ops`.
    repeated_ops: tuple[str, ...] | None = None
    scope: str = "narrow"  # "wide": outscopes possibility modals ("can solve any problem")
    direction: str = "forward"
    transparent: bool = True  # the concept/relation matcher reads past the cue's words
    restrictive: bool = False  # "only" before an object: the relation's exclusive variant
    comment: str | None = None

    def __hash__(self) -> int:
        # A pattern's token specs are dicts ({"NORM": {"IN": [...]}}), which do not hash.
        return hash((self.category, self.literal, self.ops, repr(self.pattern), self.scope))

    @classmethod
    def from_dict(cls, data: dict) -> CueRule:
        unknown = set(data) - _KEYS
        if unknown:
            raise CueRuleError(
                f"unknown key(s) {sorted(unknown)}; expected some of {sorted(_KEYS)}"
            )
        if ("literal" in data) == ("pattern" in data):
            raise CueRuleError(f"a rule needs exactly one of literal or pattern: {data}")
        if data.get("category") not in CATEGORIES:
            raise CueRuleError(f"category must be one of {CATEGORIES}: {data}")
        for key in ("ops", "negated_ops", "repeated_ops"):
            if any(op not in OPS for op in data.get(key) or ()):
                raise CueRuleError(f"{key} may hold only {OPS}: {data}")
        if data.get("direction", "forward") not in ("forward", "backward"):
            raise CueRuleError(f"direction must be forward or backward: {data}")
        return cls(
            category=data["category"],
            ops=tuple(data.get("ops") or ()),
            literal=data.get("literal"),
            pattern=tuple(data["pattern"]) if "pattern" in data else None,
            negated_ops=tuple(data["negated_ops"]) if "negated_ops" in data else None,
            repeated_ops=tuple(data["repeated_ops"]) if "repeated_ops" in data else None,
            scope=data.get("scope", "narrow"),
            direction=data.get("direction", "forward"),
            transparent=data.get("transparent", data["category"] in _TRANSPARENT),
            restrictive=bool(data.get("restrictive", False)),
            comment=data.get("comment"),
        )

    def to_dict(self) -> dict:
        data: dict = {"category": self.category, "ops": list(self.ops)}
        if self.literal is not None:
            data["literal"] = self.literal
        if self.pattern is not None:
            data["pattern"] = list(self.pattern)
        if self.negated_ops is not None:
            data["negated_ops"] = list(self.negated_ops)
        if self.repeated_ops is not None:
            data["repeated_ops"] = list(self.repeated_ops)
        if self.scope != "narrow":
            data["scope"] = self.scope
        if self.direction != "forward":
            data["direction"] = self.direction
        if self.transparent != (self.category in _TRANSPARENT):
            data["transparent"] = self.transparent
        if self.restrictive:
            data["restrictive"] = True
        if self.comment:
            data["comment"] = self.comment
        return data


class Cue(NamedTuple):
    """A cue found in a statement: its tokens, the tokens it scopes over, its characters
    (the cue's words are text[start_char:end_char] of the statement)."""

    rule: CueRule
    start: int
    end: int
    scope_start: int
    scope_end: int
    start_char: int
    end_char: int

    @property
    def kind(self) -> str:
        return self.rule.category


def load_rules(path: str | Path | None = None) -> tuple[CueRule, ...]:
    """The rules of a cue rule file (default: the bundled checker/cue_rules.json)."""
    source, data = read_rule_file(path)
    rules = data.get("rules") if isinstance(data, dict) else data
    if not isinstance(rules, list):
        raise CueRuleError(f"{source}: expected a list of rules under 'rules'")
    return tuple(CueRule.from_dict(rule) for rule in rules)


class WordLists(NamedTuple):
    """The cue file's word lists: lower-case words, as spaCy's NORM spells them."""

    function: frozenset[str]  # light words no claim needs to account for ("the", "of")
    condition: frozenset[str]  # words that open a condition ("if", "only")
    coordination: frozenset[str] = frozenset()  # "and", "or": phrases sharing a head
    # What a trailing part says when a statement says more than a claim: it only adds
    # ("that", "by"), or it may weaken or compare ("or", "than").
    adding: frozenset[str] = frozenset()
    weakening: frozenset[str] = frozenset()
    # Words that bind what follows to the phrase before ("of"): no trailing part starts there.
    binding: frozenset[str] = frozenset()
    # Words the lemmatizer keeps as they are ("number" is no comparative of "numb").
    not_inflected: frozenset[str] = frozenset()
    # Nouns that name any model at all ("model", "network"): as content words of a
    # statement or a claim text they are one word ("a larger model" is "a larger network").
    generic: frozenset[str] = frozenset()
    # Words a concept or relation label may be read past inside it, right after one of
    # gap_after, when the label has none there ("the derivative of the ReLU" names the
    # derivative of ReLU).
    gap: frozenset[str] = frozenset()
    gap_after: frozenset[str] = frozenset()


def load_word_lists(path: str | Path | None = None) -> WordLists:
    """The word lists of a cue rule file, `<field>_words` for each field of WordLists (empty
    for a bare rule list)."""
    source, data = read_rule_file(path)
    if not isinstance(data, dict):
        return WordLists(frozenset(), frozenset())
    lists = []
    for key in WordLists._fields:
        words = data.get(f"{key}_words", [])
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise CueRuleError(f"{source}: '{key}_words' must be a list of words")
        lists.append(frozenset(w.lower() for w in words))
    return WordLists(*lists)


def read_rule_file(path: str | Path | None) -> tuple[Path, object]:
    """(path, parsed JSON) of a cue rule file (default: the bundled one)."""
    source = Path(path) if path else Path(str(resources.files("checker") / "cue_rules.json"))
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CueRuleError(f"{source}: cannot read cue rules ({exc})") from None
    if isinstance(data, dict):
        known = {"about", "rules", "rephrasings", "connectives", "clause_kinds"}
        known.update(f"{key}_words" for key in WordLists._fields)
        unknown = set(data) - known
        if unknown:
            raise CueRuleError(f"{source}: unknown top-level key(s) {sorted(unknown)}")
    return source, data


if not Doc.has_extension("cues"):
    Doc.set_extension("cues", default=())
if not Doc.has_extension("transparent"):
    Doc.set_extension("transparent", default=frozenset())


class CueFinder:
    """Finds cues (longest first; pseudo-negations swallow what they cover) and sets
    doc._.cues and doc._.transparent (token indices the mention matcher reads past)."""

    def __init__(self, nlp: Language, rules: tuple[CueRule, ...], words: WordLists | None = None):
        self.rules = rules
        self.words = words or WordLists(frozenset(), frozenset(), frozenset())
        self.literals = PhraseTrie()
        self.patterns = Matcher(nlp.vocab)
        # Per pattern, the words it cannot match without: one of each set ({"IN": [...]} is
        # a set of several, a plain NORM a set of one). Most statements need no Matcher run.
        self.pattern_words: list[list[frozenset[int]]] = []
        self.sentence_ends = {nlp.vocab.strings.add(mark) for mark in (".", "!", "?")}
        self._pattern_vocabulary: set[int] = set()  # every word some pattern needs
        add = nlp.vocab.strings.add
        for index, rule in enumerate(rules):
            if rule.literal is not None:
                self.literals.add([t.norm for t in nlp.make_doc(rule.literal)], index)
            else:
                self.patterns.add(str(index), [list(rule.pattern)])
                needs = []
                for t in rule.pattern:
                    norm = t.get("NORM")
                    if "OP" in t or norm is None:
                        continue
                    words = [norm] if isinstance(norm, str) else norm.get("IN", [])
                    if words:
                        needs.append(frozenset(add(w) for w in words))
                self.pattern_words.append(needs)
                self._pattern_vocabulary.update(w for alternatives in needs for w in alternatives)
        # A pattern that names no word could match anywhere.
        self._pattern_always = any(not needs for needs in self.pattern_words)

    def __call__(self, doc: Doc) -> Doc:
        doc._.cues, doc._.transparent = self.find(doc, doc.to_array(NORM).tolist())
        return doc

    def find(self, doc: Doc, norms: list[int]) -> tuple[tuple[Cue, ...], frozenset[int]]:
        """The cues of `doc`, whose tokens have the NORM hashes `norms`, and the tokens the
        mention matcher reads past."""
        found = self.literals.find(norms)
        may_match = self._pattern_always or not self._pattern_vocabulary.isdisjoint(norms)
        if may_match and any(
            all(not alternatives.isdisjoint(norms) for alternatives in needs)
            for needs in self.pattern_words
        ):
            strings = doc.vocab.strings
            matched = [(s, e, int(strings[k])) for k, s, e in self.patterns(doc)]
            if matched:
                covered = {i for s, e, _ in matched for i in range(s, e)}
                found = sorted(matched + [m for m in found if m[0] not in covered])
        if not found:
            return (), _NOTHING
        rules = self.rules
        # Scopes end at the statement's ends, at sentence ends and at terminators ("but").
        ends = self.sentence_ends
        bounds = {0, len(norms)}
        if not ends.isdisjoint(norms):
            bounds.update(i for i, norm in enumerate(norms) if norm in ends)
        pseudo = []
        for s, e, index in found:
            category = rules[index].category
            if category == "terminator":
                bounds.update((s, e))
            elif category == "pseudo":
                pseudo.append((s, e))
        ordered = sorted(bounds)
        cues, transparent = [], set()
        for s, e, index in found:
            rule = rules[index]
            if pseudo and rule.category != "pseudo" and any(ps <= s < pe for ps, pe in pseudo):
                continue
            if rule.direction == "forward":
                scope_start, scope_end = e, ordered[bisect_left(ordered, e)]
            else:
                scope_start, scope_end = ordered[bisect_right(ordered, s) - 1], s
            last = doc[e - 1]
            cue = Cue(rule, s, e, scope_start, scope_end, doc[s].idx, last.idx + len(last))
            cues.append(cue)
            if rule.transparent:
                transparent.update(range(s, e))
        return tuple(cues), frozenset(transparent)


_NOTHING: frozenset[int] = frozenset()


@Language.factory("dlcheck_cues", default_config={"rules_file": None})
def make_cue_finder(nlp: Language, name: str, rules_file: str | None) -> CueFinder:
    return CueFinder(nlp, load_rules(rules_file), load_word_lists(rules_file))
