"""Definition match: a "What is X?" or "Which X does Y?" question that no claim decides is
answered by the concepts' definitions (skos:definition), when one option matches clearly
better than every other.

Two ways a question meets a definition:

* **describes**: the options describe the stem's focus ("What is a tensor?" + "A
  multi-dimensional array of numbers"); each option is compared with the focus's definition,
  leaving out the words the stem already says;
* **names**: the options name concepts and the stem describes one of them ("Which technique
  randomly disables neurons during training?" + "Dropout"; "A network that copies its input
  is called:"); the stem is compared with each option's definition, leaving out the option's
  own concept.

Texts are compared unit by unit, as the checker reads them (concepts, relation phrases,
content-word lemmas, an adverb as its adjective), each shared unit weighted by how rare it is
among the definitions: sharing "zero" and "random" says more than sharing "network". A
match decides only when its weight reaches ``MIN_WEIGHT`` with at least ``MIN_SHARED``
units, and is at least ``MARGIN`` times that of the runner-up: a near tie is no answer.
The match is weaker evidence than an entailed claim, so it is tried last (after
entailment and elimination) and never proves a key wrong.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from checker.align import CONCEPT, WORD, Unit, units_of
from checker.check import Checker
from kg.knowledge import SKOS_DEFINITION, Edge, KnowledgeBase

#: Units shared with the definition, and their total weight, that a match needs at least:
#: two rare units (a unit one definition in a hundred holds weighs about 4.6).
MIN_SHARED = 2
MIN_WEIGHT = 10.0
#: How many times the runner-up's weight the best match needs.
MARGIN = 2.0


@dataclass(frozen=True)
class DefinitionMatch:
    """The option that matches a definition best, and by how much."""

    letter: str
    concept: str  # the concept whose definition was matched
    weight: float
    runner_up: float
    shared: tuple[str, ...]  # the shared units, as words, for the reason
    edge: Edge  # the concept's definition, with its source


class Definitions:
    """The concepts' definitions as the checker reads them, and the weight of each unit."""

    def __init__(self, checker: Checker, adverb: re.Pattern[str]):
        self.checker = checker
        self._adverb = adverb  # "randomly" is "random" here: its lemma would not be
        kb = checker.kb
        defined = sorted((c.iri, c.definition) for c in kb.concepts.values() if c.definition)
        docs = checker.nlp.tokenizer.pipe(text for _, text in defined)
        self._keys = {
            iri: self._keys_of(units_of(checker.scanner(doc)))
            for (iri, _), doc in zip(defined, docs, strict=True)
        }
        # How many definitions hold each unit: a unit few of them hold weighs more.
        self._held = Counter(key for keys in self._keys.values() for key in keys)
        self._count = len(self._keys)

    def keys(self, text: str) -> set:
        """What a text's units are, wherever they stand: concepts, relations by direction,
        and the content words' lemmas."""
        doc = self.checker.nlp.tokenizer(text)
        return self._keys_of(units_of(self.checker.scanner(doc)))

    def describes(
        self, focus: str, options: Sequence[tuple[str, str]], stem: str
    ) -> DefinitionMatch | None:
        """The option (letter, text) that matches the focus concept's definition best, by
        the units the stem does not already say."""
        held = self._keys.get(focus)
        if held is None:
            return None
        said = self.keys(stem) | {focus}
        scored = [(letter, focus, (self.keys(text) - said) & held) for letter, text in options]
        return self._decide(scored)

    def names(self, concepts: Sequence[tuple[str, str]], stem: str) -> DefinitionMatch | None:
        """The option (letter, concept) whose concept's definition matches the stem best."""
        said = self.keys(stem)
        scored = []
        for letter, concept in concepts:
            held = self._keys.get(concept)
            if held is None:
                return None  # an option the graph cannot define: no fair comparison
            scored.append((letter, concept, (said - {concept}) & held))
        return self._decide(scored)

    def concept_of(self, text: str) -> str | None:
        """The concept an option names when it is nothing but that concept ("Dropout", "the
        Adam optimizer"), else None."""
        doc = self.checker.nlp.tokenizer(text)
        units = units_of(self.checker.scanner(doc))
        if len(units) != 1 or units[0].kind != CONCEPT:
            return None
        return units[0].concept

    def _decide(self, scored: list[tuple[str, str, set]]) -> DefinitionMatch | None:
        if len(scored) < 2:
            return None
        weighed = sorted(
            (
                (sum(self._weight(k) for k in shared), letter, concept, shared)
                for letter, concept, shared in scored
            ),
            key=lambda row: -row[0],
        )
        (best, letter, concept, shared), (runner_up, *_) = weighed[0], weighed[1]
        if len(shared) < MIN_SHARED or best < MIN_WEIGHT or best < MARGIN * runner_up:
            return None
        kb = self.checker.kb
        concept_ = kb.concepts[concept]
        said = f'{concept_.label} is defined as "{(concept_.definition or "").rstrip(".")}"'
        edge = Edge(concept, SKOS_DEFINITION, concept, said, concept_.source)
        words = tuple(sorted({_word(kb, key) for key in shared}))
        return DefinitionMatch(letter, concept, round(best, 1), round(runner_up, 1), words, edge)

    def _weight(self, key: object) -> float:
        return math.log((self._count + 1) / (self._held.get(key, 0) + 1))

    def _keys_of(self, units: Iterable[Unit]) -> set:
        strings = self.checker.nlp.vocab.strings
        keys: set = set()
        for unit in units:
            if unit.kind == WORD:
                word = strings[unit.lemma].lower()
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
