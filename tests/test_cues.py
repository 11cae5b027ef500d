"""Cue rules are data with one schema; the cue component finds cues and their scopes."""

from __future__ import annotations

import json

import pytest

from checker.clauses import clauses, load_clause_kinds, load_connectives, matching_kinds
from checker.cues import CueRule, CueRuleError, load_rules, load_word_lists, read_rule_file
from checker.rephrase import load_rephrasings, rephrase


def test_bundled_rules_round_trip_through_the_schema():
    rules = load_rules()
    assert len(rules) > 100
    for rule in rules:
        assert CueRule.from_dict(rule.to_dict()) == rule


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"literal": "not", "category": "negation", "polarity": "-"}, "unknown key"),
        ({"category": "negation"}, "exactly one of literal or pattern"),
        ({"literal": "not", "category": "denial"}, "category must be one of"),
        ({"literal": "not", "category": "negation", "ops": ["nope"]}, "ops may hold only"),
        ({"literal": "is false", "category": "negation", "direction": "up"}, "direction"),
    ],
)
def test_malformed_rules_are_rejected_with_the_expected_keys(data, message):
    with pytest.raises(CueRuleError, match=message):
        CueRule.from_dict(data)


def test_unreadable_rule_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "rules.json"
    bad.write_text("{not json")
    with pytest.raises(CueRuleError, match="cannot read cue rules"):
        load_rules(bad)
    bad.write_text(json.dumps({"rules": {"literal": "x"}}))
    with pytest.raises(CueRuleError, match="expected a list"):
        load_rules(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Deep learning does not require GPUs", [("not", "negation")]),
        ("Deep learning can't work without GPUs", [("can't", "negation"), ("without", "negation")]),
        ("Deep learning never needs GPUs", [("never", "negation")]),
        (
            "Deep learning models are not necessarily black boxes",
            [("not", "negation"), ("necessarily", "quantifier")],
        ),
        ("It might generally need data", [("might", "hedge"), ("generally", "quantifier")]),
        (
            "Deep learning is not only powerful but also flexible",
            [("not only powerful but also", "pseudo")],
        ),
        # "almost all" leaves exceptions (read as "often"), and "any number of" is an amount
        ("Almost all deep networks are trained with SGD", [("Almost all", "quantifier")]),
        ("It scales to any number of workers", [("any number of", "pseudo")]),
    ],
)
def test_cues_found(checker, text, expected):
    doc = checker.nlp(text)
    text = doc.text
    found = [(text[c.start_char : c.end_char], c.kind) for c in doc._.cues if c.kind != "filler"]
    assert found == expected


def test_scope_stops_at_a_terminator(checker):
    doc = checker.nlp("Deep learning does not need GPUs, but training is slower without them")
    negation = next(c for c in doc._.cues if doc.text[c.start_char : c.end_char] == "not")
    but = next(t.i for t in doc if t.text == "but")
    assert negation.scope_start == negation.end and negation.scope_end == but


def test_negation_after_the_clause_does_not_flip_the_verdict(checker):
    result = checker.check(
        "Deep learning requires massive datasets, but transfer learning does not"
    )
    # The trailing "does not" belongs to the second clause, which the graph does not
    # account for: the statement is never read as the denial of the first one.
    assert result.verdict in ("false", "unknown")


def test_rephrasings_rewrite_a_whole_sentence():
    rephrasings = load_rephrasings()
    said = rephrase("The layer after the input is called the hidden layer.", rephrasings)
    assert said == ("Hidden layer is the layer after the input", False)
    said = rephrase("Unlike the sigmoid, tanh is zero-centred.", rephrasings)
    assert said == ("Tanh is zero-centred", True)  # it says more: it can only refute
    assert rephrase("ReLU is an activation function", rephrasings) is None


def test_a_bad_rephrasing_pattern_is_a_clear_error(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text('{"rules": [], "rephrasings": [{"pattern": "(?P<x>", "as": "{x}"}]}')
    with pytest.raises(CueRuleError, match="rephrasing 1"):
        load_rephrasings(path)


def test_connectives_split_a_sentence_into_the_clauses_it_asserts():
    connectives = load_connectives()
    pieces, causal = clauses("ReLU is cheap, but it can die.", connectives)
    assert [clause for _, clause in pieces] == ["ReLU is cheap", "it can die."]
    assert not causal
    assert clauses("Dropout helps because it adds noise", connectives)[1]
    # "not only A, but also B" is one construction, not two clauses.
    assert clauses("Saliency maps not only explain, but also look nice", connectives) is None


def test_a_clause_opening_with_it_speaks_of_the_sentences_subject(checker):
    result = checker.check("Tanh is zero-centred, whereas it is not symmetric about the origin.")
    assert result.verdict == "false"
    assert "Read 'it' as 'Tanh'." in result.explanation
    # The negation is shown where the user wrote it, not where the rewritten clause has it.
    text = result.text
    assert [text[c.start_char : c.end_char] for c in result.cues] == ["not"]
    assert checker.check("Tanh is zero-centred, but it is symmetric about the origin.").verdict == (
        "true"
    )


def test_clause_kinds_match_a_whole_sentence():
    kinds = load_clause_kinds()
    names = [
        kind.name for kind, _ in matching_kinds("Unlike the sigmoid, tanh is zero-centred.", kinds)
    ]
    assert names[0] == "contrast"
    kind, groups = matching_kinds("Dropout helps because it adds noise.", kinds)[0]
    assert (kind.name, kind.combine) == ("cause", "linked")
    assert (groups["effect"], groups["reason"]) == ("dropout helps", "it adds noise")
    assert kind.marks.search("Batch normalization works by reducing covariate shift")
    assert not kind.marks.search("Batch normalization reduces covariate shift")
    assert matching_kinds("ReLU is an activation function.", kinds) == []
    # A line break inside a statement is white space, for the patterns too.
    assert matching_kinds("Dropout helps\nbecause it adds noise.", kinds)[0][0].name == "cause"


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ({"name": "x", "pattern": "(?P<a>.+)"}, "needs 'name', 'pattern' and 'parts'"),
        ({"name": "x", "pattern": "(?P<a>", "parts": []}, "clause kind 1"),
        ({"name": "x", "pattern": "(?P<a>.+)", "parts": [{"as": "{a}"}]}, "two parts or more"),
        (
            {
                "name": "x",
                "pattern": "(?P<a>.+), (?P<b>.+)",
                "parts": [{"as": "{a}"}, {"as": "{c}"}],
            },
            "no group of the pattern",
        ),
        (
            {
                "name": "x",
                "pattern": "(?P<a>.+), (?P<b>.+)",
                "parts": [{"as": "{a}"}, {"as": "{b.verb}"}],
            },
            "no group of the pattern",
        ),
        (
            {
                "name": "x",
                "pattern": "(?P<a>.+), (?P<b>.+)",
                "parts": [{"as": "{a}"}, {"as": "{b}", "negated": True}],
            },
            "may have 'contrary'",
        ),
        (
            {
                "name": "x",
                "pattern": "(?P<a>.+), (?P<b>.+)",
                "parts": [{"as": "{a}"}, {"as": "{b}"}],
                "combine": "any",
            },
            "'combine' must be one of",
        ),
        (
            {
                "name": "x",
                "pattern": "(?P<a>.+), (?P<b>.+)",
                "parts": [{"as": "{a}"}, {"as": "{b}"}],
                "combine": "linked",
                "linked": ["{a}: {b}"],
            },
            "go with 'combine': 'linked'",
        ),
    ],
)
def test_a_bad_clause_kind_is_a_clear_error(tmp_path, kind, error):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"rules": [], "clause_kinds": [kind]}))
    with pytest.raises(CueRuleError, match=error):
        load_clause_kinds(path)


def test_pronouns_must_be_a_list_of_words(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text('{"rules": [], "connectives": {"pronouns": "it"}}')
    with pytest.raises(CueRuleError, match="pronouns"):
        load_connectives(path)


def _lemmas(text: str, rules_file=None) -> list[str]:
    """The lemmas dlcheck's spaCy component (entry point dlcheck_lemmatizer) gives `text`."""
    import spacy

    import checker.lemmatizer  # noqa: F401  (registers the component)

    nlp = spacy.blank("en")
    nlp.add_pipe("dlcheck_lemmatizer", config={"rules_file": rules_file and str(rules_file)})
    return [token.lemma_ for token in nlp(text)]


def test_words_kept_as_they_are_come_from_the_cue_rules(tmp_path):
    """The lemmatizer's not_inflected_words are data: editing the list changes the lemmas a
    word gets at once (the cached lemma table is keyed on the list, never served stale)."""
    text = "The number of layers"
    assert _lemmas(text) == ["the", "number", "of", "layer"]
    _, data = read_rule_file(None)
    kept = set(data["not_inflected_words"])
    assert "number" in kept
    data["not_inflected_words"] = sorted(kept - {"number"} | {"layers"})
    edited = tmp_path / "rules.json"
    edited.write_text(json.dumps(data))
    assert _lemmas(text, edited) == ["the", "numb", "of", "layers"]
    assert _lemmas(text) == ["the", "number", "of", "layer"]  # the bundled list's table stays


def test_a_word_list_that_is_no_list_of_words_is_a_clear_error(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"rules": [], "not_inflected_words": "number"}))
    with pytest.raises(CueRuleError, match="'not_inflected_words' must be a list of words"):
        load_word_lists(path)
