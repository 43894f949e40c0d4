"""Brier score and expected calibration error: on their own, and on the built-in
sentiment task, whose classifier and log-likelihood strategies give probabilities."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import nlpbench_metrics.plugin
import nlpbench_sentiment.plugin
from nlpbench import ConfigError, MetricError
from nlpbench.running.scoring import metric_stats
from nlpbench_metrics.calibration import BrierMetric, EceMetric


def _ece(confidences: list[float], right: list[float], bins: int) -> float:
    """ECE written out: bin b holds confidences in (b/M, (b+1)/M]."""
    total = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        members = [i for i, c in enumerate(confidences) if (low < c <= high) or (b == 0 and c == 0)]
        if members:
            accuracy = np.mean([right[i] for i in members])
            confidence = np.mean([confidences[i] for i in members])
            total += len(members) / len(confidences) * abs(accuracy - confidence)
    return float(total)


def test_ece_equals_the_binned_formula_and_resamples_consistently() -> None:
    rng = np.random.default_rng(0)
    probabilities = [{"a": p, "b": 1 - p} for p in rng.uniform(0, 1, 50)]
    references = [["a" if rng.uniform() < 0.6 else "b"] for _ in range(50)]
    for bins in (1, 5, 10, 15):
        metric = EceMetric(bins=bins)
        stats = metric_stats(metric, "ece", [None] * 50, references, probabilities)
        confidences = [max(p.values()) for p in probabilities]
        right = [
            1.0 if max(p, key=lambda k: p[k]) == r[0] else 0.0 for p, r in zip(probabilities, references, strict=True)
        ]
        assert metric.aggregate(stats) == pytest.approx(_ece(confidences, right, bins))
        indices = rng.integers(0, 50, size=(7, 50))
        assert metric.aggregate_resamples(stats, indices) == pytest.approx(
            [metric.aggregate(stats[row]) for row in indices]
        )


def test_brier_is_the_multi_class_sum() -> None:
    stats = metric_stats(
        BrierMetric(), "brier", [None, None], [["x"], ["y"]], [{"x": 0.5, "y": 0.3, "z": 0.2}, {"x": 1.0, "y": 0.0}]
    )
    assert stats[:, 0].tolist() == pytest.approx([0.25 + 0.09 + 0.04, 2.0])


def test_bad_probabilities_are_errors() -> None:
    with pytest.raises(MetricError, match="example 0: the probabilities must lie in"):
        BrierMetric().stats([None], [["x"]], [{"x": 0.7, "y": 0.7}])
    with pytest.raises(ConfigError, match="bins: must be at least 1, not 0"):
        EceMetric(bins=0)
    with pytest.raises(ConfigError, match="bins: must be at most 1000, not 100000"):
        EceMetric(bins=100_000)
    with pytest.raises(ConfigError, match="bins: must be a whole number, not True"):
        EceMetric(bins=True)


@pytest.mark.parametrize("strategy", ["classify", "loglikelihood"])
def test_the_built_in_sentiment_task_is_scored_for_calibration(nlpbench_run: Any, strategy: str) -> None:
    suite = {
        "name": "calibration",
        "models": [{"name": "tiny", "type": "tiny", "params": {"capabilities": [strategy]}}],
        "tasks": [
            {
                "name": "sample",
                "type": "sentiment",
                "limit": 20,
                "metrics": ["accuracy", "brier", {"name": "ece", "bins": 5}],
            }
        ],
    }
    run = nlpbench_run(suite, plugins=[nlpbench_sentiment.plugin, nlpbench_metrics.plugin])
    cell = run.cell("tiny", "sample")
    assert cell["status"] == "ok"
    given = [s["probabilities"] for s in run.samples]
    golds = [s["references"][0] for s in run.samples]
    brier = np.mean(
        [
            sum((p - (label == gold)) ** 2 for label, p in probs.items())
            for probs, gold in zip(given, golds, strict=True)
        ]
    )
    assert cell["metrics"]["brier"]["value"] == pytest.approx(brier)
    confidences = [max(p.values()) for p in given]
    right = [1.0 if max(p, key=lambda k: p[k]) == g else 0.0 for p, g in zip(given, golds, strict=True)]
    assert cell["metrics"]["ece"]["value"] == pytest.approx(_ece(confidences, right, 5))
    assert cell["metrics"]["ece"]["info"]["bins"] == 5


def test_a_strategy_without_probabilities_is_not_computed(nlpbench_run: Any) -> None:
    suite = {
        "name": "calibration",
        "models": [{"name": "tiny", "type": "tiny", "params": {"capabilities": ["generate"]}}],
        "tasks": [{"name": "sample", "type": "sentiment", "limit": 10, "metrics": ["accuracy", "ece"]}],
    }
    run = nlpbench_run(suite, plugins=[nlpbench_sentiment.plugin, nlpbench_metrics.plugin])
    cell = run.cell("tiny", "sample")
    assert cell["status"] == "ok" and run.exit_code == 0
    assert (
        cell["metrics"]["ece"]["value"] is None
        and "needs each prediction's probabilities" in cell["metrics"]["ece"]["reason"]
    )
