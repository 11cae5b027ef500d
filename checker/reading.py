"""From matched mentions and cues to a Reading: subject, relation, object, negation, quantifier.

The logic of the statement is kept as an operator list in reading order ("not", "all",
"often", "some"), so "cannot ... without" and "not always" are evaluated, not guessed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple

from checker.cues import Cue
from checker.mentions import HEAD, TAIL, Mention
from checker.scan import Scan
from kg.knowledge import Concept, KnowledgeBase

QUANTIFIERS = ("all", "often", "some")
# How the JSON output names the statement's effective quantifier.
QUANTIFIER_NAMES = {"all": "all", "often": "most", "some": "some"}


class Grammar(NamedTuple):
    """What reading needs to know of the ontology's relations."""

    variants: dict[str, str]  # relation -> its exclusive variant (usableBy -> restrictedTo)
    symmetric: frozenset[str]  # "A and B are the same" reads either way round
    implied: tuple[str, ...]  # relations a statement may leave unsaid ("LLMs hallucinate")
    close: dict[str, tuple[str, ...]]  # relation -> relations whose claims also decide it
    # concept -> its broader concepts: concepts of one list ("rotating, flipping and
    # cropping") share one, which a comma between two concepts of no list does not
    parents: Mapping[str, tuple[str, ...]]

    @classmethod
    def of(cls, kb: KnowledgeBase) -> Grammar:
        relations = sorted(kb.relations.values(), key=lambda r: r.iri)
        return cls(
            {r.iri: r.exclusive_variant for r in relations if r.exclusive_variant},
            frozenset(r.iri for r in relations if r.symmetric),
            tuple(r.iri for r in relations if r.implied),
            {r.iri: r.close for r in relations if r.close},
            _Broader(kb.concepts),
        )


class _Broader(Mapping):
    """concept -> its broader concepts (those that have any), read from the knowledge base
    when asked: a start should not walk every concept."""

    def __init__(self, concepts: Mapping[str, Concept]):
        self._concepts = concepts

    def __getitem__(self, iri: str) -> tuple[str, ...]:
        concept = self._concepts.get(iri)
        if concept is None or not concept.broader:
            raise KeyError(iri)
        return concept.broader

    def __iter__(self) -> Iterator[str]:
        return (iri for iri, c in self._concepts.items() if c.broader)

    def __len__(self) -> int:
        return sum(1 for _ in self)


_NO_GRAMMAR = Grammar({}, frozenset(), (), {}, {})
_MAX_RELATIONS = 12  # relation phrases of one statement tried as its verb
_MAX_SIDE = 4  # concepts tried on each side of a relation phrase


class Reading(NamedTuple):
    """One way to read a statement: which claim it makes, and the logic around it."""

    subject: str | None
    relation: str | None  # the first candidate; lookup also tries `candidates`
    object: str | None
    ops: tuple[str, ...]  # logical operators in reading order, outermost first
    concepts: tuple[str, ...]  # every concept mentioned, in order
    candidates: tuple[str, ...] = ()  # relation IRIs the phrase can mean
    # Further (subject, object) pairs joined by "and": "X is used during training and
    # inference" asserts both, and is decided pair by pair.
    also: tuple[tuple[str, str], ...] = ()
    # An "only" the relation has no exclusive variant for: "used only during training" is
    # refuted by a true claim of the same kind about another object.
    restrictive: bool = False

    @property
    def negated(self) -> bool:
        return self.ops.count("not") % 2 == 1

    @property
    def quantifier(self) -> str | None:
        for op in self.ops:
            if op in QUANTIFIERS:
                return op
        return None


def read(scan: Scan, grammar: Grammar = _NO_GRAMMAR) -> Iterator[Reading]:
    """The readings of one scanned statement, most plausible first (at least one).

    A generator: the lookup usually stops at the first or second reading, so the others are
    never built.

    The preferred reading takes a non-copula relation phrase, the nearest concept before it
    and the first after it; the others try the farther concepts, so that "Deep learning
    models can be trained without GPUs" is still read with deep learning as its subject when
    "trained" also names the concept training. The claim lookup takes the first reading the
    graph can decide. `grammar` says which relations have an exclusive variant (for a
    restrictive "only"), which are symmetric ("A and B are the same thing") and which a
    statement may leave unsaid ("LLMs never hallucinate").
    """
    cues = scan.cues
    concepts = [m for m in scan.mentions if m.phrase.concept]
    relations = [m for m in scan.mentions if m.phrase.forward or m.phrase.inverse]
    concept_iris = tuple(dict.fromkeys(m.phrase.concept for m in concepts))

    found = False
    purposes: list[Reading] = []
    breaks = scan.breaks
    skippable = scan.transparent.union(breaks)
    joins = {i for c in cues if c.rule.category == "conjunction" for i in range(c.start, c.end)}
    # Light words ("a", "the") between list items: tokens no cue, mention or content word
    # covers, and no break.
    light: frozenset[int] = frozenset()
    if joins:
        taken = {i for i, _ in scan.words}
        taken.update(i for m in scan.mentions for i in range(m.start, m.end))
        taken.update(i for c in cues for i in range(c.start, c.end))
        light = frozenset(i for i in range(scan.length) if i not in taken and i not in breaks)
    commas = frozenset(scan.commas) if joins else frozenset()
    lists = _Lists(frozenset(joins), commas, grammar, light)
    # Strong phrases before copulas, longer (more specific) before shorter, then left to right.
    ranked = sorted(relations, key=lambda m: (m.phrase.weak, m.start - m.end, m.start))
    # Readings pair a relation with concepts near it. Bounding how many of each are tried
    # keeps reading linear in the statement's length (a 10,000-character statement of
    # repeated phrases would otherwise make millions of readings); the farther pairs are
    # the least plausible readings anyway.
    for relation in ranked[:_MAX_RELATIONS]:
        phrase = relation.phrase
        before = [c for c in concepts if c.end <= relation.start][-_MAX_SIDE:]
        after = [c for c in concepts if c.start >= relation.end]
        # An object is no farther than a strong relation phrase that opens a clause of its
        # own after a comma: in "Leaky ReLU allows a small gradient, fixing the dying ReLU
        # problem" the dying ReLU is what "fixing" says something of, not what "allows" does.
        stop = next(
            (
                r.start
                for r in relations
                if r.start >= relation.end
                and not r.phrase.weak
                and any(relation.end <= i < r.start for i in scan.commas)
            ),
            None,
        )
        if stop is not None:
            after = [c for c in after if c.start < stop]
        after = after[:_MAX_SIDE]
        if phrase.weak:
            # A copula reads "X is Y" only when Y follows it (an article aside): in
            # "ELU is computationally cheaper than ReLU" the copula does not link the two.
            after = [c for c in after[:1] if _gap(relation.end, c.start, skippable) <= 1]
        for left in reversed(before):
            for right in after:
                lefts = _conjuncts(left, concepts, lists, skippable, backward=True)
                rights = _conjuncts(right, concepts, lists, skippable, backward=False)
                for inverse in phrase.directions:
                    reading = _reading(cues, relation, left, right, inverse, concept_iris, grammar)
                    found = True
                    if len(lefts) == 1 and len(rights) == 1:
                        yield reading
                        continue
                    pairs = [(a, b) for a in lefts for b in rights]
                    if inverse:
                        pairs = [(b, a) for a, b in pairs]
                    also = tuple((a.phrase.concept, b.phrase.concept) for a, b in pairs[1:])
                    yield reading._replace(also=also)
        symmetric = [r for r in phrase.forward if r in grammar.symmetric]
        if symmetric and not after and before:
            # "Softmax and sigmoid are the same function": both sides come before the verb.
            pair = _conjuncts(before[-1], concepts, lists, skippable, backward=True)
            if len(pair) >= 2:
                found = True
                reading = _reading(cues, relation, pair[1], pair[0], False, concept_iris, grammar)
                yield reading._replace(relation=symmetric[0], candidates=tuple(symmetric))
        if not before and len(after) >= 2 and not phrase.weak and phrase.forward:
            # No subject before the verb ("You need GPUs to do deep learning"): the purpose
            # after the object is what makes the demand, so it is read as the subject. A
            # guess, so it waits until every other reading has been tried.
            purposes.append(
                _reading(cues, relation, after[1], after[0], False, concept_iris, grammar)
            )
    for head in [m for m in scan.mentions if m.phrase.frames]:
        for reading in _framed(head, scan.mentions, concepts, cues, skippable, concept_iris):
            found = True
            yield reading
    found = found or bool(purposes)
    yield from purposes
    if not relations and grammar.implied and len(concepts) >= 2:
        # No relation phrase, and the statement ends with an object that itself says what
        # the subject right before it is or does: "LLMs never hallucinate", "GPT predicts
        # the next token". Only cue words may stand between them or after the object, so
        # that a compound ("deep learning data augmentation can ...") is not read this way.
        left, right = concepts[-2], concepts[-1]
        between = range(left.end, right.start)
        after = range(right.end, scan.length)
        skip = scan.transparent
        subject, obj = left.phrase.concept, right.phrase.concept
        clear = all(i in skip for i in between) and all(i in skip or i in breaks for i in after)
        if clear and subject != obj:
            found = True
            ops = operators(cues, left, right, right)
            yield Reading(subject, grammar.implied[0], obj, ops, concept_iris, grammar.implied)
    if not found:
        yield Reading(None, None, None, operators(cues, None, None, None), concept_iris)


def _reading(
    cues: tuple[Cue, ...],
    relation: Mention,
    left: Mention,
    right: Mention,
    inverse: bool,
    concept_iris: tuple[str, ...],
    grammar: Grammar,
) -> Reading:
    """One reading; `inverse` phrases ("is required for") put the object first."""
    subject, obj = (right, left) if inverse else (left, right)
    candidates = relation.phrase.inverse if inverse else relation.phrase.forward
    # "Only experts can use deep learning", "can only be trained on GPUs": an "only" between
    # the two concepts restricts the relation to its exclusive variant, which already says
    # "only"; the possibility modals around it ("can") are part of that restriction.
    restrictive = [
        c
        for c in cues
        if c.rule.restrictive
        and (c.end == obj.start or (left.end <= c.start and c.end <= right.start))
    ]
    exclusive = False
    if restrictive:
        variants = tuple(grammar.variants[c] for c in candidates if c in grammar.variants)
        if variants:
            candidates = variants
            cues = tuple(c for c in cues if c not in restrictive and c.rule.ops != ("some",))
        else:
            exclusive = True
            cues = tuple(c for c in cues if c not in restrictive)
    if grammar.close and not relation.phrase.weak:  # then relations whose claims also decide
        # these; a copula is too vague to stand for more than its own relations.
        extra = [r for c in candidates for r in grammar.close.get(c, ())]
        candidates = tuple(dict.fromkeys([*candidates, *extra]))
    return Reading(
        subject=subject.phrase.concept,
        relation=candidates[0],
        object=obj.phrase.concept,
        ops=operators(cues, left, relation, right),
        concepts=concept_iris,
        candidates=candidates,
        restrictive=exclusive,
    )


def _framed(
    head: Mention,
    mentions: tuple[Mention, ...],
    concepts: list[Mention],
    cues: tuple[Cue, ...],
    skippable: frozenset[int],
    concept_iris: tuple[str, ...],
) -> Iterator[Reading]:
    """Readings of the frame labels `head` begins: "dropout makes training go faster" is
    "makes {object} go faster" with training in the gap and dropout before it; "train DL
    models on a laptop" is "train {subject} on {object}". An article may precede an end."""
    for iri, part in head.phrase.frames:
        if not part.startswith(HEAD):
            continue
        number, slot = part[len(HEAD) :].split(":")
        inside = next((c for c in concepts if c.start >= head.end), None)
        if inside is None or _gap(head.end, inside.start, skippable) > 1:
            continue
        tail = next((m for m in mentions if m.start >= inside.end), None)
        if tail is None or (iri, TAIL + number) not in tail.phrase.frames:
            continue
        if _gap(inside.end, tail.start, skippable):
            continue
        if slot == "object":
            outside = [c for c in concepts if c.end <= head.start]
            if not outside:
                continue
            left, right = outside[-1], inside
        else:
            outside = [c for c in concepts if c.start >= tail.end]
            if not outside or _gap(tail.end, outside[0].start, skippable) > 1:
                continue
            left, right = inside, outside[0]
        ops = operators(cues, left, head, right)
        subject, obj = left.phrase.concept, right.phrase.concept
        yield Reading(subject, iri, obj, ops, concept_iris, (iri,))


class _Lists(NamedTuple):
    joins: frozenset[int]  # tokens of "and" cues
    commas: frozenset[int]  # commas, in a statement with an "and"
    grammar: Grammar
    light: frozenset[int] = frozenset()  # function words ("an input gate and a forget gate")


def _conjuncts(
    mention: Mention, concepts: list[Mention], lists: _Lists, skippable, backward: bool
) -> list[Mention]:
    """The mention and the concepts joined to it by "and", or by a list comma between two
    kinds of one thing, nearest first."""
    chain = [mention]
    joins = lists.joins
    if not joins:
        return chain
    ordered = reversed(concepts) if backward else concepts  # mentions come in text order
    for other in ordered:
        last = chain[-1]
        if (other.start >= last.end) if not backward else (other.end <= last.start):
            lo, hi = (last.end, other.start) if not backward else (other.end, last.start)
            separators = joins | lists.commas
            gap = [
                i
                for i in range(lo, hi)
                if (i not in skippable and i not in lists.light) or i in separators
            ]
            if not gap or not all(i in separators for i in gap):
                break
            if not any(i in joins for i in gap) and not _kin(other, last, lists.grammar):
                break
            chain.append(other)
    return chain


def _kin(a: Mention, b: Mention, grammar: Grammar) -> bool:
    """Whether two concepts share a broader concept: items of one list."""
    parents = grammar.parents
    return bool(set(parents.get(a.phrase.concept, ())) & set(parents.get(b.phrase.concept, ())))


def _gap(start: int, end: int, skippable: frozenset[int] | set[int]) -> int:
    """Content tokens between two positions."""
    return sum(1 for i in range(start, end) if i not in skippable)


def operators(cues: tuple[Cue, ...], left, relation, right) -> tuple[str, ...]:
    """Operators of the cues that bear on the relation, in reading order.

    A cue counts when the relation lies in its scope or when the cue sits inside the
    statement's core (between subject and object, or within the object phrase). A "wide" cue
    (a determiner such as "any") moves before the possibility modals it follows, unless a
    negation came between: "can solve any problem" is about every problem.
    """
    ops: list[str] = []
    previous = None  # the rule of the last cue counted
    for cue in cues:  # in text order
        if cue.rule.category in ("pseudo", "terminator", "filler") or not cue.rule.ops:
            continue
        if relation is not None and not _bears_on(cue, left, relation, right):
            continue
        negated_before = "not" in ops
        if cue.rule is previous and cue.rule.repeated_ops is not None:
            cue_ops = list(cue.rule.repeated_ops)  # "no A and no B": one denial over a list
        elif negated_before and cue.rule.negated_ops is not None:
            cue_ops = list(cue.rule.negated_ops)
        else:
            cue_ops = list(cue.rule.ops)
        previous = cue.rule
        if cue.rule.scope == "wide":
            last_not = max((i for i, op in enumerate(ops) if op == "not"), default=-1)
            ops[last_not + 1 : last_not + 1] = cue_ops
        else:
            ops += cue_ops
    return tuple(ops)


def _bears_on(cue: Cue, left, relation, right) -> bool:
    if left.start <= cue.start < right.end or relation.start <= cue.start < relation.end:
        return True  # inside the core of the statement, or inside the relation phrase
    return cue.scope_start <= relation.start < cue.scope_end or (
        cue.scope_start <= right.start < cue.scope_end
    )
