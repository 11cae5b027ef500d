"""Reading statements as people write them: every claim text checks to its own status, a
statement is aligned with a claim as a whole, and no verdict comes from a partial reading."""

from __future__ import annotations

import json

import pytest

from checker.align import ALTERNATION, EQUIVALENT, FORWARD, INDEPENDENT, REVERSE, compose
from checker.check import sentences
from kg.knowledge import FALSE, PARTLY_TRUE, TRUE

OPPOSITE = {TRUE: FALSE, FALSE: TRUE}


def _claim_texts(checker):
    claims = sorted(checker.kb.claims.values(), key=lambda c: c.iri)
    return [(c, text) for c in claims for text in (c.label, *c.paraphrases)]


def test_every_claim_text_checks_to_its_own_status(checker):
    """The self-check: a claim's label and each paraphrase, typed back, get its status."""
    pairs = _claim_texts(checker)
    verdicts = checker.check_many([text for _, text in pairs])
    misses = [
        f"{claim.iri} {claim.status}: {text!r} -> {v.verdict} ({v.rule})"
        for (claim, text), v in zip(pairs, verdicts, strict=True)
        if v.verdict != claim.status
    ]
    assert not misses, f"{len(misses)} of {len(pairs)}:\n" + "\n".join(misses[:40])


def test_a_claim_text_denied_checks_to_the_opposite(checker):
    """'It is not true that <claim>' is never judged like the claim itself; a true or false
    claim's denial gets the opposite verdict (a handful of texts whose own cues the
    denial cannot reach stay unknown), a partly true claim's denial is not false."""
    pairs = _claim_texts(checker)
    denied = [f"It is not true that {text[:1].lower()}{text[1:]}" for _, text in pairs]
    same, opposite, decided_pairs = [], 0, 0
    for (claim, text), v in zip(pairs, checker.check_many(denied), strict=True):
        if claim.status == PARTLY_TRUE:
            if v.verdict == FALSE:
                same.append((claim.status, text, v.verdict))
            continue
        decided_pairs += 1
        if v.verdict == claim.status:
            same.append((claim.status, text, v.verdict))
        opposite += v.verdict == OPPOSITE[claim.status]
    assert not same, same[:20]
    assert opposite / decided_pairs >= 0.98


@pytest.mark.parametrize(
    "text",
    [
        # A modifier the graph does not hold is never dropped.
        "Every network has a single output layer",
        "Backpropagation approximates gradients numerically",
        # Two concepts in one sentence are not an is-a claim.
        "When the activation is a step function, gradient descent cannot make progress",
        "A perfect reconstruction does not make a good autoencoder",
        # Naming is not taxonomy read backwards, and "one of the most common" is not "a".
        "One of the most common activation functions is ReLU",
        # A modifier is not its phrase: the definition's "negative log-probability" says
        # nothing of whether cross-entropy can be negative.
        "Cross entropy is never negative",
        # What the graph does not cover is said, not guessed.
        "Self-attention without position encodings ignores token order",
        "Saliency maps not only explain feature contribution but also look nice",
    ],
)
def test_no_verdict_from_a_partial_reading(checker, text):
    assert checker.check(text).verdict == "unknown"


def test_unknown_names_the_words_as_written(checker):
    """ "number" is no comparative of "numb", nor are "reasons" reasoning."""
    verdict = checker.check("Dropout reduces overfitting for a number of reasons")
    assert verdict.verdict == "unknown"
    assert "'numb'" not in verdict.explanation
    assert "reasoning" not in verdict.explanation


def test_unknown_quotes_the_statements_own_words_not_the_graphs_labels(checker):
    text = "Transformers use residual connections to stack many layers efficiently"
    verdict = checker.check(text)
    assert verdict.rule == "unaccounted"
    assert "'many layers'" in verdict.explanation
    assert "multiple hidden layers" not in verdict.explanation


def test_unknown_names_the_words_the_graph_does_not_cover(checker):
    verdict = checker.check("Backpropagation approximates gradients numerically")
    assert verdict.rule == "unaccounted"
    assert "'numerically'" in verdict.explanation
    assert verdict.claim is None and verdict.justification == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The claim's own words, and its paraphrases' words, decide.
        ("Backpropagation estimates gradients with finite differences.", "false"),
        ("Saturated units pass almost no gradient, a main cause of vanishing gradients.", "true"),
        # A trailing modifier of a true claim left out: the statement is broader.
        ("Transfer learning fine-tunes a pre-trained model on a smaller dataset", "true"),
        # The statement's own cues meet the claim's status.
        ("Backpropagation does not estimate gradients with finite differences.", "true"),
        # A universal form of a partly true claim is false; its plain form partly true.
        ("Adam always outperforms SGD.", "false"),
        ("Adam outperforms SGD.", "partly_true"),
        # The claim lives in the modifier: a huge set of training data is a massive dataset.
        ("Deep learning does not require a huge set of training data", "true"),
        # A list joined by commas and "and", its items kinds of one thing, asserts each.
        ("Rotating, flipping and cropping images are forms of data augmentation", "true"),
        ("Image rotation, image flipping and SHAP are forms of data augmentation", "false"),
        # A passive comparison reads the other way round.
        ("Two-layer nets are often beaten by three-layer nets.", "true"),
        # Naming phrases link two names of one concept, or two that exclude each other.
        ("LSTM stands for long short-term memory.", "true"),
        ("ReLU is short for rectified linear unit.", "true"),
        ("GRU stands for long short-term memory.", "false"),
        ("Batch normalization is short for layer normalization.", "false"),
        # A statement put as how a thing is called, or as known, says what follows.
        (
            "When the generalization gap is large, the model is said to overfit the training data.",
            "true",
        ),
        ("It is known that dropout increases overfitting.", "false"),
        # An author list cut short is the first author's group, as "et al." says.
        ("ELMo was proposed by Matthew Peters and colleagues.", "true"),
    ],
)
def test_statement_aligned_with_a_claim_text(checker, text, expected):
    assert checker.check(text).verdict == expected


def test_a_contrary_relation_is_refuted_by_a_true_claim(checker):
    """Raising and lowering a thing exclude each other (dlc:contraryTo): the true claim that
    weight decay reduces overfitting refutes that it increases it, and says why."""
    verdict = checker.check("Weight decay increases overfitting")
    assert verdict.verdict == "false"
    assert verdict.claim.label.startswith("Weight decay generally reduces overfitting")
    assert '"reduces" excludes "increases"' in verdict.explanation
    assert checker.check("Weight decay does not increase overfitting").verdict == "true"


@pytest.mark.parametrize(
    "text",
    [
        # Only a true claim speaks: "pooling reduces the channels" is false, and that says
        # nothing of whether pooling increases them.
        "Pooling increases the number of channels",
        # A partly true claim of the contrary relation decides nothing either.
        "Batch normalization increases internal covariate shift",
    ],
)
def test_a_contrary_relation_of_a_claim_not_true_decides_nothing(checker, text):
    assert checker.check(text).verdict == "unknown"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A word after a concept naming the kind of thing it is repeats the concept.
        ("The ReLU function outputs zero for negative inputs", "true"),
        ("LSTM networks use gates", "true"),
        ("The GELU activation function can give better accuracy than ReLU", "true"),
        # Leaving out the claim text's own "can" makes a generic the claim does not decide.
        ("The GELU activation function gives better accuracy than ReLU", "unknown"),
    ],
)
def test_kind_words_and_dropped_modals(checker, text, expected):
    assert checker.check(text).verdict == expected


def test_naming_is_read_as_what_the_name_means(checker):
    """ "X is called Y" says that Y is X: the hidden layer's definition decides it, and the
    explanation says how the statement was read. "The input and the output layer" is the
    input layer and the output layer."""
    verdict = checker.check(
        "The layer between the input and the output layer is called the hidden layer."
    )
    assert verdict.verdict == "true"
    assert verdict.explanation.startswith(
        'Read as "Hidden layer is the layer between the input and the output layer".'
    )
    assert checker.check("Max and average pooling have no parameters").verdict == "true"


def test_a_verb_said_twice_is_two_predicates(checker):
    """ "Reducing X reduces Y" says two things; the claim that more capacity reduces
    underfitting accounts for one "reduce" only, and confirming the sentence was wrong."""
    verdict = checker.check("Reducing model complexity reduces underfitting.")
    assert verdict.verdict == "unknown"
    assert verdict.rule == "unaccounted"
    assert checker.check("Weight decay reduces overfitting.").verdict == "true"


def test_one_way_to_do_something_is_read_as_can_do_it(checker):
    """ "X is one way to V Y" says that X can V Y: true where the graph holds that X Vs Y,
    and never false from a claim that X does not (a "can" is not refuted by a generic)."""
    verdict = checker.check("Weight decay is one way to reduce overfitting.")
    assert verdict.verdict == "true"
    assert verdict.explanation.startswith('Read as "Weight decay can reduce overfitting".')
    assert checker.check("Dropout is one way to increase overfitting.").verdict == "unknown"


def test_a_dropped_trailing_clause_takes_its_negation_with_it(checker):
    """The definition "a layer between ..., whose values the training data do not specify"
    holds of a statement that leaves the whole relative clause out: its "not" is the
    clause's, not the definition's."""
    verdict = checker.check(
        "A hidden layer is a layer between the input layer and the output layer"
    )
    assert verdict.verdict == "true"


def test_a_false_clause_makes_the_sentence_false(checker):
    """ "A because B" says A and B: a false clause refutes the whole sentence, named."""
    verdict = checker.check(
        "Transformers use batch normalization because it works better than layer "
        "normalization on text."
    )
    assert verdict.verdict == "false"
    assert verdict.explanation.startswith(
        "A cause construction, read in 2 parts (1 false, 1 unknown); the text stands or falls "
        'with part 1: It says "Transformers use batch normalization". False:'
    )
    assert verdict.sentences == ()  # one sentence, read in two clauses


def test_clauses_joined_by_but_hold_together(checker):
    verdict = checker.check("Dropout reduces overfitting, but weight decay reduces overfitting.")
    assert verdict.verdict == "true"


def test_true_clauses_do_not_confirm_a_because(checker):
    """The graph holds both clauses but not that one is why the other holds."""
    verdict = checker.check("Dropout reduces overfitting because weight decay reduces overfitting.")
    assert verdict.verdict == "unknown"
    assert verdict.rule == "unlinked"
    assert "does not say that one is why the other holds" in verdict.explanation


@pytest.mark.parametrize(
    "text",
    [
        "Dropout is used at inference time, just like batch normalization.",
        "Dropout is used at inference time rather than during training.",
    ],
)
def test_a_contrast_adjunct_left_aside_can_refute(checker, text):
    """ "S, like X" and "S rather than X" say S and more: a false S refutes them."""
    verdict = checker.check(text)
    assert verdict.verdict == "false"
    assert verdict.explanation.startswith(
        'The statement says at least "Dropout is used at inference time".'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "Unlike X, S" says S, and that S does not hold of X: the sigmoid is not symmetric.
        ("Unlike the sigmoid, the tanh function is point-symmetric about the origin.", "true"),
        ("The tanh function, unlike the sigmoid, is point-symmetric about the origin.", "true"),
        ("The tanh function is point-symmetric about the origin, unlike the sigmoid.", "true"),
        # Dropout reduces overfitting too: the contrast is false.
        ("Unlike dropout, weight decay reduces overfitting.", "false"),
        # The graph says nothing of dropout's symmetry: one part undecided, no verdict.
        ("Unlike dropout, the tanh function is point-symmetric about the origin.", "unknown"),
    ],
)
def test_unlike_says_the_contrary_of_the_other(checker, text, expected):
    assert checker.check(text).verdict == expected


def test_the_contrary_part_is_named(checker):
    verdict = checker.check("Unlike dropout, weight decay reduces overfitting.")
    assert 'It says that "Dropout reduces overfitting" does not hold. True:' in verdict.explanation
    assert verdict.explanation.startswith("A contrast construction, read in 2 parts")
    assert verdict.explanation.endswith("(rule: contradicted)")
    # A true sentence quotes each part, and no "Instead:" from the contrary part's claim.
    verdict = checker.check(
        "Unlike the sigmoid, the tanh function is point-symmetric about the origin."
    )
    assert verdict.explanation.startswith(
        'A contrast construction, read in 2 parts, each true: It says "The tanh function is'
    )
    assert 'It says that "The sigmoid is point-symmetric about the origin" does not hold.' in (
        verdict.explanation
    )
    assert "Instead:" not in verdict.explanation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "Like X, S" says S of both.
        ("Like dropout, weight decay reduces overfitting.", "true"),
        ("Weight decay, like dropout, reduces overfitting.", "true"),
        ("Like dropout, weight decay increases overfitting.", "false"),
        ("Like the tanh function, weight decay reduces overfitting.", "unknown"),
    ],
)
def test_like_says_the_same_of_both(checker, text, expected):
    assert checker.check(text).verdict == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A relative clause speaks of the concept before it: ReLU is cheap, not a squasher.
        (
            "In hidden layers the sigmoid has largely been replaced by ReLU, which is cheap to "
            "compute.",
            "true",
        ),
        (
            "In hidden layers the sigmoid has largely been replaced by ReLU, which is a "
            "squashing function.",
            "false",
        ),
        (
            "In hidden layers the sigmoid has largely been replaced by ReLU, which is popular "
            "with musicians.",
            "unknown",
        ),
    ],
)
def test_a_relative_clause_is_said_of_the_concept_before_it(checker, text, expected):
    assert checker.check(text).verdict == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A trailing participle clause is said of the sentence's subject.
        ("Weight decay shrinks the weights towards zero, reducing overfitting.", "true"),
        ("Weight decay shrinks the weights towards zero, increasing overfitting.", "false"),
        ("Weight decay shrinks the weights towards zero, delighting musicians.", "unknown"),
    ],
)
def test_a_participle_clause_is_said_of_the_subject(checker, text, expected):
    assert checker.check(text).verdict == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A gloss says what the concept before it is, in brackets or between commas.
        ("ReLU has largely replaced the sigmoid (a squashing function) in hidden layers.", "true"),
        ("ReLU, a squashing function, has largely replaced the sigmoid in hidden layers.", "false"),
        ("ReLU has largely replaced the sigmoid (a linear function) in hidden layers.", "unknown"),
    ],
)
def test_a_gloss_says_what_its_concept_is(checker, text, expected):
    assert checker.check(text).verdict == expected


def test_a_causal_link_one_claim_text_states_confirms(checker):
    """The graph's text says both parts, linked by a colon: the "because" is confirmed."""
    verdict = checker.check(
        "Skip-gram and continuous bag of words are self-supervised models, because their "
        "supervision comes from unlabelled text."
    )
    assert verdict.verdict == "true"
    assert verdict.explanation.startswith(
        'Read as "Skip-gram and continuous bag of words are self-supervised models: their '
        'supervision comes from unlabelled text", both parts linked.'
    )


def test_a_fronted_since_is_confirmed_only_by_a_linked_claim(checker):
    """Both parts hold, but no claim text says that one is why the other holds."""
    verdict = checker.check("Since weight decay reduces overfitting, dropout reduces overfitting.")
    assert (verdict.verdict, verdict.rule) == ("unknown", "unlinked")
    assert verdict.explanation.startswith(
        "Unknown: each part holds, but no claim text states them linked (rule: unlinked)."
    )
    verdict = checker.check(
        "Since weight decay reduces overfitting, dropout increases overfitting."
    )
    assert verdict.verdict == "false"


def test_a_causal_link_held_only_in_part_decides_nothing(checker):
    """The graph holds "works by reducing internal covariate shift" as partly true: the link
    is in doubt, and no part decides the sentence on its own."""
    verdict = checker.check(
        "Batch normalization works because it reduces internal covariate shift."
    )
    assert verdict.verdict == "unknown"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "not A but B" denies A alone: it says what "B rather than A" says.
        ("Galactica was not trained on a general corpus but on scientific text.", "true"),
        # ... and the other way round names the corpus Galactica was not trained on as its
        # own: the graph holds no claim that it was trained on a general corpus.
        ("Galactica was not trained on scientific text but on a general corpus.", "unknown"),
        # "There is no X without Y": the two negations cancel, X needs Y.
        ("There is no machine learning without data.", "true"),
        ("There is no data science and no machine learning without data.", "true"),
    ],
)
def test_a_negation_that_is_only_part_of_the_sentence(checker, text, expected):
    assert checker.check(text).verdict == expected


def test_what_follows_rather_than_is_not_the_object(checker):
    """ "trained on A rather than B" says nothing of B as what it was trained on: the graph's
    "trained on B rather than A" does not confirm it."""
    swapped = "Galactica was trained on a general corpus rather than scientific text."
    assert checker.check(swapped).verdict == "unknown"
    said = "Galactica was trained on scientific text rather than a general corpus."
    assert checker.check(said).verdict == "true"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A quiz option answering its question: "No," denies nothing of what follows.
        ("No, batch norm has no learnable parameters", "false"),
        ("Yes, batch normalization has learnable parameters.", "true"),
    ],
)
def test_an_answer_word_opening_a_sentence_is_no_negation(checker, text, expected):
    assert checker.check(text).verdict == expected


@pytest.mark.parametrize(
    ("text", "expected", "why"),
    [
        # A true claim of a relation that entails the statement's (rdfs:subPropertyOf):
        # what keeps units from co-adapting reduces their co-adaptation.
        ("Dropout reduces co-adaptation.", "true", '"prevents" implies "reduces"'),
        # A false claim of a relation the statement's entails: what LeNet does not use, it
        # does not require.
        ("LeNet requires ReLU activations.", "false", '"requires" implies "uses"'),
    ],
)
def test_a_relation_that_entails_another_decides_it(checker, text, expected, why):
    verdict = checker.check(text)
    assert verdict.verdict == expected
    assert why in verdict.explanation


def test_a_relation_entailed_says_nothing_the_other_way(checker):
    """That LeNet does not use ReLU says nothing of what it needs; a false "requires" claim
    never refutes "uses": deep learning does not require GPUs, yet it may use them."""
    assert checker.check("Deep learning uses GPUs.").verdict == "unknown"


def test_a_definition_decides_what_a_concept_is(checker):
    concept = checker.kb.concepts["https://w3id.org/dlcheck/kg/concept/hidden-layer"]
    said = concept.definition.rstrip(".")
    verdict = checker.check(f"A hidden layer is {said[:1].lower()}{said[1:]}")
    assert verdict.verdict == "true"
    assert verdict.justification[-1].label.startswith("hidden layer is defined as")
    assert verdict.sources and verdict.sources[0].iri == concept.source


def test_the_correction_never_restates_the_users_statement(checker):
    verdict = checker.check("Dropout is used at inference time.")
    assert verdict.verdict == "false"
    correction = checker.kb.claims[verdict.claim.corrected_by[0]].label.rstrip(".")
    assert f'Instead: "{correction}"' in verdict.explanation
    again = checker.check(correction)
    assert "Instead" not in again.explanation


def test_several_sentences_are_checked_one_by_one(checker):
    first, second = (
        "Dropout is used at inference time.",
        "Backpropagation computes gradients with the chain rule.",
    )
    verdict = checker.check(f"{first} {second}")
    assert [v.text for v in verdict.sentences] == [first, second]
    assert verdict.sentences[0].verdict == "false"
    assert verdict.verdict == "false"  # one false sentence makes the text false
    data = json.loads(json.dumps(verdict.as_dict()))
    assert [s["text"] for s in data["sentences"]] == [first, second]
    assert set(data) >= {"text", "verdict", "claim", "reading", "cues", "justification"}


def test_cue_offsets_of_later_sentences_point_into_the_whole_text(checker):
    text = "Dropout is used at inference time. Deep learning never requires GPUs."
    verdict = checker.check(text)
    cues = verdict.as_dict()["cues"]
    assert cues and all(text[c["start"] : c["end"]] == c["text"] for c in cues)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Goodfellow et al. (2015) argue that it works. Then it fails.", 2),
        ("A value such as 3.5 is small. Next one.", 2),
        ("Use e.g. Adam for this.", 1),
        ("Deep learning is only for experts: beginners cannot build models.", 2),
        ("G. Hinton said so.", 1),
    ],
)
def test_sentences_split_where_a_sentence_ends(text, count):
    assert len(sentences(text)) == count


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        ([EQUIVALENT, EQUIVALENT], EQUIVALENT),
        ([EQUIVALENT, FORWARD, FORWARD], FORWARD),
        ([REVERSE], REVERSE),
        ([FORWARD, REVERSE], INDEPENDENT),
        ([FORWARD, ALTERNATION], ALTERNATION),
        ([ALTERNATION, REVERSE], ALTERNATION),
        ([ALTERNATION, ALTERNATION], INDEPENDENT),
        ([INDEPENDENT, EQUIVALENT], INDEPENDENT),
    ],
)
def test_edits_compose_by_the_join_table(edits, expected):
    assert compose(edits) == expected


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("backpropogation", "backpropagation"),  # one edit, long word
        ("convolutonal", "convolutional"),
        ("dropuot", "dropout"),  # a transposition counts as one edit
        ("overfiting", "overfitting"),
    ],
)
def test_a_typo_of_a_label_word_is_read_as_the_word(checker, typo, meant):
    assert checker.speller.correct(typo) == meant


@pytest.mark.parametrize("word", ["later", "models", "generalisation", "layer", "relu"])
def test_real_words_and_short_words_are_never_corrected(checker, word):
    assert checker.speller.correct(word) is None


def test_the_explanation_says_how_a_typo_was_read(checker):
    verdict = checker.check("Dropuot is used at inference time.")
    assert verdict.verdict == "false"
    assert verdict.explanation.startswith("Read 'Dropuot' as dropout.")


def test_an_excluded_family_makes_an_is_a_statement_false(checker):
    verdict = checker.check("SHAP is a data augmentation technique")
    assert verdict.verdict == "false"
    assert "interpretability technique" in verdict.explanation
    assert any(e.predicate.endswith("#excludes") for e in verdict.justification)


def test_images_are_not_structured_data(checker):
    """Image data is unstructured data, which excludes tabular (structured) data; the
    explanation names only the family the statement's own concept belongs to."""
    verdict = checker.check("Images are an example of structured data")
    assert verdict.verdict == "false"
    assert verdict.explanation.startswith(
        "False: image data is a kind of unstructured data, and the graph says unstructured "
        "data and tabular data exclude each other"
    )


def test_a_partly_true_claim_is_called_partly_true_with_its_condition(checker):
    verdict = checker.check("Adam outperforms SGD.")
    claim = verdict.claim
    assert (verdict.verdict, claim.status) == ("partly_true", "partly_true")
    assert f"Only in part: {claim.condition.rstrip('.')}." in verdict.explanation
    assert "Instead" not in verdict.explanation  # nothing is wrong to correct


def test_a_label_with_a_cue_word_in_it_is_read_word_for_word(checker):
    """ "fully" is a quantifier cue, but in "fully convolutional network" it is part of the
    name: read past, the statement was about all convolutional networks, and a claim about
    CNNs in general made "FCNs do without them" false."""
    verdict = checker.check("Fully convolutional networks do without them.")
    assert verdict.verdict == "unknown"
    assert "recognised fully convolutional network" in verdict.explanation
    assert "quantifier" not in {c.kind for c in verdict.cues}  # the label took "fully"
    verdict = checker.check("Fully convolutional networks have fully connected layers.")
    assert verdict.verdict == "false"
    assert verdict.claim.label.startswith("A fully convolutional network ends with")


def test_an_article_inside_a_label_is_read_past(checker):
    """ "the derivative of the ReLU function" names the concept labelled "derivative of
    ReLU"; "pre-train a model" is still no pre-trained model (only after "of", "for" ...)."""
    for text in (
        "The derivative of the ReLU function is 1 for positive inputs.",
        "The derivative of the ReLU is 1 for positive inputs.",
    ):
        # Read right, the statement is either decided by a claim about the derivative of ReLU
        # (the graph holds its value on each side of zero) or left unknown with it recognised.
        verdict = checker.check(text)
        assert "recognised derivative of ReLU" in verdict.explanation or (
            verdict.claim is not None and "derivative of ReLU" in verdict.claim.label
        )
    assert checker.check("You need labeled data to pre-train a model.").verdict != "false"


def test_a_partly_true_claim_says_nothing_of_one_kind_of_its_subject(checker):
    """ "Positional encodings are learned" holds of some kinds and not of others: it made
    "sinusoidal encodings have no learned parameters" false; the claim about the kind
    itself decides it."""
    verdict = checker.check("The sinusoidal position encodings have no learned parameters.")
    assert verdict.verdict == "true"
    assert "partly" not in verdict.explanation
    assert checker.check("Positional encodings are learned parameters.").verdict == "partly_true"


def test_a_padding_of_zero_is_not_split_into_a_padding(checker):
    """No trailing part starts at "of" (binding_words): "uses a padding | of 0" read as
    "uses a padding" was refuted by "the padding is 0 by default"."""
    verdict = checker.check("By default, convolutions use a padding of 0 and a stride of 1.")
    assert verdict.verdict != "false"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # What unsupervised learning does not need, it does not need in a narrower kind
        # either: the statement entails the false claim and falls with it.
        ("Unsupervised learning requires large labelled datasets.", "false"),
        # A true claim says nothing of a narrower object: transformers need positional
        # encodings, not necessarily learned ones.
        ("Transformers require learned positional encodings.", "unknown"),
        # Denied, it holds: what is not needed at all is not needed in a narrower kind.
        ("Unsupervised learning does not require large labelled datasets.", "true"),
        # Under another operator the entailment may turn round: left undecided.
        ("Unsupervised learning rarely requires large labelled datasets.", "unknown"),
    ],
)
def test_a_modifier_narrowing_the_object_falls_only_with_a_false_claim(checker, text, expected):
    verdict = checker.check(text)
    assert verdict.verdict == expected
    if expected != "unknown":
        assert "The statement says more ('large')" in verdict.explanation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AlexNet's first convolutional layer has large 11x11 filters.", "true"),
        ("LeNet has ReLU activations.", "false"),
    ],
)
def test_has_reads_as_uses_for_what_a_model_is_built_with(checker, text, expected):
    """ "X has Y" of an architecture is what the graph holds as "X uses Y" (no claim text
    says "has" here)."""
    verdict = checker.check(text)
    assert verdict.verdict == expected
    assert verdict.claim.relation.endswith("#uses")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "Used in LSTM gates" says the sigmoid is used at all ...
        ("The sigmoid is never used.", "false"),
        # ... but not how often it is used once where it is used is left out: these were
        # TRUE from claims about one place each is used in.
        ("ReLU is always used.", "unknown"),
        ("Luong attention is always used.", "unknown"),
    ],
)
def test_leaving_out_where_a_claim_holds_keeps_only_that_it_holds(checker, text, expected):
    assert checker.check(text).verdict == expected


@pytest.mark.parametrize(
    "text",
    [
        # One denial over a list: a second "not" from "nor" or "and no" cancelled the first,
        # and "The Transformer contains recurrent layers" came back TRUE from such a text.
        "The Transformer contains neither recurrent nor convolutional layers.",
        "The input layer applies no weights and no activation function.",
    ],
)
def test_a_denial_over_a_list_is_one_negation(checker, text):
    assert checker.check(text).as_dict()["reading"]["negated"] is True


def test_a_verb_is_not_read_as_a_concept_labelled_by_its_plural(checker):
    """ "switched off" was read as the pooling "switches" (an altLabel the lemma table shares
    with the verb), and the statement came back unknown."""
    assert checker.check("At inference dropout is switched off.").verdict == "true"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "S and is ..." says the second predicate of S's subject too.
        ("Dropout reduces overfitting and is applied during training.", "true"),
        ("Dropout reduces overfitting and is used at inference time.", "false"),
        ("Dropout reduces overfitting and is loved by musicians.", "unknown"),
    ],
)
def test_a_second_predicate_is_said_of_the_subject(checker, text, expected):
    assert checker.check(text).verdict == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A part is read by its own kind, one level deeper: "ReLU is cheap to compute and a
        # piecewise linear function" is two predicates of ReLU. ("simpler" no longer reads as
        # the concept "computationally cheap": a loose label, dropped in session 12.)
        (
            "In hidden layers the sigmoid has largely been replaced by ReLU, which is cheap to "
            "compute and a piecewise linear function.",
            "true",
        ),
        (
            "In hidden layers the sigmoid has largely been replaced by ReLU, which is cheap to "
            "compute and a squashing function.",
            "false",
        ),
        (
            "In hidden layers the sigmoid has largely been replaced by ReLU, which is cheap to "
            "compute and popular with musicians.",
            "unknown",
        ),
    ],
)
def test_a_part_of_a_part_is_read_too(checker, text, expected):
    assert checker.check(text).verdict == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A fronted phrase of purpose, time or condition is read where the graph's texts put
        # it, at the end: each of these was unknown.
        ("To reduce overfitting, AlexNet used dropout in the fully connected layers.", "true"),
        ("With small batches, layer normalization fails.", "false"),
        # A rest with an "and" of its own stays as it is: moved to the end, the fronted phrase
        # would reach only the last clause ("... are averaged with Monte Carlo dropout"), and
        # "dropout stays on at test time" alone is false: it came back FALSE.
        (
            "With Monte Carlo dropout, dropout stays on at test time and the predictions are"
            " averaged.",
            "unknown",
        ),
    ],
)
def test_a_fronted_phrase_is_read_at_the_end(checker, text, expected):
    assert checker.check(text).verdict == expected


@pytest.mark.parametrize(
    "text",
    [
        # The act of using a technique, said first, says what the technique does; the gerund
        # was read as a relation of its own ("using" is "uses") and left unaccounted.
        "Using weight decay generally raises the training error.",
        "Employing batch normalization allows higher learning rates.",
        "Training with weight decay generally raises the training error.",
    ],
)
def test_a_statement_opening_with_using_a_technique_is_about_the_technique(checker, text):
    verdict = checker.check(text)
    assert verdict.verdict == "true"
    assert verdict.explanation.startswith("Read as ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "The output of X" is what the graph's texts call "X output": both were unknown, the
        # noun "outputs" read as the verb before its subject.
        ("The outputs of a softmax are never negative.", "true"),
        ("The output of the sigmoid is zero-centred.", "false"),
    ],
)
def test_the_output_of_a_function_is_its_output(checker, text, expected):
    assert checker.check(text).verdict == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The concept "learned independently" names what the cue "independently of" would
        # deny; read twice, the claim text "Channels are learned independently of each other"
        # held a denial, and these came back the other way round.
        ("Channels are learned independently.", "false"),
        ("It is not true that channels are learned independently.", "true"),
        # A generic use of padding is no myth "of any amount always" (it came back FALSE).
        ("Padding keeps the output the same size as the input.", "true"),
    ],
)
def test_a_cue_sharing_a_word_with_a_concept_is_read_once(checker, text, expected):
    assert checker.check(text).verdict == expected


def test_an_object_is_not_read_past_a_clause_of_its_own(checker):
    """ "fixing the dying ReLU problem" says what leaky ReLU fixes; read as the object of
    "allows", it came back FALSE against the claim that leaky ReLU prevents it."""
    text = "Leaky ReLU allows a small gradient for negative inputs, fixing the dying ReLU problem."
    assert checker.check(text).verdict != "false"


@pytest.mark.parametrize(
    "text, concept",
    [
        # Ordinary words that loose labels read as a specific concept (bench/loose_labels.py
        # lists such labels): the explanation named the concept and no claim was found.
        (
            "With a constant learning rate, stochastic gradient descent keeps fluctuating near "
            "the minimum because of gradient noise.",
            "s9k1-constant-function",
        ),
        (
            "The cost of each full gradient descent iteration grows linearly with the number of "
            "training examples.",
            "s8k2-linear-power-growth",
        ),
        (
            "Many functions can be approximated much more compactly by deeper networks than by "
            "wider ones.",
            "approximate-search",
        ),
        (
            "The ReLU activation function keeps positive inputs unchanged and sets negative "
            "inputs to zero.",
            "s8k7-always-positive-inputs",
        ),
        (
            "The derivative of the tanh function approaches its maximum of 1 as the input nears 0.",
            "perfect-score-one",
        ),
        (
            "With momentum parameter beta, the effective number of averaged gradients is about "
            "one over one minus beta.",
            "numeric-representation",
        ),
        (
            "With momentum parameter beta, the effective number of averaged gradients is about "
            "one over one minus beta.",
            "numerical-values",
        ),
        (
            "Momentum is especially effective on ill-conditioned problems.",
            "s8k3-works-well-in-practice",
        ),
        (
            "Averaging the gradient over a minibatch of size b reduces its standard deviation "
            "by a factor of the square root of b.",
            "s8k7-network-size",
        ),
    ],
)
def test_ordinary_words_are_not_read_as_a_specific_concept(checker, text, concept):
    iri = f"https://w3id.org/dlcheck/kg/concept/{concept}"
    said = checker.check(text).as_dict()
    del said["text"]
    assert iri not in json.dumps(said)
    assert checker.kb.concepts[iri].label not in said["explanation"]


def test_a_statement_read_past_a_loose_label_finds_its_claim(checker):
    """ "Collecting more training data" was the cost of collecting it, and "mitigate
    overfitting" a concept of its own (closing the generalization gap)."""
    verdict = checker.check("Collecting more training data is one way to mitigate overfitting.")
    assert verdict.verdict == "true"
    assert "More training data generally reduces overfitting" in verdict.explanation
