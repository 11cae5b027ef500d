"""The exam solver: stem reading, options to statements, choosing, auditing, batching."""

from __future__ import annotations

import dataclasses

import pytest

from checker.check import Checker
from checker.exam import Option, Question, parse_text
from checker.exam.solver import (
    AGREES,
    AMBIGUOUS,
    ASKS_BEST,
    ASKS_NOT_TRUE,
    ASKS_TRUE,
    CHOSEN,
    NO_KEY,
    SKIPPED,
    UNDECIDED,
    UNSURE,
    ExamSolver,
    asks_for,
    prefix_statement,
    pronoun_statement,
    wanted_answers,
)

C = "https://w3id.org/dlcheck/kg/concept/"


@pytest.fixture(scope="module")
def real_checker(checker):
    return checker  # the session's: building a pipeline per module only costs time


@pytest.fixture(scope="module")
def solver(real_checker):
    return ExamSolver(real_checker)


def solve_one(solver: ExamSolver, gift: str):
    (result,) = solver.solve(parse_text(gift, "gift").questions)
    return result


# -- reading the stem --------------------------------------------------------------------

STEMS = [
    # (stem, asks_for, topic concept)
    ("Which of the following is NOT true about deep learning?", ASKS_NOT_TRUE, "deep-learning"),
    ("Which statement about CNNs is false?", ASKS_NOT_TRUE, "convolutional-neural-network"),
    ("Which of these is incorrect about transfer learning?", ASKS_NOT_TRUE, "transfer-learning"),
    (
        "All of the following are true of data augmentation EXCEPT",
        ASKS_NOT_TRUE,
        "data-augmentation",
    ),
    ("Which of these is a myth about GPUs?", ASKS_NOT_TRUE, "gpu"),
    ("Which is a common misconception of deep learning?", ASKS_NOT_TRUE, "deep-learning"),
    ("Which of the following is NOT a myth about deep learning?", ASKS_TRUE, "deep-learning"),
    ("Which statement about hardware for deep learning is true?", ASKS_TRUE, "deep-learning"),
    ("Which statement about CNNs is correct?", ASKS_TRUE, "convolutional-neural-network"),
    ("Which is an accurate description of few-shot learning?", ASKS_TRUE, "few-shot-learning"),
    ("Which of the following is a fact about SHAP?", ASKS_TRUE, "shap"),
    ("What process do neural networks use to learn?", ASKS_BEST, "neural-network"),
    (
        "Which techniques reduce the amount of data a deep learning model needs? (Choose two.)",
        ASKS_BEST,
        "deep-learning",
    ),
    ("Which statement is false?", ASKS_NOT_TRUE, None),
]


@pytest.mark.parametrize(("stem", "asks", "topic"), STEMS)
def test_stem_reading(solver, stem, asks, topic):
    (reading,) = solver.read_stems([stem])
    assert reading.asks_for == asks
    assert reading.topic == (C + topic if topic else None)
    assert asks_for(stem) == asks


FRAMES = [
    # (stem, text before the option, text after it)
    ("What process do neural networks use to learn?", "Neural networks use", ""),
    # A wh-phrase at the end stands where the option goes.
    ("Transfer learning reduces what kind of cost?", "Transfer learning reduces", ""),
    (
        "Which technique can explain the prediction of a model?",
        "",
        "can explain the prediction of a model",
    ),
    (
        "Which techniques reduce the data a model needs? (Choose two.)",
        "",
        "reduce the data a model needs",
    ),
    ("Deep learning is a subfield of _____.", "Deep learning is a subfield of", ""),
    ("Transfer learning reduces:", "Transfer learning reduces", ""),
]


@pytest.mark.parametrize(("stem", "before", "after"), FRAMES)
def test_best_question_frames(solver, stem, before, after):
    (reading,) = solver.read_stems([stem])
    assert reading.asks_for == ASKS_BEST
    assert reading.frame is not None
    assert (reading.frame.before, reading.frame.after) == (before, after)


def test_a_stem_without_a_place_for_the_option_has_no_frame(solver):
    (reading,) = solver.read_stems(["Deep learning is a subfield of machine learning."])
    assert reading.frame is None


# -- options to statements ---------------------------------------------------------------

OPTIONS = [
    # (stem, option, how, statement checked)
    (
        "Which of the following is NOT true about deep learning?",
        "It requires massive datasets",
        "pronoun",
        "Deep learning requires massive datasets",
    ),
    (
        "Which statement about CNNs is true?",
        "They can be trained on CPUs",
        "pronoun",
        "CNNs can be trained on CPUs",
    ),
    (
        "Which statement about deep learning is true?",
        "This is only for experts",
        "pronoun",
        "Deep learning is only for experts",
    ),
    (
        "Which statement about deep learning is true?",
        "Requires GPUs",
        "prefix",
        "Deep learning requires GPUs",
    ),
    (
        "Which statement about deep learning models is true?",
        "Are always black boxes",
        "prefix",
        "Deep learning models are always black boxes",
    ),
    (
        "Which statement about deep learning is true?",
        "Can be trained on CPUs",
        "prefix",
        "Deep learning can be trained on CPUs",
    ),
    # An option with a subject of its own is checked as written.
    (
        "Which statement about CNNs is true?",
        "Deep learning models can be trained on CPUs",
        "as-is",
        "Deep learning models can be trained on CPUs",
    ),
    # Starts with a noun phrase the checker cannot relate: no topic is forced on it.
    (
        "Which statement about deep learning is true?",
        "Data augmentation can stretch a small dataset further",
        "as-is",
        "Data augmentation can stretch a small dataset further",
    ),
    # Best questions: the option is set into the stem.
    (
        "Which techniques reduce the amount of data a deep learning model needs?",
        "Transfer learning",
        "frame",
        "Transfer learning reduces the amount of data a deep learning model needs",
    ),
    (
        "Deep learning is a subfield of _____.",
        "machine learning",
        "frame",
        "Deep learning is a subfield of machine learning",
    ),
    (
        "What is deep learning?",
        "A subfield of machine learning",
        "definition",
        "Deep learning is a subfield of machine learning",
    ),
    # An option naming no concept is set into the stem too, and the checker says unknown.
    ("What process do neural networks use to learn?", "Guessing", "frame", None),
]


@pytest.mark.parametrize(("stem", "option", "how", "statement"), OPTIONS)
def test_option_to_statement(solver, stem, option, how, statement):
    gift = f"{stem}{{={option} ~The weather is nice today}}"
    result = solve_one(solver, gift)
    first = result.options[0]
    assert first.how == how
    if statement is None:
        assert first.verdict == "unknown"
    else:
        assert first.statement == statement


def test_pronoun_and_prefix_helpers():
    assert pronoun_statement("They need GPUs", "deep learning models") == (
        "Deep learning models need GPUs"
    )
    assert pronoun_statement("Itself a pronoun", "deep learning") is None
    assert pronoun_statement("GPUs are fast", "deep learning") is None
    assert prefix_statement("Requires GPUs.", "deep learning") == "Deep learning requires GPUs"
    assert prefix_statement("Runs on TPUs", "CNNs") == "CNNs runs on TPUs"


def _question(stem: str, key, kind="multichoice", options=("a", "b")) -> Question:
    opts = tuple(Option(chr(65 + i), t, None, None, None) for i, t in enumerate(options))
    return Question("q", kind, stem, opts, key, 1, "mem")


def test_wanted_answers_from_key_or_instruction():
    assert wanted_answers(_question("Which is true?", ("A",))) == 1
    assert wanted_answers(_question("Which is true?", ("A", "B"))) == 2
    assert wanted_answers(_question("Which are true? (Choose three.)", None)) == 3
    assert wanted_answers(_question("Which are true? Select all that apply.", None)) is None
    assert wanted_answers(_question("Which is true?", None)) == 1


# -- choosing, with verdicts fixed by the test --------------------------------------------


class FixedChecker:
    """The real pipeline, with the verdict of chosen statements replaced; counts calls."""

    def __init__(self, checker: Checker, verdicts: dict[str, str]):
        self.nlp = checker.nlp
        self.kb = checker.kb
        self.scanner = checker.scanner
        self._checker = checker
        self._verdicts = verdicts
        self.calls: list[list[str]] = []

    def check_many(self, texts):
        texts = list(texts)
        self.calls.append(texts)
        for verdict in self._checker.check_many(texts):
            forced = self._verdicts.get(verdict.text)
            yield verdict if forced is None else dataclasses.replace(verdict, verdict=forced)


def solve_fixed(real_checker, gift: str, verdicts: dict[str, str]):
    solver = ExamSolver(FixedChecker(real_checker, verdicts))
    (result,) = solver.solve(parse_text(gift, "gift").questions)
    return result


NOT_TRUE = "Which of the following is NOT true about deep learning?"
TRUE_STEM = "Which statement about deep learning is true?"


def test_partly_true_counts_as_not_true_only_when_nothing_is_false(real_checker):
    gift = f"{NOT_TRUE}{{~GPUs are fast =CPUs are slow ~TPUs are new}}"
    result = solve_fixed(
        real_checker, gift, {"GPUs are fast": "true", "CPUs are slow": "partly_true"}
    )
    assert (result.outcome, result.choice, result.key_status) == (CHOSEN, ("B",), AGREES)
    result = solve_fixed(
        real_checker,
        gift,
        {"GPUs are fast": "false", "CPUs are slow": "partly_true", "TPUs are new": "true"},
    )
    # A false option without a path is no proof against the key: unsure, never disagrees.
    assert (result.choice, result.key_status) == (("A",), UNSURE)
    assert result.note.endswith("no path refutes the key, so it stays unsure")


@pytest.mark.parametrize(
    ("stem", "verdicts", "choice"),
    [
        # NOT true + every other option false -> "All of the above".
        (NOT_TRUE, ("false", "false"), "C"),
        # NOT true + every other option true -> "None of the above".
        (NOT_TRUE, ("true", "true"), "D"),
        # true + every other option true -> "All of the above".
        (TRUE_STEM, ("true", "true"), "C"),
        # true + every other option false -> "None of the above".
        (TRUE_STEM, ("false", "false"), "D"),
    ],
)
def test_all_and_none_of_the_above(real_checker, stem, verdicts, choice):
    gift = f"{stem}{{=GPUs are fast ~CPUs are slow ~All of the above ~None of the above}}"
    fixed = dict(zip(("GPUs are fast", "CPUs are slow"), verdicts, strict=True))
    result = solve_fixed(real_checker, gift, fixed)
    assert (result.outcome, result.choice) == (CHOSEN, (choice,))
    above = next(o for o in result.options if o.letter == choice)
    assert above.how == "above" and above.statement is None
    assert "Decided from the other options" in above.explanation


def test_all_of_the_above_waits_for_unknown_options(real_checker):
    gift = f"{NOT_TRUE}{{=GPUs are fast ~CPUs are slow ~All of the above}}"
    result = solve_fixed(real_checker, gift, {"GPUs are fast": "false"})
    assert result.options[2].verdict == "unknown"
    assert (result.outcome, result.choice) == (CHOSEN, ("A",))


def test_ambiguous_and_undecided_say_why(real_checker):
    gift = f"{TRUE_STEM}{{=GPUs are fast ~CPUs are slow ~TPUs are new}}"
    result = solve_fixed(real_checker, gift, {"GPUs are fast": "true", "CPUs are slow": "true"})
    assert (result.outcome, result.choice, result.candidates) == (AMBIGUOUS, None, ("A", "B"))
    assert result.key_status == UNSURE
    result = solve_fixed(real_checker, gift, {"GPUs are fast": "false"})
    assert (result.outcome, result.choice, result.key_status) == (UNDECIDED, None, UNSURE)
    assert result.note == "no option is true; unknown: B, C"


def test_what_the_graph_says_never_chooses_an_option_the_claims_refute(real_checker):
    gift = (
        "What is teacher forcing?{"
        "=Training a decoder on the true previous token rather than its own guess "
        "~Forcing the learning rate to decay every epoch}"
    )
    statement = (
        "Teacher forcing is training a decoder on the true previous token rather than its own guess"
    )
    assert solve_fixed(real_checker, gift, {}).choice == ("A",)
    result = solve_fixed(real_checker, gift, {statement: "false"})
    assert (result.outcome, result.choice) == (UNDECIDED, None)


def test_multiple_answer_questions_choose_as_many_as_wanted(real_checker):
    gift = (
        "Which statements are true? (Select all that apply){"
        "~%50%GPUs are fast ~%50%CPUs are slow ~%-100%TPUs are new}"
    )
    verdicts = {"GPUs are fast": "true", "CPUs are slow": "true", "TPUs are new": "false"}
    result = solve_fixed(real_checker, gift, verdicts)
    assert (result.choice, result.key_status) == (("A", "B"), AGREES)
    verdicts["TPUs are new"] = "true"
    result = solve_fixed(real_checker, gift, verdicts)
    assert (result.outcome, result.candidates) == (AMBIGUOUS, ("A", "B", "C"))


def test_true_false_choice_follows_the_verdict(real_checker):
    for verdict, choice, status in [
        ("true", True, AGREES),
        # Forced verdicts carry no path of their own: no proof, so the key stays unsure.
        ("false", False, UNSURE),
        ("partly_true", False, UNSURE),
        ("unknown", None, UNSURE),
    ]:
        result = solve_fixed(real_checker, "GPUs are fast.{T}", {"GPUs are fast.": verdict})
        assert (result.choice, result.key_status) == (choice, status), verdict
        assert result.asks_for is None and len(result.options) == 1


def test_no_key_and_skipped(solver):
    bank = parse_text(
        "id,type,question,A,B,answer\n"
        "k,,Which statement about deep learning is true?,It requires GPUs,It is only for "
        "experts,\n"
        "n,numerical,How many layers?,,,\n",
        "csv",
    )
    nokey, numerical = solver.solve(bank.questions)
    assert nokey.key_status == NO_KEY
    assert (numerical.outcome, numerical.key_status, numerical.options) == (SKIPPED, None, ())


# -- one stream of statements --------------------------------------------------------------


def test_statements_are_checked_in_few_batched_calls(real_checker):
    stem = "Which of the following is NOT true about deep learning?"
    gift = "\n\n".join(
        f"::q{i}::{stem}{{=It requires GPUs ~It often benefits from large datasets "
        "~Deep learning models can be trained on CPUs "
        "~Larger datasets generally lead to better performance}"
        for i in range(300)
    )
    fixed = FixedChecker(real_checker, {})
    solver = ExamSolver(fixed)
    done: list[int] = []
    results = list(solver.solve(parse_text(gift, "gift").questions, progress=done.append))
    assert len(results) == 300 and sum(done) == 300
    assert all(r.choice == ("A",) and r.key_status == AGREES for r in results)
    # Options as written in one stream, the rewritten ones in another; each distinct text
    # is checked once in the run, so the second chunk of 256 questions costs no check.
    assert [len(c) for c in fixed.calls] == [4, 2]
    assert solver.checked == 6
