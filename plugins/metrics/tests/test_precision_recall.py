from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import pytest
from sklearn.metrics import precision_score, recall_score

from nlpbench import ConfigError, MetricError
from nlpbench_metrics import PrecisionMetric, RecallMetric

METRICS: list[tuple[type[PrecisionMetric | RecallMetric], Callable[..., float]]] = [
    (PrecisionMetric, precision_score),
    (RecallMetric, recall_score),
]


def score(metric: PrecisionMetric | RecallMetric, predictions: Sequence[str | None], references: list[str]) -> float:
    return metric.aggregate(metric.stats(predictions, [(r,) for r in references]))


@pytest.mark.parametrize(("metric_class", "reference"), METRICS)
@pytest.mark.parametrize("average", ["macro", "micro", "weighted"])
def test_equals_sklearn_on_random_labels(
    metric_class: type[PrecisionMetric | RecallMetric],
    reference: Callable[..., float],
    average: str,
    label_set: tuple[list[str], list[str]],
) -> None:
    predictions, references = label_set
    expected = reference(references, predictions, average=average, zero_division=0)
    assert score(metric_class(average=average), predictions, references) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("metric_class", "reference"), METRICS)
@pytest.mark.parametrize("positive", ["negative", "positive"])
@pytest.mark.parametrize("set_name", ["binary-7", "binary-60", "binary-500"])
def test_binary_equals_sklearn(
    metric_class: type[PrecisionMetric | RecallMetric],
    reference: Callable[..., float],
    positive: str,
    set_name: str,
    label_sets: dict[str, tuple[list[str], list[str]]],
) -> None:
    predictions, references = label_sets[set_name]
    expected = reference(references, predictions, average="binary", pos_label=positive, zero_division=0)
    metric = metric_class(average="binary", positive=positive)
    assert score(metric, predictions, references) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("metric_class", "reference"), METRICS)
@pytest.mark.parametrize(("average", "positive"), [("macro", None), ("binary", "1"), ("binary", "0")])
def test_equals_sklearn_on_sst2(
    metric_class: type[PrecisionMetric | RecallMetric],
    reference: Callable[..., float],
    average: str,
    positive: str | None,
    sst2_labels: tuple[list[str], list[str]],
) -> None:
    predictions, references = sst2_labels
    extra = {"pos_label": positive} if positive else {}
    expected = reference(references, predictions, average=average, zero_division=0, **extra)
    metric = metric_class(average=average, positive=positive)
    assert score(metric, predictions, references) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("metric_class", "reference"), METRICS)
@pytest.mark.parametrize("average", ["macro", "micro", "weighted"])
def test_no_answer_is_a_miss_not_a_label(
    metric_class: type[PrecisionMetric | RecallMetric], reference: Callable[..., float], average: str
) -> None:
    predictions = ["a", None, "b", "b", None, "a"]
    references = ["a", "a", "b", "a", "b", "b"]
    # scikit-learn with "no answer" spelt as a string, averaged over the real labels only
    spelt = ["<none>" if p is None else p for p in predictions]
    expected = reference(references, spelt, labels=["a", "b"], average=average, zero_division=0)
    assert score(metric_class(average=average), predictions, references) == pytest.approx(expected, abs=1e-12)


def test_binary_with_no_answer() -> None:
    metric = RecallMetric(average="binary", positive="pos")
    # two positives, one found, one unanswered
    assert score(metric, ["pos", None, "neg"], ["pos", "pos", "neg"]) == 0.5


@pytest.mark.parametrize("metric_class", [PrecisionMetric, RecallMetric])
def test_example_gives_its_value(metric_class: type[PrecisionMetric | RecallMetric]) -> None:
    example = metric_class.example
    metric = metric_class()
    value = metric.aggregate(metric.stats(example.predictions, example.references))
    assert value == pytest.approx(example.value, abs=1e-12)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"averag": "macro"}, "averag: unknown option (did you mean 'average'?); known: average, positive"),
        ({"average": "samples"}, "average: must be 'macro', 'micro', 'weighted' or 'binary', not 'samples'"),
        ({"average": "binary"}, "average binary needs the positive label: set positive"),
        ({"positive": "pos"}, "positive only applies with average binary (average is macro)"),
    ],
)
@pytest.mark.parametrize("metric_class", [PrecisionMetric, RecallMetric])
def test_bad_options(metric_class: type[PrecisionMetric | RecallMetric], options: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        metric_class(**options)


def test_binary_rejects_a_third_label() -> None:
    metric = PrecisionMetric(average="binary", positive="pos")
    with pytest.raises(MetricError, match="needs two labels, got 3"):
        metric.stats(["pos", "neg", "meh"], [("pos",), ("neg",), ("neg",)])


def test_binary_rejects_a_misspelt_positive_label() -> None:
    metric = PrecisionMetric(average="binary", positive="positive")
    with pytest.raises(MetricError, match="positive label 'positive' is not one of the labels"):
        metric.stats(["pos", "neg"], [("pos",), ("neg",)])
