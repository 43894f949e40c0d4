from __future__ import annotations

import pytest

from nlpbench import MetricError
from nlpbench_metrics.vocabulary import NO_ANSWER, LabelVocabulary


def test_sorted_within_a_batch_and_stable_after() -> None:
    vocabulary = LabelVocabulary()
    vocabulary.add(["b", "a", None, "b"])
    assert list(vocabulary.labels) == ["a", "b"]
    vocabulary.add(["0", "c", "a"])
    # earlier indices keep their meaning; new labels follow, sorted among themselves
    assert list(vocabulary.labels) == ["a", "b", "0", "c"]
    assert vocabulary.index("b") == 1 and vocabulary.label(3) == "c"


def test_none_is_no_answer() -> None:
    vocabulary = LabelVocabulary()
    vocabulary.add([None])
    assert len(vocabulary) == 0
    assert vocabulary.index(None) == NO_ANSWER and vocabulary.label(NO_ANSWER) is None


def test_mixed_types_still_sort() -> None:
    vocabulary = LabelVocabulary()
    vocabulary.add([1, "x", 0])
    assert set(vocabulary.labels) == {0, 1, "x"} and "x" in vocabulary


def test_unhashable_label() -> None:
    with pytest.raises(MetricError, match="labels must be strings or numbers, not list"):
        LabelVocabulary().add([["a"]])
