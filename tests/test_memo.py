"""The checker's decision cache: bounded, least recently used first out, same answers."""

from __future__ import annotations

import pytest

from checker.memo import DecisionCache


def test_the_least_recently_used_entry_goes_first():
    cache = DecisionCache(limit=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert "b" not in cache and cache.get("a") == 1 and cache.get("c") == 3
    assert len(cache) == 2


def test_a_cache_needs_room():
    with pytest.raises(ValueError):
        DecisionCache(limit=0)


def test_a_small_cache_gives_the_same_verdicts_and_stays_small(checker):
    from checker.check import Checker

    texts = [
        "Dropout is used at inference time.",
        "Deep learning requires GPUs",
        "CNNs don't always need GPUs",
        "SHAP is a data augmentation technique",
        "Every network has a single output layer",
    ] * 3
    small = Checker(cache_size=4)
    assert [v.as_dict() for v in small.check_many(texts)] == [
        v.as_dict() for v in checker.check_many(texts)
    ]
    assert len(small._cache) <= 4
