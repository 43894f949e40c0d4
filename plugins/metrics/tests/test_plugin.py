from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

import pytest

from nlpbench import Metric
from nlpbench.testing import assert_conformant
from nlpbench_metrics import plugin


def registered() -> dict[str, Any]:
    found: dict[str, Any] = {}

    def register(component: Any, name: str | None = None, aliases: Any = ()) -> None:
        assert name is not None and name not in found
        found[name] = component

    plugin.register_metrics(register=register)
    return found


def test_registers_one_metric_per_score() -> None:
    assert sorted(registered()) == [
        "accuracy",
        "bits-per-byte",
        "bleu",
        "brier",
        "byte-perplexity",
        "chrf",
        "ece",
        "macro-f1",
        "mcc",
        "perplexity",
        "precision",
        "recall",
        "rouge-1",
        "rouge-2",
        "rouge-l",
        "rouge-lsum",
        "squad-em",
        "squad-f1",
        "ter",
        "word-perplexity",
    ]


@pytest.mark.parametrize("name", ["accuracy", "precision", "recall", "macro-f1", "mcc"])
def test_each_follows_the_protocol(name: str) -> None:
    component = registered()[name]
    metric = component()
    assert isinstance(metric, Metric)
    assert component.name == name
    assert component.higher_is_better is True
    low, high = component.scale
    assert low < high <= 1.0
    assert (component.__doc__ or "").strip().split("\n")[0]  # the listing's description
    example = component.example
    value = metric.aggregate(metric.stats(example.predictions, example.references))
    assert value == pytest.approx(example.value, abs=1e-12)
    assert low <= value <= high


def test_entry_point() -> None:
    (point,) = [ep for ep in entry_points(group="nlpbench") if ep.name == "metrics"]
    assert point.value == "nlpbench_metrics.plugin"


def test_plugin_import_is_light() -> None:
    # listing plugins imports plugin.py: neither scikit-learn nor numpy (nor rouge-score and
    # nltk, which take seconds) may load then
    heavy = "{'sklearn', 'numpy', 'rouge_score', 'nltk', 'absl'}"
    code = f"import sys, nlpbench_metrics.plugin; print(sorted({heavy} & set(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "[]"


def test_conformance() -> None:
    # the core's author kit checks the contract (docstrings, example values, fast path)
    assert_conformant(plugin)
