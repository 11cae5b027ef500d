"""Statements read by the triple route alone: each is one of a claim's own paraphrases,
checked against an index that lacks it (as `bench/paraphrase_holdout.py` does for every
claim), so the verdict cannot come from the text itself. Each row was a wrong verdict
there once."""

import copy

import pytest

from checker.align import ClaimIndex, ClaimsAndDefinitions, read_claim_texts
from checker.memo import DecisionCache

KG = "https://w3id.org/dlcheck/kg/claim/"

HELD_OUT = [
    # A partly true "always" claim restated with "every": partly true, not false.
    (
        "consistent-is-unbiased",
        "Every consistent estimator is an unbiased estimator.",
        "partly_true",
    ),
    # A plain partly true claim said with "completely" is the myth of its own: false.
    (
        "relu-prevents-vanishing-gradient",
        "The vanishing gradient problem is completely solved by ReLU.",
        "false",
    ),
    # The claim's label has the statement's own quantifiers ("typically ... every"): true.
    (
        "s8k1-dnn-fit-millions",
        "For classification problems, deep networks typically perfectly fit every training"
        " example.",
        "true",
    ),
    # The label says "all" twice ("all physical CPUs ... all CPU cores"): one "all" restates it.
    ("s9k2-cpu-device-all-cores", "The cpu device uses all CPU cores.", "true"),
    # "any number of" is an amount, not a quantifier of the statement.
    (
        "s7e-multiple-servers-constant-scaling",
        "Several parameter servers allow scaling to any number of workers.",
        "true",
    ),
    # "include" may name a part: no exclusion between kinds refutes it.
    (
        "s8k1-loss-can-include-penalty",
        "The objective function can include a penalty term.",
        "true",
    ),
    # "sinusoidal" is in the correction of "positional encodings are learned", not in that
    # claim: the correction accounts for no word of the statement.
    (
        "sinusoidal-encoding-is-parameter-free",
        "The sinusoidal position encodings have no learned parameters.",
        "unknown",
    ),
]


@pytest.fixture(scope="module")
def held_out_checker(checker):
    """The session's checker with a claim index of the rows' claims' texts, less the rows'
    statements, and a decision cache of its own."""
    kb = checker.kb
    claims = [kb.claims[KG + name] for name, _, _ in HELD_OUT]
    statements = {text for _, text, _ in HELD_OUT}
    read = read_claim_texts(
        checker.nlp, checker.scanner, claims, read_as=checker.read_as, preload=False
    )
    texts = [t for _, found in read for t in found if t.text not in statements]
    held_out = copy.copy(checker)
    held_out.index = ClaimIndex.of(kb, texts, ClaimsAndDefinitions(kb))
    held_out._cache = DecisionCache(1000)
    return held_out


@pytest.mark.parametrize(("claim", "text", "verdict"), HELD_OUT)
def test_held_out_paraphrase(held_out_checker, claim, text, verdict):
    result = held_out_checker.check(text)
    assert result.verdict == verdict, result.explanation
