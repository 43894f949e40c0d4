"""The vectorized path agrees with scikit-learn on every resample (and on the whole set)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from nlpbench import StatsArray
from nlpbench_metrics import (
    AccuracyMetric,
    ClassificationMetric,
    MacroF1Metric,
    MccMetric,
    PrecisionMetric,
    RecallMetric,
)
from nlpbench_metrics.confusion import confusion_matrices

CONFIGURATIONS: list[tuple[type[ClassificationMetric], dict[str, Any]]] = [
    (AccuracyMetric, {}),
    (MacroF1Metric, {}),
    (MccMetric, {}),
    *[(cls, {"average": a}) for cls in (PrecisionMetric, RecallMetric) for a in ("macro", "micro", "weighted")],
    (PrecisionMetric, {"average": "binary", "positive": "positive"}),
    (RecallMetric, {"average": "binary", "positive": "negative"}),
]


def _ids(config: tuple[type[ClassificationMetric], dict[str, Any]]) -> str:
    return "-".join([config[0].name, *map(str, config[1].values())])


@pytest.mark.parametrize(
    ("config", "set_name"),
    [
        (config, set_name)
        for config in CONFIGURATIONS
        for set_name in ("binary-60", "binary-500", "four-class-7", "four-class-500")
        if config[1].get("average") != "binary" or set_name.startswith("binary")
    ],
    ids=lambda value: value if isinstance(value, str) else _ids(value),
)
@pytest.mark.parametrize("with_no_answers", [False, True])
def test_resamples_equal_aggregate(
    config: tuple[type[ClassificationMetric], dict[str, Any]],
    with_no_answers: bool,
    set_name: str,
    label_sets: dict[str, tuple[list[str], list[str]]],
    sklearn_score: Callable[[ClassificationMetric, StatsArray], float],
) -> None:
    # a few of the label sets: each comparison calls scikit-learn 50 times
    metric_class, options = config
    predictions: list[str | None] = list(label_sets[set_name][0])
    references = label_sets[set_name][1]
    rng = np.random.default_rng(len(references))
    if with_no_answers:
        for position in rng.choice(len(predictions), size=max(1, len(predictions) // 10), replace=False):
            predictions[position] = None
    metric = metric_class(**options)
    stats = metric.stats(predictions, [(r,) for r in references])
    indices = rng.integers(0, len(references), size=(50, len(references)))
    fast = metric.aggregate_resamples(stats, indices)
    slow = np.array([sklearn_score(metric, stats[row]) for row in indices])
    assert fast.shape == (50,)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)
    assert metric.aggregate(stats) == pytest.approx(sklearn_score(metric, stats), abs=1e-12)


def test_resamples_on_sst2(
    sst2_labels: tuple[list[str], list[str]], sklearn_score: Callable[[ClassificationMetric, StatsArray], float]
) -> None:
    predictions, references = sst2_labels
    indices = np.random.default_rng(3).integers(0, len(references), size=(50, len(references)))
    for metric_class, options in CONFIGURATIONS:
        if options.get("average") == "binary":
            options = {**options, "positive": "1"}
        metric = metric_class(**options)
        stats = metric.stats(predictions, [(r,) for r in references])
        slow = np.array([sklearn_score(metric, stats[row]) for row in indices])
        np.testing.assert_allclose(metric.aggregate_resamples(stats, indices), slow, rtol=0, atol=1e-12)


def test_confusion_matrices_count_every_example() -> None:
    stats = np.array([[0, 0], [1, 0], [-1, 1], [1, 1]], dtype=np.float64)
    counts = confusion_matrices(stats, np.array([[0, 1, 2, 3], [3, 3, 3, 3]]))
    # rows: references 0, 1 and the empty "no answer" row; columns: predictions 0, 1, none
    assert counts[0].tolist() == [[1, 1, 0], [0, 1, 1], [0, 0, 0]]
    assert counts[1].tolist() == [[0, 0, 0], [0, 4, 0], [0, 0, 0]]


def test_confusion_matrices_in_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    import nlpbench_metrics.confusion as confusion

    stats = np.array([[0, 0], [1, 0], [2, 2], [1, 1]], dtype=np.float64)
    indices = np.random.default_rng(0).integers(0, 4, size=(9, 4))
    whole = confusion_matrices(stats, indices)
    monkeypatch.setattr(confusion, "BLOCK_ELEMENTS", 8)  # two resamples per block
    np.testing.assert_array_equal(confusion_matrices(stats, indices), whole)


def test_empty_resamples_are_nan() -> None:
    result = AccuracyMetric().aggregate_resamples(np.zeros((0, 2)), np.zeros((3, 0), dtype=np.int64))
    assert result.shape == (3,) and np.isnan(result).all()
