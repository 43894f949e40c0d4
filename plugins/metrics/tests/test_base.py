from __future__ import annotations

import numpy as np
import pytest

from nlpbench import MetricError
from nlpbench_metrics import AccuracyMetric, PrecisionMetric


def test_stats_are_label_indices() -> None:
    metric = AccuracyMetric()
    stats = metric.stats(["pos", None, "neg"], [("pos", "also-fine"), ("neg",), ("pos",)])
    assert stats.dtype == np.float64 and stats.shape == (3, 2)
    assert metric.vocabulary.labels == ("neg", "pos")  # only first references are labels
    assert stats.tolist() == [[1, 1], [-1, 0], [0, 1]]


def test_only_the_first_reference_counts() -> None:
    metric = AccuracyMetric()
    assert metric.aggregate(metric.stats(["b"], [("a", "b")])) == 0.0


def test_one_instance_scores_several_models() -> None:
    # the runner builds a metric once per task and scores every model with it
    metric = PrecisionMetric(average="binary", positive="pos")
    first = metric.stats(["pos", "neg"], [("pos",), ("neg",)])
    second = metric.stats(["neg", "neg", "pos"], [("pos",), ("neg",), ("neg",)])
    assert metric.aggregate(first) == 1.0
    assert metric.aggregate(second) == 0.0
    assert metric.aggregate(first) == 1.0  # still decodes after the vocabulary grew


def test_empty_stats() -> None:
    metric = AccuracyMetric()
    assert metric.stats([], []).shape == (0, 2)


@pytest.mark.parametrize(
    ("predictions", "references", "message"),
    [
        (["a"], [], "1 predictions but 0 references"),
        (["a"], [()], "example 0: references must be a non-empty list"),
        (["a"], ["a"], "example 0: references must be a non-empty list"),
        (["a"], [(None,)], "example 0: the reference label is None"),
    ],
)
def test_bad_input(predictions: list[str], references: list[object], message: str) -> None:
    with pytest.raises(MetricError, match=message):
        AccuracyMetric().stats(predictions, references)  # type: ignore[arg-type]


def test_bad_stats_shape() -> None:
    with pytest.raises(MetricError, match=r"shape \(n, 2\)"):
        AccuracyMetric().aggregate(np.zeros((3, 1)))
