from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from sklearn.metrics import matthews_corrcoef

from nlpbench import ConfigError
from nlpbench_metrics import MccMetric


def score(predictions: Sequence[str | None], references: list[str]) -> float:
    metric = MccMetric()
    return metric.aggregate(metric.stats(predictions, [(r,) for r in references]))


def test_equals_sklearn_on_random_labels(label_set: tuple[list[str], list[str]]) -> None:
    predictions, references = label_set
    assert score(predictions, references) == pytest.approx(matthews_corrcoef(references, predictions), abs=1e-12)


def test_equals_sklearn_on_sst2(sst2_labels: tuple[list[str], list[str]]) -> None:
    predictions, references = sst2_labels
    assert score(predictions, references) == pytest.approx(matthews_corrcoef(references, predictions), abs=1e-12)


@pytest.mark.filterwarnings("ignore:A single label was found")  # scikit-learn's own call, below
@pytest.mark.parametrize(
    ("predictions", "references"),
    [
        (["a", "a", "a"], ["a", "a", "a"]),  # one class everywhere
        (["a", "b", "a"], ["a", "a", "a"]),  # references all alike
        (["a", "a", "a"], ["a", "b", "b"]),  # predictions all alike
    ],
)
def test_degenerate_cases_give_zero_like_sklearn(predictions: list[str], references: list[str]) -> None:
    assert matthews_corrcoef(references, predictions) == 0.0
    assert score(predictions, references) == 0.0
    metric = MccMetric()
    stats = metric.stats(predictions, [(r,) for r in references])
    assert metric.aggregate_resamples(stats, np.array([[0, 1, 2]])).tolist() == [0.0]


def test_no_answer_is_a_class_of_its_own() -> None:
    predictions = ["a", None, "b", "b"]
    references = ["a", "a", "b", "a"]
    spelt = ["<none>" if p is None else p for p in predictions]
    assert score(predictions, references) == pytest.approx(matthews_corrcoef(references, spelt), abs=1e-12)


def test_example_gives_its_value() -> None:
    example = MccMetric.example
    metric = MccMetric()
    value = metric.aggregate(metric.stats(example.predictions, example.references))
    assert value == pytest.approx(example.value, abs=1e-12)


def test_scale_is_the_correlation_range() -> None:
    assert MccMetric.scale == (-1.0, 1.0)
    assert MccMetric.higher_is_better


def test_takes_no_options() -> None:
    with pytest.raises(ConfigError, match="positive: unknown option: it takes none"):
        MccMetric(positive="a")
