from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from sklearn.metrics import accuracy_score

from nlpbench_metrics import AccuracyMetric


def score(predictions: Sequence[str | None], references: list[str]) -> float:
    metric = AccuracyMetric()
    return metric.aggregate(metric.stats(predictions, [(r,) for r in references]))


def test_equals_sklearn_on_random_labels(label_set: tuple[list[str], list[str]]) -> None:
    predictions, references = label_set
    assert score(predictions, references) == pytest.approx(accuracy_score(references, predictions), abs=1e-12)


def test_equals_sklearn_on_sst2(sst2_labels: tuple[list[str], list[str]]) -> None:
    predictions, references = sst2_labels
    assert score(predictions, references) == pytest.approx(accuracy_score(references, predictions), abs=1e-12)


def test_no_answer_is_wrong() -> None:
    assert score([None, "a", None, "b"], ["a", "a", "b", "b"]) == 0.5


def test_example_gives_its_value() -> None:
    example = AccuracyMetric.example
    metric = AccuracyMetric()
    value = metric.aggregate(metric.stats(example.predictions, example.references))
    assert value == pytest.approx(example.value, abs=1e-12)


def test_per_example_score() -> None:
    metric = AccuracyMetric()
    stats = metric.stats(["a", "b", None], [("a",), ("a",), ("b",)])
    assert [metric.example_score(row) for row in stats] == [1.0, 0.0, 0.0]


def test_empty_is_nan() -> None:
    assert np.isnan(AccuracyMetric().aggregate(np.zeros((0, 2))))
