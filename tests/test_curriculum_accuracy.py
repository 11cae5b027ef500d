"""Accuracy across the deep-learning curriculum (issue 5): the curators' labelled statements.

Each file was written by the curator of its topics, labelled by the verdict contract rather
than by the checker's output. The bar: at least 90% right, and never a true/false verdict
where the graph has nothing to say.
"""

from __future__ import annotations

import pytest
from labelled import assert_accuracy, assert_unknown_where_the_graph_is_silent, labelled

FILES = ("curriculum_a.tsv", "curriculum_b.tsv")


@pytest.fixture(scope="module")
def results(checker):
    return labelled(checker, *FILES)


def test_the_set_is_large_and_covers_every_topic(results):
    assert len(results) >= 300
    assert len({row["topic"] for row, _ in results}) >= 8


def test_accuracy_at_least_90_percent(results):
    assert_accuracy(results, 0.90, "topic")


def test_no_verdict_where_the_graph_is_silent(results):
    assert_unknown_where_the_graph_is_silent(results, "topic")
