"""Tests for the GIFT parser: Moodle's documented examples, features, and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.exam import Question
from checker.exam.gift import parse

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "exam"


def view(q: Question) -> tuple[object, ...]:
    return (q.id, q.kind, q.stem, tuple(o.text for o in q.options), q.key)


# Expected reading of tests/fixtures/exam/moodle_doc_examples.gift, in file order:
# (id, kind, stem, option texts, key, line, category).
DOC_EXAMPLES = [
    ("q1", "multichoice", "Which field is deep learning a part of?",
     ("Databases", "Compilers", "Machine learning"), ("C",), 6, None),
    ("q2", "multichoice", "Deep learning is a _____ in computer science.",
     ("branch of databases", "subfield of machine learning", "kind of spreadsheet"), ("B",), 9,
     None),
    ("q3", "multichoice",
     "The backpropagation algorithm became widely known in the _____ decade.",
     ("1950s", "1970s", "1980s"), ("C",), 12, None),
    ("q4", "multichoice", "Which library was first released by Google?",
     ("PyTorch", "TensorFlow", "Theano", "Caffe"), ("B",), 18, None),
    ("q5", "multichoice", "Which two are deep learning frameworks?",
     ("Excel", "PyTorch", "Keras", "Notepad"), ("B", "C"), 25, None),
    ("q6", "truefalse", "Deep learning always needs a GPU.", (), False, 33, None),
    ("q7", "truefalse", "Transfer learning can reduce the data a model needs.", (), True, 35,
     None),
    ("q8", "shortanswer", "Which kind of network uses convolutions?", (), None, 38, None),
    ("q9", "shortanswer", "Two plus two equals _____.", (), None, 40, None),
    ("q10", "matching", "Match each technique with what it helps with.", (), None, 43, None),
    ("q11", "numerical", "In which year was the perceptron first described?", (), None, 52,
     None),
    ("q12", "numerical", "What is the value of e to 3 decimal places? _____.", (), None, 54,
     None),
    ("q13", "numerical", "What is the value of e to 3 decimal places? _____.", (), None, 56,
     None),
    ("q14", "numerical", "In which year was the perceptron first described?", (), None, 58,
     None),
    ("q15", "essay", "Write a short note on the limits of deep learning.", (), None, 64, None),
    ("q16", "description", "The next questions are about model interpretability.", (), None,
     67, None),
    ("Framework origins", "multichoice", "Which library was first released by Google?",
     ("PyTorch", "TensorFlow", "Theano"), ("B",), 70, None),
    ("q18", "multichoice", "What does a saliency map show?",
     ("the training loss", "the model size", "which input pixels matter most"), ("C",), 77,
     None),
    ("q19", "shortanswer", "Which kind of network uses convolutions?", (), None, 83, None),
    ("q20", "truefalse", "Deep learning is only for experts.", (), False, 89, None),
    ("q21", "multichoice", "Hard question.",
     ("wrong answer", "half-credit answer", "full-credit answer"), ("B", "C"), 92, None),
    ("Myth source", "multichoice",
     "The claim that deep learning needs huge data comes from _____.",
     ("a single textbook", "early ImageNet results", "large-scale industry models",
      "the success of very large models"), ("B", "C", "D"), 94, None),
    ("Myth source short", "shortanswer",
     "The claim comes from the success of very large _____.", (), None, 101, None),
    ("q24", "multichoice", "How many layers does a deep network have?",
     ("more than one", "exactly one"), ("A",), 108, None),
    ("q25", "multichoice", "Which expression equals 5?", ("= 2 + 2", "= 2 + 3", "= 2 + 4"),
     ("B",), 115, None),
    ("GIFT specials", "multichoice", "Which of these is not a special GIFT character?",
     ("~ (tilde)", "= (equals)", "# (hash)", "{ (open brace)", "% (percent)"), ("E",), 121,
     None),
    ("q27", "multichoice", "Ratio: how many {braces} here? On a new line.", ("two", "one"),
     ("A",), 129, None),
    ("q28", "truefalse", "Data augmentation helps with small datasets.", (), True, 134,
     "myths/data"),
    ("q29", "truefalse", "Is **deep learning** a subfield of machine learning?", (), True, 137,
     "myths/data"),
    ("q30", "multichoice", "Can deep learning run on a CPU?", ("yes", "no"), ("A",), 139,
     "myths/data"),
    ("q31", "truefalse", "Plain text stem.", (), True, 141, "myths/data"),
    ("Q1", "truefalse", "2+2=4", (), True, 144, "myths/data"),
    ("Q2", "multichoice", "Which method explains a prediction?", ("SHAP", "dropout", "pooling"),
     ("A",), 146, "myths/data"),
    ("Q3", "shortanswer", "Three plus _____ equals six.", (), None, 149, "myths/data"),
    ("Q4", "matching", "Which tool suits which task?", (), None, 151, "myths/data"),
    ("Q5", "numerical", "Pick a number from 1 to 5.", (), None, 153, "myths/data"),
    ("Q6", "numerical", "Pick a number from 1 to 5.", (), None, 155, "myths/data"),
    ("Q7", "numerical", "In which year was the perceptron first described?", (), None, 158,
     "myths/data"),
    ("Q8", "essay", "How do you feel about deep learning?", (), None, 163, "myths/data"),
]  # fmt: skip


@pytest.fixture(scope="module")
def doc_bank():
    path = FIXTURES / "moodle_doc_examples.gift"
    return parse(path.read_text(encoding="utf-8"), str(path))


def test_doc_examples_parse_without_errors(doc_bank):
    assert doc_bank.errors == ()
    assert doc_bank.format == "gift"
    assert len(doc_bank.questions) == len(DOC_EXAMPLES)


@pytest.mark.parametrize("index", range(len(DOC_EXAMPLES)), ids=[e[0] for e in DOC_EXAMPLES])
def test_doc_example(doc_bank, index):
    question = doc_bank.questions[index]
    *expected_view, line, category = DOC_EXAMPLES[index]
    assert view(question) == tuple(expected_view)
    assert question.line == line
    assert question.category == category
    decidable = question.kind in ("multichoice", "truefalse")
    assert (question.skipped is None) == decidable


def test_doc_example_weights_and_feedback(doc_bank):
    by_id = {q.id: q for q in doc_bank.questions}
    weights = [o.weight for o in by_id["q5"].options]
    assert weights == [-1.0, 0.5, 0.5, -1.0]
    myth = by_id["Myth source"].options
    assert [o.weight for o in myth] == [None, 0.25, 0.5, None]
    assert [o.feedback for o in myth] == ["Not quite.", "Partly.", "Closer.", "Yes."]
    q2 = by_id["Q2"].options
    assert [o.feedback for o in q2] == [
        "right; good!",
        "wrong, that regularizes",
        "wrong, that downsamples",
    ]
    html_option = by_id["q30"].options[1]
    assert (html_option.text, html_option.feedback) == ("no", "It can.")
    assert [o.correct for o in by_id["q21"].options] == [False, True, True]


# (GIFT text, expected view of the single question)
FEATURE_CASES = [
    ("Stem {=a ~b}", ("q1", "multichoice", "Stem", ("a", "b"), ("A",))),
    ("::My title:: Stem {~a =b}", ("My title", "multichoice", "Stem", ("a", "b"), ("B",))),
    ("::::Stem {T}", ("q1", "truefalse", "Stem", (), True)),
    ("Stem {TRUE}", ("q1", "truefalse", "Stem", (), True)),
    ("Stem {FALSE}", ("q1", "truefalse", "Stem", (), False)),
    ("Stem { F #no#yes }", ("q1", "truefalse", "Stem", (), False)),
    ("Stem {T####general}", ("q1", "truefalse", "Stem", (), True)),
    ("Stem {true}", ("q1", "shortanswer", "Stem", (), None)),
    ("Stem\nover two lines {=a\n~b}", ("q1", "multichoice", "Stem over two lines", ("a", "b"),
                                       ("A",))),
    ("A \\{literal\\} brace\\: and \\# hash {=x\\~y ~z}",
     ("q1", "multichoice", "A {literal} brace: and # hash", ("x~y", "z"), ("A",))),
    ("Back\\\\slash {=a ~b}", ("q1", "multichoice", "Back\\slash", ("a", "b"), ("A",))),
    ("Unknown \\q escape {=a ~b}", ("q1", "multichoice", "Unknown \\q escape", ("a", "b"),
                                    ("A",))),
    ("[html]<p>A&amp;B<br>C</p>{=<b>x</b> ~y}",
     ("q1", "multichoice", "A&B C", ("x", "y"), ("A",))),
    ("[markdown]**Q**{=<b>x</b> ~y}", ("q1", "multichoice", "**Q**", ("<b>x</b>", "y"), ("A",))),
    ("[html]<p>Q</p>{=[html]<b>x</b> ~y}", ("q1", "multichoice", "Q", ("x", "y"), ("A",))),
    ("[fancy]Stem {T}", ("q1", "truefalse", "[fancy]Stem", (), True)),
    ("Multi {~%50%a ~%50%b ~%-50%c}", ("q1", "multichoice", "Multi", ("a", "b", "c"),
                                        ("A", "B"))),
    ("Pct {~%33.3333%a ~%66.6667%b ~c}", ("q1", "multichoice", "Pct", ("a", "b", "c"),
                                           ("A", "B"))),
    ("Zero {=%0%a ~%100%b}", ("q1", "multichoice", "Zero", ("a", "b"), ("B",))),
    ("Moodle keeps text before the first marker {lead ~a =b}",
     ("q1", "multichoice", "Moodle keeps text before the first marker", ("lead", "a", "b"),
      ("C",))),
    ("Only title line ::x", ("q1", "description", "Only title line ::x", (), None)),
    ("{=first ~second} is at the start", ("q1", "multichoice", "_____ is at the start",
                                          ("first", "second"), ("A",))),
    ("::t::", ("t", "description", "", (), None)),
    ("Matching {=a -> 1 =b -> 2}", ("q1", "matching", "Matching", (), None)),
    ("Short {answer}", ("q1", "shortanswer", "Short", (), None)),
    ("Essay {####only general feedback}", ("q1", "essay", "Essay", (), None)),
    ("Numeric {#=3:1 ~#wrong}", ("q1", "numerical", "Numeric", (), None)),
    ("http://example.org is not a comment {T}",
     ("q1", "truefalse", "http://example.org is not a comment", (), True)),
]  # fmt: skip


@pytest.mark.parametrize("text,expected", FEATURE_CASES)
def test_feature(text, expected):
    bank = parse(text, "f.gift")
    assert bank.errors == ()
    assert [view(q) for q in bank.questions] == [expected]


def test_skip_reasons():
    bank = parse("A {#1}\n\nB {=a->b =c->d}\n\nC {=x}\n\nD {}\n\nE\n\nF {t}", "s.gift")
    reasons = [q.skipped for q in bank.questions]
    assert reasons == [
        "numerical questions are not supported",
        "matching questions are not supported",
        "short-answer questions are not supported",
        "essay questions are not supported",
        "descriptions carry no question to check",
        "short-answer questions are not supported (for true/false write {T} or {F})",
    ]


def test_category_applies_to_following_questions_and_can_change():
    text = "A {T}\n\n$CATEGORY: one\n\nB {T}\n\n$CATEGORY: two/three\nC {F}\n\nD {F}"
    bank = parse(text, "c.gift")
    assert [(q.stem, q.category, q.line) for q in bank.questions] == [
        ("A", None, 1),
        ("B", "one", 5),
        ("C", "two/three", 8),
        ("D", "two/three", 10),
    ]


def test_comment_lines_do_not_split_or_start_questions():
    text = "// header\n// more\n::a:: first\n// inside\n{T}\n\n// only comments\n\nsecond {F}"
    bank = parse(text, "c.gift")
    assert [(q.id, q.stem, q.line) for q in bank.questions] == [
        ("a", "first", 3),
        ("q2", "second", 9),
    ]


def test_crlf_and_bom_are_accepted():
    bank = parse("\ufeffQ one {T}\r\n\r\nQ two {=a ~b}\r\n", "w.gift")
    assert [(q.stem, q.line) for q in bank.questions] == [("Q one", 1), ("Q two", 3)]


# (GIFT text, expected (line, message) errors, expected ids still parsed)
ERROR_CASES = [
    ("Good {T}\n\nBroken {=a ~b\n\nAfter {F}",
     [(3, "unclosed '{': expected '}' to end the answer block before the next blank line")],
     ["q1", "q3"]),
    ("Nested {=a {~b}",
     [(1, "unclosed '{': expected '}' to end the answer block before the next '{'")], []),
    ("Split {\n=a\n\n~b\n}",
     [(1, "unclosed '{': expected '}' to end the answer block before the next blank line"),
      (5, "'}' without a matching '{' (a blank line inside an answer block ends the question "
          "early)")], []),
    ("Stray } brace", [(1, "'}' without a matching '{' (a blank line inside an answer block "
                           "ends the question early)")], []),
    ("One {T}\nTwo {F}",
     [(2, "a second answer block '{...}' in the same question; separate questions with a "
          "blank line")], []),
    ("Empty {=}", [(1, "answer block has no answers; expected answers like {=right ~wrong}, "
                       "{T} or {F}, or {} for an essay")], []),
    ("Empty numeric {#}",
     [(1, "answer block has no answers; expected answers like {=right ~wrong}, {T} or {F}, "
          "or {} for an essay")], []),
    ("Tildes only {~ ~}",
     [(1, "answer block has no answers; expected answers like {=right ~wrong}")], []),
    ("Gap {=a ~ ~c}",
     [(1, "answer 2 in the block is empty; expected text after '~' or '='")], []),
    ("Lonely {~a}",
     [(1, "a multiple-choice question needs at least 2 answers ({=right ~wrong})")], []),
    ("::t::No right\n{\n~a\n~b\n}",
     [(2, "multiple-choice question has no right answer; mark one with '=' or give a "
          "positive weight like '~%50%'")], []),
    ("Weights {~%-50%a ~%0%b}",
     [(1, "multiple-choice question has no right answer; mark one with '=' or give a "
          "positive weight like '~%50%'")], []),
    ("Too heavy {~%150%a ~b}", [(1, "answer weight 150% is outside the range -100%..100%")],
     []),
]  # fmt: skip


@pytest.mark.parametrize("text,errors,ids", ERROR_CASES)
def test_error(text, errors, ids):
    bank = parse(text, "e.gift")
    assert [(e.line, e.message) for e in bank.errors] == errors
    assert [q.id for q in bank.questions] == ids
    assert all(e.source == "e.gift" for e in bank.errors)


def test_error_str_has_file_and_line():
    bank = parse("Q {=a ~b", "bank.gift")
    assert str(bank.errors[0]).startswith("bank.gift:1: unclosed '{'")


def test_question_numbering_counts_broken_questions():
    bank = parse("A {T}\n\nB {\n\nC {F}", "n.gift")
    assert [q.id for q in bank.questions] == ["q1", "q3"]
