"""Description match: a question no claim decides ("What is X?", "Which X does Y?") is
answered by what the graph says each concept is and does, its definition (skos:definition)
and its true claims, when one option matches clearly better than every other.

Two ways a question meets a description:

* **describes**: the options describe the stem's focus ("What is a tensor?" + "A
  multi-dimensional array of numbers"); each option is compared with what the graph says
  about the focus, its definition and true claims, leaving out the words the stem already
  says;
* **names**: the options name concepts and the stem describes one of them ("Which technique
  randomly disables neurons during training?" + "Dropout"; "A network that copies its input
  is called:"); the stem is compared with each option concept's definition, leaving out that
  concept itself. Only the definition says what a concept is: its claims relate it to other
  concepts, often its siblings ("ReLU mitigates the vanishing gradient problem" does not
  make ReLU what that problem is most severe with).

Texts are compared unit by unit, as the checker reads them (concepts, relation phrases,
content-word lemmas, an adverb as its adjective), each shared unit weighted by how rare it is
among the graph's descriptions: sharing "zero" and "random" says more than sharing
"network". A match decides only when its weight reaches ``MIN_WEIGHT`` with at least
``MIN_SHARED`` units, and is at least ``MARGIN`` times that of the runner-up: a near tie is
no answer. The match is weaker evidence than an entailed claim, so the solver tries it last
(after entailment and elimination) and never takes it as proof against a key.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from checker.align import CONCEPT, WORD, Unit, units_of
from checker.check import INDEX_MODULES, Checker
from kg.cache import cached, code_fingerprint
from kg.compile import claim_edge
from kg.knowledge import SKOS_DEFINITION, TRUE, Edge, KnowledgeBase

#: Units shared with a description, and their total weight, that a match needs at least:
#: two rare units (a unit one description in a hundred holds weighs about 4.6).
MIN_SHARED = 2
MIN_WEIGHT = 10.0
#: How many times the runner-up's weight the best match needs.
MARGIN = 2.0


@dataclass(frozen=True)
class DescriptionMatch:
    """The option that matches what the graph says about a concept best, and by how much."""

    letter: str
    concept: str  # the concept whose description was matched
    weight: float
    runner_up: float
    shared: tuple[str, ...]  # the shared units, as words, for the reason
    justification: tuple[Edge, ...]  # the definition or claims that share the most


@dataclass(frozen=True)
class DescriptionTable:
    """Per concept, the unit keys of each text that describes it with the edge that says it;
    and how many texts hold each key. Built once per graph and cached with it."""

    texts: dict[str, tuple[tuple[frozenset, Edge], ...]]
    held: dict[object, int]
    count: int


class Descriptions:
    """What the graph says each concept is and does, read as the checker reads, and the
    weight of each unit."""

    def __init__(self, checker: Checker, adverb: re.Pattern[str]):
        self.checker = checker
        self._adverb = adverb  # "randomly" is "random" here: its lemma would not be
        kb = checker.kb
        if kb.content_hash:
            cues = checker.scanner.cues
            words = [sorted(w) for w in cues.words]  # sets print in another order each run
            key = hashlib.sha256(
                f"{code_fingerprint(*INDEX_MODULES, __name__)}|{kb.content_hash}|"
                f"{cues.rules!r}|{words!r}|{adverb.pattern}".encode()
            ).hexdigest()
            table = cached("exam-descriptions", key, self._table, DescriptionTable)
        else:
            table = self._table()
        self._texts, self._held, self._count = table.texts, table.held, table.count
        self._memo: dict[str, frozenset] = {}

    def _table(self) -> DescriptionTable:
        """Read every definition and true claim, in one pass of the tokenizer."""
        kb = self.checker.kb
        texts: list[tuple[str, str, Edge]] = []  # (concept, text, the edge that says it)
        for concept in sorted(kb.concepts.values(), key=lambda c: c.iri):
            if concept.definition:
                said = f'{concept.label} is defined as "{concept.definition.rstrip(".")}"'
                edge = Edge(concept.iri, SKOS_DEFINITION, concept.iri, said, concept.source)
                texts.append((concept.iri, concept.definition, edge))
        for claim in sorted(kb.claims.values(), key=lambda c: c.iri):
            if claim.status == TRUE and claim.subject in kb.concepts:
                texts.append((claim.subject, claim.label, claim_edge(kb, claim, "subject")))
        docs = self.checker.nlp.tokenizer.pipe(text for _, text, _ in texts)
        found: dict[str, list[tuple[frozenset, Edge]]] = {}
        for (concept, _, edge), doc in zip(texts, docs, strict=True):
            keys = frozenset(self._keys_of(units_of(self.checker.scanner(doc))))
            found.setdefault(concept, []).append((keys, edge))
        # How many texts hold each unit: a unit few of them hold weighs more.
        held = Counter(key for pairs in found.values() for keys, _ in pairs for key in keys)
        return DescriptionTable(
            {concept: tuple(pairs) for concept, pairs in found.items()}, dict(held), len(texts)
        )

    def keys(self, text: str) -> frozenset:
        """What a text's units are, wherever they stand: concepts, relations by direction,
        and the content words' lemmas."""
        found = self._memo.get(text)
        if found is None:
            doc = self.checker.nlp.tokenizer(text)
            found = frozenset(self._keys_of(units_of(self.checker.scanner(doc))))
            if len(self._memo) < 100_000:
                self._memo[text] = found
        return found

    def describes(
        self, focus: str, options: Sequence[tuple[str, str]], stem: str
    ) -> DescriptionMatch | None:
        """The option (letter, text) that matches what the graph says about the focus best,
        by the units the stem does not already say."""
        if focus not in self._texts:
            return None
        said = self.keys(stem) | {focus}
        return self._decide([(letter, focus, self.keys(text) - said) for letter, text in options])

    def names(self, concepts: Sequence[tuple[str, str]], stem: str) -> DescriptionMatch | None:
        """The option (letter, concept) whose concept the stem describes best."""
        if any(concept not in self._texts for _, concept in concepts):
            return None  # an option the graph says nothing about: no fair comparison
        said = self.keys(stem)
        return self._decide(
            [(letter, concept, said - {concept}) for letter, concept in concepts], defined=True
        )

    def concept_of(self, text: str) -> str | None:
        """The concept an option names when it is nothing but that concept ("Dropout", "the
        Adam optimizer", "Mean squared error (MSE)"), else None."""
        doc = self.checker.nlp.tokenizer(text)
        units = units_of(self.checker.scanner(doc))
        # "Mean squared error (MSE)": a name and its abbreviation name one concept.
        named = {u.concept for u in units if u.kind == CONCEPT}
        if len(named) != 1 or any(u.kind != CONCEPT for u in units):
            return None
        return named.pop()

    def _decide(
        self, candidates: list[tuple[str, str, frozenset]], defined: bool = False
    ) -> DescriptionMatch | None:
        """The best of (letter, concept, units to match) against the concept's texts."""
        if len(candidates) < 2:
            return None
        scored = []
        for letter, concept, keys in candidates:
            texts = self._texts[concept]
            if defined:
                texts = [t for t in texts if t[1].predicate == SKOS_DEFINITION] or texts
            shared = keys & frozenset().union(*(held for held, _ in texts))
            scored.append((self._weight(shared), letter, concept, keys, shared))
        scored.sort(key=lambda row: -row[0])
        (best, letter, concept, keys, shared), runner_up = scored[0], scored[1][0]
        if len(shared) < MIN_SHARED or best < MIN_WEIGHT or best < MARGIN * runner_up:
            return None
        # The texts that say most of it justify the match.
        texts = [
            t for t in self._texts[concept] if not defined or t[1].predicate == SKOS_DEFINITION
        ]
        texts = sorted(texts, key=lambda t: -self._weight(keys & t[0]))
        edges = tuple(edge for held, edge in texts[:2] if keys & held)
        kb = self.checker.kb
        words = tuple(sorted({_word(kb, key) for key in shared}))
        return DescriptionMatch(letter, concept, round(best, 1), round(runner_up, 1), words, edges)

    def _weight(self, keys: Iterable[object]) -> float:
        return sum(math.log((self._count + 1) / (self._held.get(k, 0) + 1)) for k in keys)

    def _keys_of(self, units: Iterable[Unit]) -> set:
        strings = self.checker.nlp.vocab.strings
        keys: set = set()
        for unit in units:
            if unit.kind == WORD:
                word = strings[unit.lemma].lower()
                if any(c.isalnum() for c in word):  # "+" or "/" says nothing
                    keys.add(word[:-2] if self._adverb.match(word) else word)
                continue
            if unit.concept:
                keys.add(unit.concept)
            keys.update(("f", r) for r in unit.forward)
            keys.update(("i", r) for r in unit.inverse)
        return keys


def _word(kb: KnowledgeBase, key: object) -> str:
    """A unit key as a word for the reason: a concept's or relation's label, or the lemma."""
    if isinstance(key, tuple):
        return kb.label(key[1])
    return kb.label(key) if key in kb.concepts else str(key)
