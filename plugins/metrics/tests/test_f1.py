from __future__ import annotations

from collections.abc import Sequence

import pytest
from sklearn.metrics import f1_score

from nlpbench import ConfigError
from nlpbench_metrics import MacroF1Metric


def score(predictions: Sequence[str | None], references: list[str]) -> float:
    metric = MacroF1Metric()
    return metric.aggregate(metric.stats(predictions, [(r,) for r in references]))


def test_equals_sklearn_on_random_labels(label_set: tuple[list[str], list[str]]) -> None:
    predictions, references = label_set
    expected = f1_score(references, predictions, average="macro", zero_division=0)
    assert score(predictions, references) == pytest.approx(expected, abs=1e-12)


def test_equals_sklearn_on_sst2(sst2_labels: tuple[list[str], list[str]]) -> None:
    predictions, references = sst2_labels
    expected = f1_score(references, predictions, average="macro", zero_division=0)
    assert score(predictions, references) == pytest.approx(expected, abs=1e-12)


def test_no_answer_does_not_add_a_class() -> None:
    # one unanswered example must not drag the mean down by a third (a phantom class at 0)
    predictions = ["a", "b", "a", "b", None]
    references = ["a", "b", "a", "b", "b"]
    expected = f1_score(references, ["a", "b", "a", "b", "<none>"], labels=["a", "b"], average="macro")
    assert score(predictions, references) == pytest.approx(expected, abs=1e-12)
    assert score(predictions, references) > 0.8


def test_example_gives_its_value() -> None:
    example = MacroF1Metric.example
    metric = MacroF1Metric()
    value = metric.aggregate(metric.stats(example.predictions, example.references))
    assert value == pytest.approx(example.value, abs=1e-12)


def test_takes_no_options() -> None:
    with pytest.raises(ConfigError, match="average: unknown option: it takes none"):
        MacroF1Metric(average="micro")
