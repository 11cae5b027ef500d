"""The stem language of the exam solver as data: checker/exam/stem_rules.json.

Each form rule says which stems it recognises (a regular expression), what the question
asks for, and how an option becomes a statement together with the stem (templates). The
loader checks the schema: unknown keys, unknown forms, bad patterns and templates that name
a slot nobody fills are errors that name the rule.
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kg.errors import DlcheckError

#: What a form means for the solver; which words signal it is the rule file's business.
FORMS = (
    "statement",
    "definition",
    "purpose",
    "action",
    "class",
    "named",
    "reason",
    "consequence",
)
#: Which of the stem's concepts is its topic, the one a pronoun in an option stands for.
TOPICS = ("first", "last")
ASKS = ("true", "not_true")
ABOVE_KINDS = ("all", "none")
#: Slots a template may use besides the pattern's own named groups.
OPTION_SLOTS = (
    "option",
    "option_noun",
    "option_bare",
    "option_verb",
    "option_s",
    "option_do",
    "option_count",
)
#: A template may also name a pattern group with these suffixes: its verb in the -s form,
#: the group with its indefinite article ("an optimizer"), and the form of "be" that agrees
#: with it ("is" or "are").
VERB_SUFFIX = "_s"
ARTICLE_SUFFIX = "_a"
BE_SUFFIX = "_be"
SUFFIXES = (VERB_SUFFIX, ARTICLE_SUFFIX, BE_SUFFIX)
_FORM_KEYS = {"form", "asks", "pattern", "templates", "relations", "topic", "comment"}
_ABOVE_KEYS = {"kind", "pattern", "comment"}
_TOP_KEYS = {
    "about",
    "forms",
    "above",
    "instructions",
    "answer_count",
    "number_words",
    "third_person",
    "pronoun",
    "wh_word",
    "wh_subject",
    "auxiliary",
    "blank",
    "run_on",
    "sentence_break",
    "singular_auxiliaries",
    "inversion",
    "context_clause",
    "do_support",
    "adverb",
    "possessive",
}
_PATTERN_KEYS = (
    "answer_count",
    "pronoun",
    "wh_word",
    "wh_subject",
    "auxiliary",
    "blank",
    "run_on",
    "sentence_break",
    "inversion",
    "context_clause",
    "do_support",
    "adverb",
    "possessive",
)


class StemRuleError(DlcheckError, ValueError):
    """The stem rule file, or one of its rules, does not follow the schema (exit status 1)."""


@dataclass(frozen=True)
class FormRule:
    """One kind of stem: its pattern, what it asks for and its statement templates."""

    form: str
    asks: str
    pattern: re.Pattern[str]
    templates: tuple[str, ...] = ()
    relations: frozenset[str] | None = None  # local names; None: any relation answers
    topic: str = "last"  # which of the stem's concepts a pronoun in an option stands for
    comment: str | None = None

    @classmethod
    def from_dict(cls, data: dict) -> FormRule:
        if not isinstance(data, dict):
            raise StemRuleError(f"a form rule must be an object: {data!r}")
        unknown = set(data) - _FORM_KEYS
        if unknown:
            raise StemRuleError(
                f"unknown key(s) {sorted(unknown)} in form rule {data!r}; "
                f"expected some of {sorted(_FORM_KEYS)}"
            )
        if data.get("form") not in FORMS:
            raise StemRuleError(f"form must be one of {FORMS}: {data!r}")
        if data.get("asks") not in ASKS:
            raise StemRuleError(f"asks must be one of {ASKS}: {data!r}")
        pattern = _compile(data.get("pattern"), data)
        templates = data.get("templates", [])
        if not isinstance(templates, list) or not all(isinstance(t, str) for t in templates):
            raise StemRuleError(f"templates must be a list of strings: {data!r}")
        groups = set(pattern.groupindex)
        slots = {*OPTION_SLOTS, *groups}
        slots |= {g + suffix for g in groups for suffix in SUFFIXES}
        for template in templates:
            named = {name for _, name, _, _ in string.Formatter().parse(template) if name}
            if not named & set(OPTION_SLOTS):
                raise StemRuleError(f"template {template!r} has no option slot: {data!r}")
            if named - slots:
                raise StemRuleError(
                    f"template {template!r} names {sorted(named - slots)}, which neither the "
                    f"pattern nor the option fills: {data!r}"
                )
        relations = data.get("relations")
        if relations is not None and (
            not isinstance(relations, list) or not all(isinstance(r, str) for r in relations)
        ):
            raise StemRuleError(f"relations must be a list of relation names: {data!r}")
        topic = data.get("topic", "last")
        if topic not in TOPICS:
            raise StemRuleError(f"topic must be one of {TOPICS}: {data!r}")
        return cls(
            data["form"],
            data["asks"],
            pattern,
            tuple(templates),
            frozenset(relations) if relations is not None else None,
            topic,
            data.get("comment"),
        )


@dataclass(frozen=True)
class StemRules:
    """Everything the solver needs to read stems and options."""

    forms: tuple[FormRule, ...]
    above: tuple[tuple[str, re.Pattern[str]], ...]
    instructions: tuple[re.Pattern[str], ...]
    answer_count: re.Pattern[str]
    number_words: dict[str, int]
    third_person: dict[str, str]
    pronoun: re.Pattern[str]
    wh_word: re.Pattern[str]
    wh_subject: re.Pattern[str]
    auxiliary: re.Pattern[str]
    blank: re.Pattern[str]
    run_on: re.Pattern[str]
    sentence_break: re.Pattern[str]
    inversion: re.Pattern[str]
    context_clause: re.Pattern[str]
    do_support: re.Pattern[str]
    adverb: re.Pattern[str]
    possessive: re.Pattern[str]
    singular_auxiliaries: frozenset[str]

    def form_of(self, stem: str) -> tuple[FormRule, re.Match[str]] | None:
        """The first form rule that matches the stem, with its match."""
        for rule in self.forms:
            found = rule.pattern.search(stem)
            if found is not None:
                return rule, found
        return None

    def check_relations(self, known: set[str]) -> None:
        """Raise StemRuleError when a form names a relation the graph does not have."""
        for rule in self.forms:
            unknown = (rule.relations or frozenset()) - known
            if unknown:
                raise StemRuleError(
                    f"form rule {rule.pattern.pattern!r} names relation(s) {sorted(unknown)} "
                    f"the graph does not have; known: {sorted(known)}"
                )

    def above_kind(self, option: str) -> str | None:
        """``all`` or ``none`` for an option that speaks about the others, else None."""
        for kind, pattern in self.above:
            if pattern.match(option):
                return kind
        return None


def load_stem_rules(path: str | Path | None = None) -> StemRules:
    """The rules of a stem rule file (default: the bundled checker/exam/stem_rules.json)."""
    source = Path(path) if path else Path(str(resources.files("checker.exam") / "stem_rules.json"))
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StemRuleError(f"{source}: cannot read stem rules ({exc})") from None
    if not isinstance(data, dict):
        raise StemRuleError(f"{source}: expected an object with the keys {sorted(_TOP_KEYS)}")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise StemRuleError(f"{source}: unknown top-level key(s) {sorted(unknown)}")
    missing = _TOP_KEYS - {"about"} - set(data)
    if missing:
        raise StemRuleError(f"{source}: missing key(s) {sorted(missing)}")
    try:
        forms = tuple(FormRule.from_dict(rule) for rule in _list(data, "forms"))
        above = tuple(_above(rule) for rule in _list(data, "above"))
        instructions = tuple(_compile(p, "instructions") for p in _list(data, "instructions"))
        patterns = {key: _compile(data[key], key) for key in _PATTERN_KEYS}
    except StemRuleError as exc:
        raise StemRuleError(f"{source}: {exc}") from None
    numbers = data["number_words"]
    if not isinstance(numbers, dict) or not all(
        isinstance(k, str) and isinstance(v, int) for k, v in numbers.items()
    ):
        raise StemRuleError(f"{source}: number_words must map words to whole numbers")
    irregular = data["third_person"]
    if not isinstance(irregular, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in irregular.items()
    ):
        raise StemRuleError(f"{source}: third_person must map verbs to their -s forms")
    singular = data["singular_auxiliaries"]
    if not isinstance(singular, list) or not all(isinstance(w, str) for w in singular):
        raise StemRuleError(f"{source}: singular_auxiliaries must be a list of words")
    if "n" not in patterns["answer_count"].groupindex:
        raise StemRuleError(f"{source}: answer_count needs a named group 'n'")
    return StemRules(
        forms,
        above,
        instructions,
        number_words=dict(numbers),
        third_person={k.lower(): v for k, v in irregular.items()},
        singular_auxiliaries=frozenset(w.lower() for w in singular),
        **patterns,
    )


def _list(data: dict, key: str) -> list:
    value = data[key]
    if not isinstance(value, list):
        raise StemRuleError(f"'{key}' must be a list")
    return value


def _above(data: dict) -> tuple[str, re.Pattern[str]]:
    if not isinstance(data, dict) or set(data) - _ABOVE_KEYS:
        raise StemRuleError(f"an 'above' rule has the keys {sorted(_ABOVE_KEYS)}: {data!r}")
    if data.get("kind") not in ABOVE_KINDS:
        raise StemRuleError(f"kind must be one of {ABOVE_KINDS}: {data!r}")
    return data["kind"], _compile(data.get("pattern"), data)


def _compile(pattern: object, where: object) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise StemRuleError(f"a pattern must be a non-empty string: {where!r}")
    try:
        return re.compile(pattern, re.I)
    except re.error as exc:
        raise StemRuleError(f"bad pattern {pattern!r} ({exc}): {where!r}") from None
