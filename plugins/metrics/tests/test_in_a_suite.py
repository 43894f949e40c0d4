"""The metrics in a whole suite: values and intervals as the runner reports them."""

from __future__ import annotations

from typing import Any

from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef, precision_score, recall_score

from nlpbench_metrics import plugin


def test_every_metric_in_a_suite_equals_scikit_learn(nlpbench_run: Any) -> None:
    metrics = ["accuracy", "precision", "recall", "macro-f1", "mcc"]
    suite = {
        "name": "metrics",
        "models": [{"name": "tiny", "type": "tiny"}],
        "tasks": [{"name": "tiny", "type": "tiny", "metrics": metrics}],
    }
    run = nlpbench_run(suite, plugins=[plugin])
    cell = run.cell("tiny", "tiny")
    assert cell["status"] == "ok"
    predicted = [s["prediction"] for s in run.samples]
    truth = [s["references"][0] for s in run.samples]
    expected = {
        "accuracy": accuracy_score(truth, predicted),
        "precision": precision_score(truth, predicted, average="macro", zero_division=0),
        "recall": recall_score(truth, predicted, average="macro", zero_division=0),
        "macro-f1": f1_score(truth, predicted, average="macro", zero_division=0),
        "mcc": matthews_corrcoef(truth, predicted),
    }
    for name in metrics:
        score = cell["metrics"][name]
        assert abs(score["value"] - expected[name]) < 1e-12, name
        assert score["ci_low"] <= score["value"] <= score["ci_high"]


def test_metric_options_come_from_the_suite(nlpbench_run: Any) -> None:
    suite = {
        "name": "metrics",
        "models": [{"name": "tiny", "type": "tiny"}],
        "tasks": [
            {
                "name": "tiny",
                "type": "tiny",
                "metrics": [{"name": "precision", "average": "binary", "positive": "positive"}],
            }
        ],
    }
    run = nlpbench_run(suite, plugins=[plugin])
    predicted = [s["prediction"] for s in run.samples]
    truth = [s["references"][0] for s in run.samples]
    expected = precision_score(truth, predicted, average="binary", pos_label="positive")
    assert abs(run.cell("tiny", "tiny")["metrics"]["precision"]["value"] - expected) < 1e-12
