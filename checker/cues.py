"""Cue rules (negation, quantifiers, hedges, scope terminators) as data, and the component
that finds them in a statement and records each cue's span and the span it scopes over."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

CATEGORIES = ("negation", "pseudo", "quantifier", "hedge", "terminator", "filler")
OPS = ("not", "all", "often", "some")
# Categories whose words carry logic, not content: the matcher reads past them by default.
_TRANSPARENT = {"negation", "quantifier", "hedge", "filler"}
_KEYS = {
    "literal",
    "pattern",
    "category",
    "ops",
    "negated_ops",
    "scope",
    "direction",
    "transparent",
    "comment",
}


class CueRuleError(ValueError):
    """A cue rule file or rule does not follow the schema."""


@dataclass(frozen=True)
class CueRule:
    category: str
    ops: tuple[str, ...] = ()
    literal: str | None = None
    pattern: tuple[dict, ...] | None = None
    negated_ops: tuple[str, ...] | None = None
    scope: str = "narrow"  # "wide": outscopes possibility modals ("can solve any problem")
    direction: str = "forward"
    transparent: bool = True  # the concept/relation matcher reads past the cue's words
    comment: str | None = None

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
        for key in ("ops", "negated_ops"):
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
            scope=data.get("scope", "narrow"),
            direction=data.get("direction", "forward"),
            transparent=data.get("transparent", data["category"] in _TRANSPARENT),
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
        if self.scope != "narrow":
            data["scope"] = self.scope
        if self.direction != "forward":
            data["direction"] = self.direction
        if self.transparent != (self.category in _TRANSPARENT):
            data["transparent"] = self.transparent
        if self.comment:
            data["comment"] = self.comment
        return data


@dataclass(frozen=True)
class Cue:
    """A cue found in a statement; token offsets, and the token span it scopes over."""

    text: str
    rule: CueRule
    start: int
    end: int
    scope_start: int
    scope_end: int
    start_char: int = field(default=0)
    end_char: int = field(default=0)

    @property
    def kind(self) -> str:
        return self.rule.category


def load_rules(path: str | Path | None = None) -> tuple[CueRule, ...]:
    """The rules of a cue rule file (default: the bundled checker/cue_rules.json)."""
    source = Path(path) if path else Path(str(resources.files("checker") / "cue_rules.json"))
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CueRuleError(f"{source}: cannot read cue rules ({exc})") from None
    rules = data.get("rules") if isinstance(data, dict) else data
    if not isinstance(rules, list):
        raise CueRuleError(f"{source}: expected a list of rules under 'rules'")
    return tuple(CueRule.from_dict(rule) for rule in rules)


if not Doc.has_extension("cues"):
    Doc.set_extension("cues", default=())
if not Doc.has_extension("transparent"):
    Doc.set_extension("transparent", default=frozenset())


class CueFinder:
    """Finds cues, resolves overlaps (longest wins, pseudo-negations swallow what they
    cover), and sets doc._.cues and doc._.transparent (token indices the matcher skips)."""

    def __init__(self, nlp: Language, rules: tuple[CueRule, ...]):
        self.rules = rules
        self.phrases = PhraseMatcher(nlp.vocab, attr="NORM")
        self.patterns = Matcher(nlp.vocab)
        for index, rule in enumerate(rules):
            key = str(index)
            if rule.literal is not None:
                self.phrases.add(key, [nlp.make_doc(rule.literal)])
            else:
                self.patterns.add(key, [list(rule.pattern)])

    def __call__(self, doc: Doc) -> Doc:
        found = [(doc[s:e], int(doc.vocab.strings[k])) for k, s, e in self.phrases(doc)]
        found += [(doc[s:e], int(doc.vocab.strings[k])) for k, s, e in self.patterns(doc)]
        rule_of = {}
        for span, index in found:
            rule_of.setdefault((span.start, span.end), index)
        spans = filter_spans([span for span, _ in found])
        pseudo = [s for s in spans if self.rules[rule_of[(s.start, s.end)]].category == "pseudo"]
        bounds = [0, len(doc)]
        for span in spans:
            rule = self.rules[rule_of[(span.start, span.end)]]
            if rule.category == "terminator":
                bounds += [span.start, span.end]
        bounds += [t.i for t in doc if t.text in (".", "!", "?")]
        bounds = sorted(set(bounds))
        cues, transparent = [], set()
        for span in spans:
            rule = self.rules[rule_of[(span.start, span.end)]]
            if rule.category != "pseudo" and any(p.start <= span.start < p.end for p in pseudo):
                continue
            if rule.direction == "forward":
                scope = (span.end, min(b for b in bounds if b >= span.end))
            else:
                scope = (max(b for b in bounds if b <= span.start), span.start)
            cues.append(
                Cue(
                    span.text,
                    rule,
                    span.start,
                    span.end,
                    *scope,
                    start_char=span.start_char,
                    end_char=span.end_char,
                )
            )
            if rule.transparent:
                transparent.update(range(span.start, span.end))
        doc._.cues = tuple(cues)
        doc._.transparent = frozenset(transparent)
        return doc


@Language.factory("dlcheck_cues", default_config={"rules_file": None})
def make_cue_finder(nlp: Language, name: str, rules_file: str | None) -> CueFinder:
    return CueFinder(nlp, load_rules(rules_file))
