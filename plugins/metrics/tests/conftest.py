"""Shared fixtures: random label sets, the real SST-2 dev labels, and scikit-learn's scores
(the reference the tests hold the metrics to; the metrics never import scikit-learn)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef, precision_score, recall_score

from nlpbench import StatsArray
from nlpbench_metrics import (
    AccuracyMetric,
    ClassificationMetric,
    MacroF1Metric,
    MccMetric,
    PrecisionMetric,
    RecallMetric,
)
from nlpbench_metrics.vocabulary import NO_ANSWER

LabelSet = tuple[list[str], list[str]]


def _random_sets() -> dict[str, LabelSet]:
    rng = np.random.default_rng(20261130)
    sets: dict[str, LabelSet] = {}
    for size in (7, 60, 500):
        refs = rng.choice(["negative", "positive"], size=size).tolist()
        preds = rng.choice(["negative", "positive"], size=size).tolist()
        sets[f"binary-{size}"] = (preds, refs)
        # four classes, "d" never predicted; the predictions also use "e", never a reference
        refs = rng.choice(["a", "b", "c", "d"], size=size, p=[0.4, 0.3, 0.2, 0.1]).tolist()
        preds = rng.choice(["a", "b", "c", "e"], size=size, p=[0.5, 0.2, 0.2, 0.1]).tolist()
        sets[f"four-class-{size}"] = (preds, refs)
        # mostly right, so scores are far from chance
        refs = rng.choice(["a", "b", "c", "d"], size=size).tolist()
        preds = [r if rng.random() < 0.8 else "a" for r in refs]
        sets[f"four-class-good-{size}"] = (preds, refs)
    return sets


RANDOM_SETS = _random_sets()


@pytest.fixture(scope="session")
def label_sets() -> dict[str, LabelSet]:
    """Every random label set, by name."""
    return RANDOM_SETS


@pytest.fixture(params=sorted(RANDOM_SETS))
def label_set(request: pytest.FixtureRequest) -> LabelSet:
    """(predictions, references) as flat label lists."""
    return RANDOM_SETS[request.param]


@pytest.fixture(scope="session")
def sst2_labels(nlpbench_shared_data: Path) -> LabelSet:
    """SST-2 dev labels as predictions shuffled against the real order as references."""
    path = nlpbench_shared_data / "sentiment_sst2" / "dev.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        labels = [row["label"] for row in csv.DictReader(handle, delimiter="\t")]
    shuffled = list(np.random.default_rng(7).permutation(labels))
    return [str(label) for label in shuffled], labels


def sklearn_score(metric: ClassificationMetric, stats: StatsArray) -> float:
    """What scikit-learn says for ``stats``: "no answer" is a miss, never a label averaged over."""
    predictions = stats[:, 0].astype(np.int64)
    references = stats[:, 1].astype(np.int64)
    labels = [int(label) for label in np.union1d(references, predictions) if label != NO_ANSWER]
    if isinstance(metric, AccuracyMetric):
        return float(accuracy_score(references, predictions))
    if isinstance(metric, MccMetric):
        return float(matthews_corrcoef(references, predictions))
    if isinstance(metric, MacroF1Metric):
        return float(f1_score(references, predictions, labels=labels, average="macro", zero_division=0))
    assert isinstance(metric, (PrecisionMetric, RecallMetric))
    if metric.average == "binary":
        # the positive label alone, spelt this way because "no answer" makes a binary task
        # look multiclass to scikit-learn
        arguments = {"labels": [metric.vocabulary.index(metric.positive)], "average": "micro"}
    else:
        arguments = {"labels": labels, "average": metric.average}
    score = precision_score if isinstance(metric, PrecisionMetric) else recall_score
    return float(score(references, predictions, zero_division=0, **arguments))


@pytest.fixture(name="sklearn_score", scope="session")
def sklearn_score_fixture() -> Callable[[ClassificationMetric, StatsArray], float]:
    """:func:`sklearn_score`, for tests (test modules can't import each other here)."""
    return sklearn_score
