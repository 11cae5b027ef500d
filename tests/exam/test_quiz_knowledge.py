"""What the graph learnt for real quiz questions (kg/data/quiz-s11.ttl): the answers a
teacher sees for questions in the wordings course quizzes use, each decided by a textbook
claim with its path."""

from __future__ import annotations

import pytest

from checker.exam import parse_text
from checker.exam.solver import AGREES, DISAGREES, ExamSolver


@pytest.fixture(scope="module")
def solver(checker):
    return ExamSolver(checker)


def solve_one(solver: ExamSolver, gift: str):
    (result,) = solver.solve(parse_text(gift, "gift").questions)
    return result


@pytest.mark.parametrize(
    ("gift", "choice", "claim"),
    [
        (
            "Which type of neural network layer computes a weighted sum of its inputs?"
            "{~Pooling layer =Dense layer ~Dropout layer}",
            ("B",),
            "Each output of a fully connected layer is a weighted sum of all its inputs",
        ),
        (
            "Why might you choose GRU over LSTM?{~GRU always outperforms LSTM "
            "=GRU has fewer parameters and trains faster with often similar performance}",
            ("B",),
            "A GRU is a streamlined LSTM",
        ),
        (
            "Batch normalization can only be used with fully connected (Dense) layers.{F}",
            False,
            "Batch normalization can only be applied to fully connected layers",
        ),
        (
            "Which optimizer adapts the learning rate for each parameter individually?"
            "{~SGD ~Momentum =AdaGrad}",
            ("C",),
            "AdaGrad adapts the learning rate of every coordinate separately",
        ),
    ],
)
def test_a_quiz_question_is_answered_from_a_textbook_claim(solver, gift, choice, claim):
    result = solve_one(solver, gift)
    assert (result.choice, result.key_status) == (choice, AGREES)
    assert claim in result.note
    # The reason shows the path: the claim and its source section.
    shown = result.options if result.question.kind != "truefalse" else ()
    assert all(o.justification for o in shown if o.chosen)


def test_a_wrong_key_on_such_a_question_is_flagged_with_the_claim(solver):
    result = solve_one(
        solver, "Batch normalization can only be used with fully connected (Dense) layers.{T}"
    )
    assert result.key_status == DISAGREES
    (statement,) = result.options
    assert '"Batch normalization can only be applied to fully connected layers" as false' in (
        statement.explanation
    )
    assert statement.justification  # the path: the claim, its correction and their sources


def test_a_paraphrase_never_takes_a_class_question_from_the_taxonomy(solver):
    # Quiz wordings added as paraphrases ("the default activation function ...") must not
    # become the claim that decides "ReLU is an activation function": a class question is
    # answered by the taxonomy, and a claim of another relation would be set aside.
    result = solve_one(
        solver,
        "Which of these is a common activation function in neural networks?{"
        "~Mean Squared Error ~Gradient Descent =ReLU ~Random Forest}",
    )
    assert (result.choice, result.key_status) == (("C",), AGREES)
    assert "in the graph's taxonomy ReLU is a kind of activation function" in result.note


# -- session 12 (kg/data/quiz-s12.ttl) ------------------------------------------------------


@pytest.mark.parametrize(
    ("gift", "choice", "claim"),
    [
        (
            "What is the purpose of the bottleneck layer in an autoencoder?{"
            "~To speed up training =To force the network to learn a compressed representation "
            "~To add noise to the input}",
            ("B",),
            "A bottleneck narrower than the input makes an autoencoder learn a compressed code",
        ),
        (
            "The perceptron was invented in 2012 as part of the deep learning revolution.{F}",
            False,
            "The perceptron is a product of the deep learning revolution around 2012",
        ),
        (
            "More training data is the most effective way to combat overfitting.{T}",
            True,
            "Training on more data is the best way to make a model generalize better",
        ),
        (
            "What is the relationship between autoencoders and PCA?{"
            "~They are unrelated =Autoencoders with linear activations approximate PCA "
            "~PCA is a type of autoencoder}",
            ("B",),
            "learns the same subspace as PCA",
        ),
        (
            "Pre-trained word embeddings like Word2Vec or GloVe enable what type of learning?{"
            "~Reinforcement learning =Transfer learning ~Unsupervised clustering}",
            ("B",),
            "Word vectors pretrained on a large corpus carry what they learned",
        ),
    ],
)
def test_a_quiz_question_is_answered_from_a_session_12_claim(solver, gift, choice, claim):
    result = solve_one(solver, gift)
    assert (result.choice, result.key_status) == (choice, AGREES)
    assert claim in result.note


def test_the_perceptron_is_dated_with_its_source(solver):
    # The correction a teacher sees for a wrong date names the right one.
    result = solve_one(solver, "The perceptron was introduced in 2012.{T}")
    assert result.key_status == DISAGREES
    (statement,) = result.options
    assert "Rosenblatt's perceptron dates from 1958" in statement.explanation
    assert statement.justification
