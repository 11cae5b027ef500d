"""Aligning a statement with the graph's claim texts (labels and paraphrases), natural-logic
style (MacCartney & Manning's NatLog; Angeli & Manning's NaturalLI).

A text is read into units: the concepts and relation phrases the matcher finds, and the
content words left over; cues become the text's operators and function words are read past.
Each unit of the statement must be aligned, in order, with a unit of the claim text; the
claim's units the statement leaves out are deletions. Every aligned pair and every deletion
is an edit with a lexical relation between what the claim says and what the statement says:

  =   equivalent        the same concept, relation or word
  <   forward           the claim entails the statement (a modifier dropped, a broader object)
  >   reverse           the statement entails the claim (a narrower object)
  |   alternation       concepts the graph says exclude each other, in the object; or the
                        claim's relation against a contrary one ("reduces", "increases")
  #   independent       nothing follows

The edits compose into one relation (`compose`), which `checker/rules.py` turns into the
"how often" states of the statement's atom. A statement word no claim text accounts for is
never skipped: that text does not align, and the statement stays unknown.
"""

from __future__ import annotations

import heapq
import itertools
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import NamedTuple

from checker.cues import Cue
from checker.mentions import Mention, Phrase
from checker.reading import operators
from checker.scan import ADDING, BINDING, WEAKENING, Scan
from kg.knowledge import ALWAYS, SKOS_DEFINITION, TRUE, Claim, Concept, Edge, KnowledgeBase
from kg.tables import TableFile, TableWriter, each

CONCEPT, RELATION, WORD = "concept", "relation", "word"
EQUIVALENT, FORWARD, REVERSE, ALTERNATION, INDEPENDENT = "=", "<", ">", "|", "#"


class Unit(NamedTuple):
    """One meaningful part of a text: a concept, a relation phrase, or a content word."""

    kind: str
    concept: str | None = None
    forward: frozenset[str] = frozenset()  # relations read subject first
    inverse: frozenset[str] = frozenset()  # relations read object first
    lemma: int = 0  # a content word's lemma hash
    start: int = 0  # first token
    weak: bool = False  # a copula ("is", "are"): light, like a function word
    end: int = 0  # past the last token


class ClaimText(NamedTuple):
    """A claim's label or one of its paraphrases, read into units once per graph."""

    claim: str  # claim IRI
    text: str
    units: tuple[Unit, ...]
    ops: tuple[str, ...]  # the text's own operators ("not", "often", ...)
    subject_end: int  # units before this one are the subject's (a generic, read universally)
    condition_from: int  # units from here on belong to a condition ("only if ..."), or len
    restrictive: int  # how many restrictive cues ("only") the text has
    first_concept: int  # index of the first concept unit (the subject), or -1
    # Per unit: does it follow the one before with nothing between ("negative" and
    # "log-probability" in "the negative log-probability")?
    attached: tuple[bool, ...] = ()
    # Per unit j, the text's operators when the units from j on are left out: a "not"
    # inside a dropped trailing modifier ("... whose values the data do not specify") is
    # not the text's own.
    tail_ops: tuple[tuple[str, ...], ...] = ()


class Edit(NamedTuple):
    """One step from the claim text to the statement, with its lexical relation."""

    relation: str
    claim_unit: Unit | None  # None for nothing (never, here: insertions do not align)
    statement_unit: Unit | None  # None for a deletion


class Alignment(NamedTuple):
    text: ClaimText
    relation: str  # the composed relation
    edits: tuple[Edit, ...]
    deletions: int
    ops: tuple[str, ...] = ()  # the text's operators, without those of a dropped tail
    # A trailing concept of the text left out ("used *in LSTM gates*"): the text's where or
    # when, so only that the relation holds at all carries to the statement, not how often.
    restricted: bool = False


def units_of(scan: Scan) -> tuple[Unit, ...]:
    """The units of a scanned text, in order."""
    units = [_mention_unit(m) for m in _framed(scan.mentions)]
    units += [Unit(WORD, lemma=lemma, start=i, end=i + 1) for i, lemma in scan.words]
    units.sort(key=lambda u: u.start)
    return tuple(u for u in units if not u.weak)


def _framed(mentions: Sequence[Mention]) -> list[Mention]:
    """The mentions, with a frame's head and the tail that closes it read as one relation
    phrase, the frame's: "makes" ... "smaller" of "makes the weights smaller" says reduces,
    where "makes" alone would say causes (a contrary of what a claim that shrinks them
    says), and the frame's tail is no second relation."""
    found: list[Mention | None] = list(mentions)
    for t, tail in enumerate(found):
        if tail is None or not tail.phrase.tail_only:
            continue
        for h in range(t - 1, -1, -1):
            head = found[h]
            if head is None:
                continue
            closed = [r for r, n in tail.phrase.tails if (r, n) in head.phrase.heads]
            if closed:
                relations = tuple(dict.fromkeys(closed))
                phrase = _FRAMES.setdefault(
                    (id(head.phrase), relations),
                    (head.phrase._replace(forward=relations, inverse=(), frames=()), head),
                )[0]
                found[h] = head._replace(phrase=phrase)
                found[t] = None
                break
    return [m for m in found if m is not None]


# (head phrase id, relations) -> the head read as its frame's relation, and the head mention
# (kept alive so that the phrase's id is not reused): one per frame met, like _PHRASE_UNITS.
_FRAMES: dict[tuple[int, tuple[str, ...]], tuple[Phrase, Mention]] = {}


def _mention_unit(mention: Mention) -> Unit:
    phrase = mention.phrase
    known = _PHRASE_UNITS.get(id(phrase))
    if known is None:
        known = _PHRASE_UNITS[id(phrase)] = (_phrase_unit(phrase), phrase)
    kind, concept, forward, inverse, _, _, weak, _ = known[0]
    return Unit(kind, concept, forward, inverse, 0, mention.start, weak, mention.end)


# id(phrase) -> (its unit, placed nowhere; the phrase, kept alive so that its id is not
# reused): a statement's mentions are a few phrases met again and again. Phrases are made
# once per matcher, so this grows with the phrases statements use, not with the statements.
_PHRASE_UNITS: dict[int, tuple[Unit, Phrase]] = {}


def _phrase_unit(phrase: Phrase) -> Unit:
    forward = frozenset(phrase.forward)
    inverse = frozenset(phrase.inverse)
    if phrase.frames and not (forward or inverse):
        forward = frozenset(iri for iri, _ in phrase.frames)
    kind = CONCEPT if phrase.concept else RELATION
    weak = phrase.weak and not phrase.concept
    return Unit(kind, phrase.concept, forward, inverse, 0, 0, weak, 0)


def claim_text(claim: str, text: str, scan: Scan, condition_words: frozenset[int]) -> ClaimText:
    """A claim text read into units; `condition_words` are the hashes of the words that open
    a condition ("only", "if"), so that what follows one is never dropped."""
    units = units_of(scan)
    subject_end = next((i for i, u in enumerate(units) if u.kind == RELATION), -1)
    if subject_end < 0:  # "ReLU is an activation function": the first concept is the subject
        subject_end = next((i + 1 for i, u in enumerate(units) if u.kind == CONCEPT), 0)
    conditions = [c.start for c in scan.cues if c.rule.restrictive]
    conditions += [i for i, lemma in scan.words if lemma in condition_words]
    condition_from = len(units)
    if conditions:
        first = min(conditions)
        condition_from = next((i for i, u in enumerate(units) if u.start > first), len(units))
    ops = operators(scan.cues, None, None, None)
    first_concept = next((i for i, u in enumerate(units) if u.kind == CONCEPT), -1)
    attached = tuple(i > 0 and u.start == units[i - 1].end for i, u in enumerate(units))
    tail_ops = tuple(
        operators(tuple(c for c in scan.cues if c.start < u.start), None, None, None) for u in units
    )
    return ClaimText(
        claim,
        text,
        units,
        ops,
        subject_end,
        condition_from,
        restrictive(scan),
        first_concept,
        attached,
        (*tail_ops, ops),
    )


def restrictive(scan: Scan) -> int:
    """How many restrictive cues ("only", "solely") a text has: such a text and a statement
    align only when both restrict alike, since "only" is not a quantifier over cases."""
    return sum(1 for c in scan.cues if c.rule.restrictive)


def definitions(kb: KnowledgeBase) -> dict[str, Claim]:
    """Every concept's definition as a true claim "X is <definition>", so that a statement
    saying what X is can be aligned with it like with any claim text."""
    found = {}
    for concept in sorted(kb.concepts.values(), key=lambda c: c.iri):
        if concept.definition:
            found[concept.iri + DEFINITION] = definition_claim(concept)
    return found


DEFINITION = "#definition"  # a definition's claim IRI is its concept's and this


def definition_claim(concept: Concept) -> Claim:
    said = (concept.definition or "").strip()
    label = f"{concept.label[:1].upper()}{concept.label[1:]} is {said[:1].lower()}{said[1:]}"
    sources = (concept.source,) if concept.source else ()
    return Claim(
        concept.iri + DEFINITION,
        label,
        concept.iri,
        SKOS_DEFINITION,
        concept.iri,
        ALWAYS,
        TRUE,
        None,
        None,
        sources,
        (),
        (),
        (),
        (),
    )


class ClaimsAndDefinitions(Mapping):
    """The graph's claims and the concepts' definitions as claims (`definitions`), read
    from the knowledge base when asked."""

    def __init__(self, kb: KnowledgeBase):
        self._kb = kb
        self._definitions: dict[str, Claim | None] = {}

    def __getitem__(self, iri: str) -> Claim:
        claim = self._kb.claims.get(iri)
        if claim is not None:
            return claim
        if iri not in self._definitions:
            concept = self._kb.concepts.get(iri.removesuffix(DEFINITION))
            found = None
            if iri.endswith(DEFINITION) and concept is not None and concept.definition:
                found = definition_claim(concept)
            self._definitions[iri] = found
        found = self._definitions[iri]
        if found is None:
            raise KeyError(iri)
        return found

    def __iter__(self) -> Iterator[str]:
        yield from self._kb.claims
        yield from definitions(self._kb)

    def __len__(self) -> int:
        return len(self._kb.claims) + len(definitions(self._kb))


def definition_edge(kb: KnowledgeBase, claim: Claim) -> Edge:
    """The one step that justifies a definition: the concept and the words that define it."""
    concept = kb.concepts[claim.subject]
    said = f'{concept.label} is defined as "{(concept.definition or "").rstrip(".")}"'
    return Edge(concept.iri, SKOS_DEFINITION, concept.iri, said, concept.source)


def claims_in_order(kb: KnowledgeBase) -> Iterator[Claim]:
    """The graph's claims and the concepts' definitions (what `ClaimsAndDefinitions` holds)
    in IRI order, the claims read from the table file a batch at a time and not kept: at a
    few hundred thousand claims, holding them all took gigabytes."""
    found = [definition_claim(concept) for _, concept in each(kb.concepts) if concept.definition]
    found.sort(key=_iri)
    claims = (claim for _, claim in each(kb.claims, by_key=True))
    return heapq.merge(claims, found, key=_iri)


def _iri(claim: Claim) -> str:
    return claim.iri


def read_claim_texts(
    nlp,
    scanner: Callable[..., Scan],
    claims: Iterable[Claim],
    batch: int = 2000,
    read_as: Callable[[str], str] | None = None,
    preload: bool = True,
) -> Iterator[tuple[Claim, list[ClaimText]]]:
    """Each claim with its label and paraphrases read into units by `scanner` (the one
    statements are read with), a batch of claims at a time; units without their token
    positions, which only ordered them. `read_as` gives the words a text is read as, the
    way a statement is ("Without X, S" as "S without X"). `preload` loads every phrase and
    lemma first, as reading every text asks for them; a few texts load what they meet."""
    strings = nlp.vocab.strings
    conditions = frozenset(strings.add(w) for w in scanner.cues.words.condition)
    if preload:  # every text is read: every phrase and lemma is asked for
        scanner.mentions.load_all()
        scanner.lemmatizer.load_all()
    claims = iter(claims)
    while chunk := list(itertools.islice(claims, batch)):
        pairs = [(claim, text) for claim in chunk for text in (claim.label, *claim.paraphrases)]
        docs = nlp.tokenizer.pipe([read_as(t) if read_as else t for _, t in pairs])
        read: dict[str, list[ClaimText]] = {claim.iri: [] for claim in chunk}
        for (claim, text), doc in zip(pairs, docs, strict=True):
            found = claim_text(claim.iri, text, scanner(doc), conditions)
            units = tuple([Unit(*u[:5], 0, u[6], 0) for u in found.units])  # start, end: 0
            read[claim.iri].append(found._replace(units=units))
        yield from ((claim, read[claim.iri]) for claim in chunk)


def write_index(
    out: TableWriter,
    kb: KnowledgeBase,
    read: Iterable[tuple[Claim, Sequence[ClaimText]]],
    batch: int = 20_000,
) -> None:
    """The claim index of the texts `read` gives, claim by claim in IRI order, written as
    they come (the tables `ClaimIndex.opened` reads; `ClaimIndex.of` is the same index in
    memory): only the postings and each text's size are kept until the end."""
    postings: dict[object, list[int]] = {}
    disjoint: list[int] = []
    sizes: list[int] = []
    texts: list[tuple[str, list]] = []
    concepts: list[tuple[str, list[str]]] = []
    words: list[tuple[str, list[int]]] = []
    labels: list[tuple[str, int]] = []
    guards = _Guards()

    def flush() -> None:
        out.put("texts", texts)
        out.put("concepts", concepts)
        out.put("words", words)
        out.put("labels", labels)
        texts.clear(), concepts.clear(), words.clear(), labels.clear()

    n = 0
    for claim, read_texts in read:
        relation = kb.relations.get(claim.relation)
        apart = relation is not None and relation.disjoint_objects
        used = {claim.subject, claim.object}
        said: set[int] = set()
        labels.append((claim.iri, n))  # its label is read first
        for text in read_texts:
            for key in {k for u in text.units for k in _keys(u)}:
                postings.setdefault(key, []).append(n)
            if apart:
                disjoint.append(n)
            used.update(u.concept for u in text.units if u.concept)
            said.update(u.lemma for u in text.units if u.kind == WORD)
            sizes.append(len(text.units))
            texts.append((str(n), _text_row(text)))
            guards.add(required_keys(kb, claim, text))
            n += 1
        concepts.append((claim.iri, sorted(used)))
        words.append((claim.iri, sorted(said)))
        if len(texts) >= batch:
            flush()
    flush()
    guarded, free = guards.chosen(postings)
    out.put("postings", ((_posting_key(k), v) for k, v in postings.items()))
    out.put("guards", ((_posting_key(k), v) for k, v in guarded.items()))
    out.put("sets", [("disjoint", disjoint), ("sizes", sizes), ("free", free)])


class _Guards:
    """Each text's required key sets (`required_keys`), kept compactly until the postings
    are complete, then one set chosen per text as its guard (`chosen`)."""

    def __init__(self) -> None:
        self._ids: dict[frozenset, int] = {}  # a set of keys -> its number (sets repeat)
        self._sets: list[frozenset] = []
        self._needs = array("l")  # the numbers of each text's sets, text after text
        self._ends = array("l")  # where each text's numbers end in _needs

    def add(self, required: Sequence[frozenset]) -> None:
        for keys in required:
            number = self._ids.setdefault(keys, len(self._ids))
            if number == len(self._sets):
                self._sets.append(keys)
            self._needs.append(number)
        self._ends.append(len(self._needs))

    def chosen(
        self, postings: Mapping[object, Sequence[int]]
    ) -> tuple[dict[object, list[int]], list[int]]:
        """(key -> the texts it guards, in order; the texts with no required unit). A text's
        guard is its required set whose keys the fewest texts hold (an ("a", c) key counts
        the texts holding c): a statement meets the texts guarded by the keys it reaches, and
        a text guarded by rare keys is met by few statements."""

        def held(key: object) -> int:
            if isinstance(key, tuple) and key[0] == "a":
                key = key[1]
            return len(postings.get(key, ()))

        cost = [sum(held(k) for k in keys) for keys in self._sets]
        guarded: dict[object, list[int]] = {}
        free: list[int] = []
        start = 0
        for n, end in enumerate(self._ends):
            needs = self._needs[start:end]
            start = end
            if not needs:
                free.append(n)
                continue
            best = min(needs, key=cost.__getitem__)  # the first of the cheapest
            for key in self._sets[best]:
                guarded.setdefault(key, []).append(n)
        return guarded, free


class ClaimIndex:
    """Claim texts and, for each unit key, the texts that hold it: the candidates of a
    statement come from its rarest units, so a check looks at a handful of texts.

    Built in memory by `of`; written to a table file as its texts are read (`write_index`)
    and opened from it (`opened`),
    where each text and posting list is read the first time a statement needs it."""

    def __init__(
        self,
        kb: KnowledgeBase,
        claims: Mapping[str, Claim],
        texts: Mapping[int, ClaimText],
        postings: Mapping[object, Sequence[int]],
        concepts: Mapping[str, set[str]],
        words: Mapping[str, set[int]],
        disjoint: Callable[[], frozenset[int]],
        sizes: Callable[[], Sequence[int]],
        guards: Mapping[object, Sequence[int]],
        free: Callable[[], Sequence[int]],
        labels: Mapping[str, int],
    ):
        self.kb = kb
        self.claims = claims  # the graph's claims and the concepts' definitions
        self.texts = texts  # text number -> claim text
        self.postings = postings
        # Per claim, every concept and word its texts use: what a triple reading of a
        # statement may lean on to account for the statement's other words.
        self.concepts = concepts
        self.words = words
        self._disjoint = disjoint  # texts whose claim's relation has disjoint objects
        # How many units each text has: candidates are chosen by it, before any text is read.
        self._sizes = sizes
        # Per key, the texts it guards: each text is guarded by the keys of one of its units
        # a statement may not leave out (`required`, `aligning`); `free`, texts with none.
        self.guards = guards
        self._free = free
        self.labels = labels  # claim -> the number of its label's text
        self._memo: dict[tuple, frozenset[int]] = {}  # unit keys -> the texts holding them
        # unit keys -> (those and its concept's ancestors, texts looked at, texts holding it)
        self._within: dict[tuple, tuple[frozenset, set[int], set[int]]] = {}
        self._keys_of: dict[int, frozenset] = {}  # text number -> its keys
        self._found: dict[tuple, list[int]] = {}  # a statement's units -> its candidates
        self._aligning: dict[tuple, list[int]] = {}  # ... -> the candidates that may align
        self._required: dict[int, tuple[frozenset, ...]] = {}  # text number -> `required`

    @classmethod
    def of(
        cls, kb: KnowledgeBase, texts: Sequence[ClaimText], claims: Mapping[str, Claim]
    ) -> ClaimIndex:
        postings: dict[object, list[int]] = {}
        concepts: dict[str, set[str]] = {}
        words: dict[str, set[int]] = {}
        disjoint: set[int] = set()
        guards = _Guards()
        labels: dict[str, int] = {}
        for n, text in enumerate(texts):
            labels.setdefault(text.claim, n)
            for key in {k for u in text.units for k in _keys(u)}:
                postings.setdefault(key, []).append(n)
            claim = claims[text.claim]
            guards.add(required_keys(kb, claim, text))
            relation = kb.relations.get(claim.relation)
            if relation is not None and relation.disjoint_objects:
                disjoint.add(n)
            used = concepts.setdefault(text.claim, {claim.subject, claim.object})
            used.update(u.concept for u in text.units if u.concept)
            words.setdefault(text.claim, set()).update(
                u.lemma for u in text.units if u.kind == WORD
            )
        whole = frozenset(disjoint)
        sizes = [len(t.units) for t in texts]
        guarded, free = guards.chosen(postings)
        return cls(
            kb,
            claims,
            dict(enumerate(texts)),
            postings,
            concepts,
            words,
            lambda: whole,
            lambda: sizes,
            guarded,
            lambda: free,
            labels,
        )

    @classmethod
    def opened(cls, kb: KnowledgeBase, claims: Mapping[str, Claim], file: TableFile) -> ClaimIndex:
        sets = file.table("sets")
        return cls(
            kb,
            claims,
            file.table("texts", _text_of_row, str, int),
            file.table("postings", tuple, _posting_key),
            file.table("concepts", set),
            file.table("words", set),
            lambda: frozenset(sets["disjoint"]),
            lambda: sets["sizes"],
            file.table("guards", tuple, _posting_key),
            lambda: sets["free"],
            file.table("labels"),
        )

    @cached_property
    def disjoint(self) -> frozenset[int]:
        return self._disjoint()

    @cached_property
    def sizes(self) -> Sequence[int]:
        """How many units each text has, by text number."""
        return self._sizes()

    @cached_property
    def free(self) -> Sequence[int]:
        """The texts with no unit a statement may not leave out."""
        return self._free()

    @cached_property
    def longest(self) -> int:
        """The most units any text has."""
        return max(self.sizes, default=0)

    def candidates(self, units: Sequence[Unit], exact: bool = False) -> list[int]:
        """Texts that hold every unit of the statement, or all but one where an excluded
        concept may stand in for it (claims of a relation with disjoint objects), and at
        least as many units (`exact`: as many): no other text can align with the statement.

        Set intersections, rarest first, do the counting."""
        if not units:
            return []
        key = (exact, *[u[:_IDENTITY] for u in units])  # what the units are, not where
        found = self._found.get(key)
        if found is not None:
            return found
        matches = self._holding_all(units)
        whole, sizes = len(units), self.sizes
        if exact:
            found = sorted(n for n in matches if sizes[n] == whole)
        else:
            found = sorted(n for n in matches if sizes[n] >= whole)
        if len(self._found) < 100_000:
            self._found[key] = found
        return found

    def label_text(self, claim: str) -> ClaimText | None:
        """A claim's label as read into the index (its operators, its "only")."""
        n = self.labels.get(claim)
        return None if n is None else self.texts[n]

    def aligning(self, units: Sequence[Unit], exact: bool = False) -> list[int]:
        """The candidates (`candidates`) whose every unit the statement may not leave out has
        a counterpart among the statement's units (`required`, `reach`): the others align
        with no statement, or only as independent, which decides nothing.

        Found from the texts guarded by what the statement reaches (`guards`), never from
        all the texts holding its units: how many those are grows with the graph, and most of
        them say something the statement does not."""
        if not units:
            return []
        key = (exact, *[u[:_IDENTITY] for u in units])
        found = self._aligning.get(key)
        if found is not None:
            return found
        said = reach(self.kb, units)
        pool = set(self.free)
        for k in said:
            pool.update(self.guards.get(k, ()))
        whole, sizes = len(units), self.sizes
        found = []
        for n in sorted(self._holding_all(units, pool)):  # as `candidates` would, of the pool
            if sizes[n] != whole if exact else sizes[n] < whole:
                continue
            if all(not needed.isdisjoint(said) for needed in self.required(n)):
                found.append(n)
        if len(self._aligning) < 100_000:
            self._aligning[key] = found
        return found

    def required(self, n: int) -> tuple[frozenset, ...]:
        """For each unit of text `n` that a statement may not leave out (`_dropped` says
        independent wherever it stands), the keys of the statement units (`reach`) that can
        stand for it with an edit other than independent; none for a unit an excluded concept
        may stand for. Worked out when a statement first meets the text."""
        found = self._required.get(n)
        if found is None:
            text = self.texts[n]
            found = self._required[n] = required_keys(self.kb, self.claims[text.claim], text)
        return found

    def _holding_all(self, units: Sequence[Unit], within: set[int] | None = None) -> set[int]:
        """The texts (of `within`, if given) that hold every unit, or all but one concept where
        an excluded concept may stand in for it: set intersections, rarest first, or from
        `within`, which is smaller still."""
        if within is None:
            holding = sorted(((self._holding(u), u.kind == CONCEPT) for u in units), key=_size)
        else:
            holding = [(self._held(u, within), u.kind == CONCEPT) for u in units]
            holding.sort(key=_size)
        sets: list = [texts_with for texts_with, _ in holding]
        if within is not None:
            sets.insert(0, within)
            holding.insert(0, (within, False))
        matches = set(sets[0].intersection(*sets[1:]))
        for left_out, (_, replaceable) in enumerate(holding):
            if replaceable:  # only a concept can be swapped for one that excludes it
                others = sets[:left_out] + sets[left_out + 1 :]
                if len(others) > (within is not None):
                    # rarest first: intersecting starts from a copy of the first set
                    matches.update(others[0].intersection(*others[1:]) & self.disjoint)
        return matches

    def _holding(self, unit: Unit) -> frozenset[int]:
        """The texts that hold a unit: its concept (or a broader one, which a narrower
        concept of the statement can stand for), relation or word."""
        keys = _keys(unit)
        key = tuple(keys)
        found = self._memo.get(key)
        if found is None:
            if unit.concept:
                keys += list(self.kb.ancestors.get(unit.concept, ()))
            found = frozenset(n for k in keys for n in self.postings.get(k, ()))
            if len(self._memo) < 100_000:
                self._memo[key] = found
        return found

    def _held(self, unit: Unit, within: set[int]) -> set[int]:
        """The texts of `within` that hold a unit (`_holding`'s, of a few texts): worked out
        text by text from the texts' own keys and remembered per unit. A common unit's
        posting lists grow with the graph; the texts a statement's guards give do not."""
        keys = _keys(unit)
        key = tuple(keys)
        known = self._within.get(key)
        if known is None:
            if unit.concept:
                keys += list(self.kb.ancestors.get(unit.concept, ()))
            known = (frozenset(keys), set(), set())  # its keys, texts looked at, holding it
            if len(self._within) < 100_000:
                self._within[key] = known
        wanted, seen, held = known
        if not seen.issuperset(within):
            for n in within.difference(seen):
                if not wanted.isdisjoint(self._text_keys(n)):
                    held.add(n)
            seen.update(within)
        return held.intersection(within)

    def _text_keys(self, n: int) -> frozenset:
        """The keys text `n` is posted under (`write_index`)."""
        found = self._keys_of.get(n)
        if found is None:
            found = frozenset(k for u in self.texts[n].units for k in _keys(u))
            self._keys_of[n] = found
        return found

    def align(self, units: Sequence[Unit], n: int, with_edits: bool = False) -> Alignment | None:
        """The statement's units against claim text `n`, or None when some unit of the
        statement has no counterpart there. The edits are spelled out only `with_edits`: a
        statement is aligned with many texts, and one of them explains its verdict."""
        text = self.texts[n]
        claim = self.claims[text.claim]
        relation = self.kb.relations.get(claim.relation)
        upward = relation is not None and relation.upward
        disjoint = relation is not None and relation.disjoint_objects
        # The claim's own relation phrase, after its subject, may meet a contrary one.
        contrary = relation.contrary if relation is not None else ()
        core = {claim.subject, claim.object}
        relations: list[str] = []  # each edit's, in the claim text's order
        matched: dict[int, tuple[str, Unit]] = {}  # claim unit -> (relation, statement unit)
        j, last = 0, len(text.units)
        for unit in units:
            k = j
            while k < last:
                side = k < text.subject_end
                edit = _edit(self.kb, unit, text.units[k], side, upward, disjoint)
                if edit is None and contrary and k > text.first_concept >= 0:
                    edit = _contrary(unit, text.units[k], claim.relation, contrary)
                if edit is not None:
                    break
                k += 1
            else:
                return None  # the statement says something this text does not
            relations += [_dropped(text, d, core) for d in range(j, k)]
            if k > j and _heads(text, j):
                return None
            relations.append(edit)
            if with_edits:
                matched[k] = (edit, unit)
            j = k + 1
        if j <= text.subject_end and last > j:
            return None  # the statement names the subject and says nothing of it
        if last > j and _heads(text, j):
            return None
        trail = [_dropped(text, d, core, trailing=True) for d in range(j, last)]
        relations += trail
        restricted = any(
            r == FORWARD and text.units[j + i].kind == CONCEPT for i, r in enumerate(trail)
        )
        deletions = len(relations) - len(units)
        ops = text.tail_ops[j] if text.tail_ops else text.ops
        edits: tuple[Edit, ...] = ()
        if with_edits:
            edits = tuple(
                Edit(matched[d][0], claimed, matched[d][1])
                if d in matched
                else Edit(_dropped(text, d, core, trailing=d >= j), claimed, None)
                for d, claimed in enumerate(text.units)
            )
        return Alignment(text, compose(relations), edits, deletions, ops, restricted)


# A unit's first fields say what it is (kind, concept, relations, lemma), the rest where.
_IDENTITY = Unit._fields.index("start")


def reach(kb: KnowledgeBase, units: Iterable[Unit]) -> frozenset:
    """The keys of what a statement's units can stand for in a claim text (`_edit`): a word's
    lemma, each relation read either way ("f"|"i", relation), a concept, and ("a", ancestor)
    for each concept broader than one of its concepts."""
    said: set = set()
    for unit in units:
        if unit.kind == WORD:
            said.add(unit.lemma)
            continue
        said.update(("f", r) for r in unit.forward)
        said.update(("i", r) for r in unit.inverse)
        if unit.concept:
            said.add(unit.concept)
            said.update(("a", a) for a in kb.ancestors.get(unit.concept, ()))
    return frozenset(said)


def required_keys(kb: KnowledgeBase, claim: Claim, text: ClaimText) -> tuple[frozenset, ...]:
    """See `ClaimIndex.required`: what `align` and `_edit` accept, read the other way round.
    A unit left out is independent when `_dropped` says so whether or not it trails; a unit
    matched is independent or unmatched unless a statement unit holds one of these keys."""
    relation = kb.relations.get(claim.relation)
    upward = relation is not None and relation.upward
    disjoint = relation is not None and relation.disjoint_objects
    contrary = relation.contrary if relation is not None else ()
    core = {claim.subject, claim.object}
    found = []
    for d, held in enumerate(text.units):
        if INDEPENDENT != _dropped(text, d, core) or INDEPENDENT != _dropped(text, d, core, True):
            continue
        if held.kind == WORD:
            found.append(frozenset([held.lemma]))
            continue
        keys: set = {("f", r) for r in held.forward} | {("i", r) for r in held.inverse}
        if held.concept:
            keys.add(held.concept)
            if d >= text.subject_end:  # the object side: a narrower or broader concept
                if disjoint:
                    continue  # or an excluded one, which `kb.excluded` decides: any may do
                if upward:
                    keys.add(("a", held.concept))
                    keys.update(kb.ancestors.get(held.concept, ()))
        if held.kind == RELATION and contrary and d > text.first_concept >= 0:
            if claim.relation in held.forward:  # a contrary relation (`_contrary`)
                keys.update(("f", r) for r in contrary)
            if claim.relation in held.inverse:
                keys.update(("i", r) for r in contrary)
        found.append(frozenset(keys))
    return tuple(found)


def _size(pair: tuple[frozenset[int], bool]) -> int:
    return len(pair[0])


def _keys(unit: Unit) -> list[object]:
    if unit.kind == WORD:
        return [unit.lemma]
    keys: list[object] = [unit.concept] if unit.concept else []
    keys += [("f", r) for r in unit.forward] + [("i", r) for r in unit.inverse]
    return keys


def _posting_key(key: object) -> str:
    """A unit key as a table file's key: a word's lemma hash, a concept, ("f"|"i", relation)."""
    if isinstance(key, int):
        return f"w{key}"
    if isinstance(key, str):
        return f"c{key}"
    return f"{key[0]}{key[1]}"


def _text_row(text: ClaimText) -> list:
    return [
        *text[:2],
        [_unit_row(u) for u in text.units],
        *text[3:8],
        text.attached,
        text.tail_ops,
    ]


def _unit_row(unit: Unit) -> list:
    return [*unit[:2], sorted(unit.forward), sorted(unit.inverse), *unit[4:]]


def _text_of_row(row: list) -> ClaimText:
    claim, text, units, ops, subject_end, condition_from, restricts, first, attached, tail = row
    return ClaimText(
        claim,
        text,
        tuple(
            Unit(kind, concept, frozenset(forward), frozenset(inverse), *rest)
            for kind, concept, forward, inverse, *rest in units
        ),
        tuple(ops),
        subject_end,
        condition_from,
        restricts,
        first,
        tuple(attached),
        tuple(tuple(o) for o in tail),
    )


def _edit(
    kb: KnowledgeBase, said: Unit, held: Unit, subject_side: bool, upward: bool, disjoint: bool
):
    """The lexical relation of the claim's unit `held` to the statement's unit `said`,
    projected through the unit's position; None when they are not counterparts."""
    if said.kind == WORD or held.kind == WORD:
        return EQUIVALENT if said.lemma == held.lemma and said.kind == held.kind else None
    if (said.forward & held.forward) or (said.inverse & held.inverse):
        return EQUIVALENT
    if not (said.concept and held.concept):
        return None
    if said.concept == held.concept:
        return EQUIVALENT
    if subject_side:
        # What a claim says of its subject is not said of a broader or narrower one here:
        # the triple reading decides that, through the taxonomy (checker/lookup.py).
        return INDEPENDENT
    if held.concept in kb.ancestors.get(said.concept, ()):  # the statement is narrower
        return REVERSE if upward else INDEPENDENT  # an object is upward-monotone if marked
    if said.concept in kb.ancestors.get(held.concept, ()):  # the statement is broader
        return FORWARD if upward else INDEPENDENT
    if not subject_side and disjoint and kb.excluded(said.concept, held.concept) is not None:
        return ALTERNATION
    return None


def _contrary(said: Unit, held: Unit, relation: str, contrary: Sequence[str]) -> str | None:
    """Alternation when the statement puts a contrary relation ("increases") where the claim
    text names its own ("reduces"), read the same way round; None otherwise."""
    if said.kind != RELATION or held.kind != RELATION:
        return None
    for says, holds in ((said.forward, held.forward), (said.inverse, held.inverse)):
        if relation in holds and not says & holds and any(r in says for r in contrary):
            return ALTERNATION
    return None


def _dropped(text: ClaimText, index: int, core: set[str], trailing: bool = False) -> str:
    """The relation of a claim unit the statement leaves out. A content word after the
    subject is a modifier: dropping it makes the statement broader (forward). Other concepts
    can be dropped only from the end of the claim; its relation phrases, its subject and
    object (`core`) and its first concept never, nor anything of a condition."""
    unit = text.units[index]
    if (
        index >= text.condition_from
        or unit.kind == RELATION
        or unit.concept in core
        or index == text.first_concept
    ):
        return INDEPENDENT
    if index < text.subject_end:  # the subject, made broader: a claim about another subject
        return INDEPENDENT
    if unit.kind == WORD or trailing:
        return FORWARD
    return INDEPENDENT


def _heads(text: ClaimText, first_deleted: int) -> bool:
    """Whether the first unit the statement leaves out right after an aligned content word is
    that word's head: "negative" in "the negative log-probability" says nothing of its own,
    so a statement that "X is never negative" does not align with it."""
    before = first_deleted - 1
    return before >= 0 and text.units[before].kind == WORD and text.attached[first_deleted]


def compose(relations: Iterable[str]) -> str:
    """The join of a sequence of edits, in the order that keeps the most: forward edits
    first, then at most one alternation, then reverse edits (MacCartney's join table:
    < then | is |, | then > is |; < with > is #)."""
    relations = list(relations)
    seen = set(relations)
    seen.discard(EQUIVALENT)
    if INDEPENDENT in seen or relations.count(ALTERNATION) > 1:
        return INDEPENDENT
    if ALTERNATION in seen:
        return ALTERNATION
    if FORWARD in seen and REVERSE in seen:
        return INDEPENDENT
    return next(iter(seen), EQUIVALENT)


# Cue kinds a statement's trailing part may hold when it only adds to what the claim says.
_TAIL_CUES = frozenset({"filler", "conjunction"})


def tail_splits(
    scan: Scan, units: Sequence[Unit], longest: int | None = None
) -> Iterator[tuple[int, bool]]:
    """Where a statement may be split into a first part a claim text says and a trailing part
    it adds ("Gradient clipping solves the vanishing gradient problem | in recurrent
    networks"), longest first part first: (units in the first part, whether a word of the
    cue file's adding_words opens the rest, so that the statement entails its first part:
    "... | that generates text", "... | by removing images").

    Inserting words narrows what a statement says (MacCartney's insertion edit, reverse
    entailment), except where they weaken it ("or", "than", "unless": the weakening_words)
    or bring their own operators (a negation, a quantifier, a hedge): a part holding one of
    those ends the splits. Without an adding word, the trailing part may instead restrict
    the cases the statement is about ("... in recurrent networks"), which keeps only "never"
    (see `checker/check.py`). A trailing part starts after a word or mark that is no unit
    ("in", "that", a comma): two units side by side belong to one phrase. `longest`, the
    most units a claim text has, bounds the first part: a long statement costs no more than
    a short one."""
    first = len(units) - 1 if longest is None else min(len(units) - 1, longest)
    for k in range(first, 1, -1):
        start = units[k - 1].end
        if any(c.start >= start and c.rule.category not in _TAIL_CUES for c in scan.cues):
            return
        if any(i >= start and kind == WEAKENING for i, kind in scan.joints):
            return
        gap = range(start, units[k].start)
        if not gap:  # the next word goes on with the phrase before it ("large models")
            continue
        if any(i in gap and kind == BINDING for i, kind in scan.joints):
            continue  # "a padding | of 0": what follows "of" completes the phrase before it
        adding = any(i in gap and kind == ADDING for i, kind in scan.joints) or any(
            c.start in gap and c.rule.category == "conjunction" for c in scan.cues
        )
        yield k, adding


def cue_ops(cues: tuple[Cue, ...]) -> tuple[str, ...]:
    """The operators of a whole statement's cues, in reading order."""
    return operators(cues, None, None, None)
