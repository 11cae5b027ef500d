"""Verdict rules: a claim's truth status and modality against a statement's logic.

Both sides are read as sets of "how often the relation holds" states: 0 none, 1 some (less
than most), 2 most (not all), 3 all. A claim allows some states; a statement is true in some
states. The verdict compares the two sets:

  rule            when                                            verdict
  entailed        every state the claim allows makes it true      true
  contradicted    no state the claim allows makes it true         false
  restates        a plain statement of a partly true claim        partly_true
  undetermined    the claim allows states of both kinds           unknown

This one comparison gives "a partly true claim stated with 'always' is false, with 'can'
true", "not always" after a myth true, "cannot ... without" the same as "always requires".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kg.knowledge import ALWAYS, CAN, FALSE, GENERALLY, PARTLY_TRUE, TRUE, Claim, KnowledgeBase

if TYPE_CHECKING:
    from checker.reading import Reading

STATES = frozenset({0, 1, 2, 3})

# What a claim with this status and modality allows.
CLAIM_STATES: dict[tuple[str, str], frozenset[int]] = {
    (TRUE, ALWAYS): frozenset({3}),
    (TRUE, GENERALLY): frozenset({2}),  # curated "generally" means most but not all
    (TRUE, CAN): frozenset({1, 2, 3}),
    (FALSE, ALWAYS): frozenset({0, 1, 2}),
    (FALSE, GENERALLY): frozenset({0, 1}),
    (FALSE, CAN): frozenset({0}),
    (PARTLY_TRUE, ALWAYS): frozenset({1, 2}),
    (PARTLY_TRUE, GENERALLY): frozenset({1, 2}),
    (PARTLY_TRUE, CAN): frozenset({1, 2}),
}

# The quantifier a plain statement inherits from the claim it restates.
IMPLICIT = {ALWAYS: "all", GENERALLY: "often", CAN: "some"}
_LEAST = {"all": 3, "often": 2, "some": 1}


def claim_states(status: str, modality: str, shift: str | None = None) -> frozenset[int]:
    """States a claim allows; `shift` widens them when the statement's object is narrower
    ("narrower") or broader ("broader") than the claim's, for upward-monotone relations, or
    when the claim's relation entails the statement's ("narrower relation": "prevents"
    against "reduces") or the statement's entails the claim's ("broader relation"), and
    mirrors them when the statement swaps the sides of an asymmetric relation ("reversed"),
    and leaves the statement at most the cases the claim leaves when the statement's relation
    is contrary to the claim's ("contrary": lowering it against raising it) or names another
    value of what the claim's object counts ("other value": 24 layers against 12)."""
    states = CLAIM_STATES[(status, modality)]
    if shift in ("narrower", "broader relation"):  # holding for less: not more often
        return frozenset(s for s in STATES if s <= max(states))
    if shift in ("broader", "narrower relation"):  # holding for more: at least as often
        return frozenset(s for s in STATES if s >= min(states))
    if shift == "reversed":  # an asymmetric relation read the other way round
        return frozenset(3 - s for s in states)
    if shift in ("contrary", "other value"):  # "other value": 24 layers against 12
        return shifted(states, "|")
    return states


def statement_states(ops: tuple[str, ...], implicit: str) -> frozenset[int]:
    """States in which a statement with these operators is true.

    Only the outermost quantifier counts: NOT^a Q NOT^b atom. With no quantifier the
    statement restates the claim's own (`implicit`) and every negation stands outside it.
    """
    quantifier_at = next((i for i, op in enumerate(ops) if op in _LEAST), None)
    if quantifier_at is None:
        outer, quantifier, inner = ops.count("not"), implicit, 0
    else:
        quantifier = ops[quantifier_at]
        outer = ops[:quantifier_at].count("not")
        inner = ops[quantifier_at + 1 :].count("not")
    least = _LEAST[quantifier]
    true_in = frozenset(s for s in STATES if (3 - s if inner % 2 else s) >= least)
    return STATES - true_in if outer % 2 else true_in


def decide(allowed: frozenset[int], true_in: frozenset[int], plain_partly: bool) -> tuple[str, str]:
    """(verdict, rule name) for a claim's allowed states and a statement's true states."""
    if plain_partly:
        return PARTLY_TRUE, "restates"
    if allowed <= true_in:
        return TRUE, "entailed"
    if not allowed & true_in:
        return FALSE, "contradicted"
    return "unknown", "undetermined"


def text_states(status: str, modality: str, ops: tuple[str, ...]) -> frozenset[int]:
    """States of a claim text's atom, given the claim's status and the text's own operators
    (a true "X does not need Y" allows the states in which "X needs Y" is false). With no
    operators the curated table speaks; with some, the text's operators do, and a true
    "generally" keeps its curated sense of most but not all."""
    table = CLAIM_STATES[(status, modality)]
    if not ops:
        return table
    said = statement_states(ops, IMPLICIT[modality])
    if status != TRUE:
        return STATES - said
    return (said & table) or said if modality == GENERALLY else said


def shifted(states: frozenset[int], relation: str) -> frozenset[int]:
    """States of the statement's atom, from the claim's, across an alignment's relation:
    forward (the claim entails the statement) holds at least as often, reverse at most as
    often, alternation (they exclude each other) at most in the cases the claim leaves."""
    if relation == "<":
        return frozenset(s for s in STATES if s >= min(states))
    if relation == ">":
        return frozenset(s for s in STATES if s <= max(states))
    if relation == "|":
        return frozenset(s for s in STATES for a in states if s <= 3 - a)
    return states


def judge_alignment(
    status: str,
    modality: str,
    text_ops: tuple[str, ...],
    relation: str,
    ops: tuple[str, ...],
    restricted: bool = False,
) -> tuple[str, str]:
    """(verdict, rule) of a statement aligned with a claim text by `relation`.

    A partly true claim decides only its own restatement (with the text's operators) and the
    "always"/"can" forms the table gives; a condition the statement leaves out is what makes
    it partly true. `restricted`: the statement leaves out where or when the text says the
    relation holds; then only that it holds at all carries over ("the sigmoid is used in LSTM
    gates" says the sigmoid is used, not that it is used often, nor rarely)."""
    if status == PARTLY_TRUE and relation == "=" and ops == text_ops:
        return PARTLY_TRUE, "restates"
    if status == PARTLY_TRUE and (text_ops or relation != "="):
        return "unknown", "undetermined"
    allowed = shifted(text_states(status, modality, text_ops), relation)
    implicit = IMPLICIT[modality]
    if restricted and relation == "<":
        allowed = frozenset(s for s in STATES if s >= min(1, min(allowed)))
        implicit = "some"
    if _quantified(text_ops) and not _quantified(ops):
        # The statement leaves out the text's own "can" or "usually": a plain sentence is
        # then a generic, not a restatement ("GELU gives better accuracy" against "GELU
        # can give better accuracy").
        implicit = "often"
    return decide(allowed, statement_states(ops, implicit), False)


def _quantified(ops: tuple[str, ...]) -> bool:
    return any(op in _LEAST for op in ops)


# The exclusive rule: "X is used only during training" is refuted by a true claim that X is
# also used at inference.
def rival(kb: KnowledgeBase, reading: Reading) -> Claim | None:
    """A true claim that the subject stands in the same relation to another object, one that
    is neither the statement's object nor a kind of it, but an alternative to it (both are
    kinds of one near thing): it refutes an "only". "LeNet only used weight decay" is
    refuted by LeNet's dropout, were there any, not by its 5x5 kernels."""
    near = _near(kb, reading.object)
    for relation in reading.candidates:
        for obj, iri in kb.claims_by_subject.get((reading.subject, relation), ()):
            claim = kb.claims[iri]
            related = obj == reading.object or reading.object in kb.ancestors.get(obj, {})
            if claim.status == TRUE and not related and near & _near(kb, obj):
                return claim
    return None


def _near(kb: KnowledgeBase, concept: str | None) -> set[str]:
    """A concept's broader concepts at most two steps up, and itself."""
    found = {concept} if concept else set()
    for broader, path in kb.ancestors.get(concept, {}).items():
        if len(path) <= 2:
            found.add(broader)
    return found


# The conjunction rule, for "A and B" statements and texts of several sentences.
def weakest(decisions: Sequence):
    """The part that decides a conjunction: a false part, else an unknown one, else a
    partly true one, else the first (every part true)."""
    for verdict in (FALSE, "unknown", PARTLY_TRUE):
        for decision in decisions:
            if decision.verdict == verdict:
                return decision
    return decisions[0]
