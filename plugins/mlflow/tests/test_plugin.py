"""The plugin's registration, its lazy import, and what it plans to log (no MLflow needed)."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

import pytest

from nlpbench import ReporterError
from nlpbench.testing import assert_conformant
from nlpbench_mlflow import KeyMap, MlflowReporter, log_plan, plugin, sanitize_key
from nlpbench_mlflow.keys import MAX_KEY_LENGTH


def test_registers_the_mlflow_reporter() -> None:
    found: dict[str, Any] = {}

    def register(component: Any, name: str | None = None, aliases: Any = ()) -> None:
        assert name is not None
        found[name] = component

    plugin.register_reporters(register=register)
    assert found == {"mlflow": MlflowReporter}
    assert_conformant(plugin)
    (point,) = [p for p in entry_points(group="nlpbench") if p.name == "mlflow"]
    assert point.value == "nlpbench_mlflow.plugin"


def test_loading_the_plugin_does_not_import_mlflow() -> None:
    code = "import sys, nlpbench_mlflow.plugin; print(sorted(m for m in sys.modules if m.split('.')[0] == 'mlflow'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_keys_are_sanitized_unique_and_mapped_back() -> None:
    assert sanitize_key(["qa", "gpt-2 small", "squad-f1"]) == "qa/gpt-2 small/squad-f1"
    assert sanitize_key(["qa", "org/model:v1", "f1"], "_ci_low") == "qa/org_model_v1/f1_ci_low"
    assert sanitize_key(["..", "é", ""]) == "__/_/_"
    assert sanitize_key(["..hidden", " ", "x.y"]) == "__hidden/_/x.y"
    keys = KeyMap()
    first = keys.key(["t", "a:b", "m"], kind="metric", model="a:b")
    second = keys.key(["t", "a/b", "m"], kind="metric", model="a/b")
    assert (first, second) == ("t/a_b/m", "t/a_b/m_2")
    assert keys.key(["t", "a:b", "m"]) == first  # the same names, the same key
    assert keys.keys[first]["model"] == "a:b" and keys.keys[second]["model"] == "a/b"
    long = keys.key(["t" * 200, "m" * 200, "x"], kind="metric")
    other = keys.key(["t" * 200, "m" * 200, "y"], kind="metric")
    assert len(long) == len(other) == MAX_KEY_LENGTH and long != other


def _score(value: float, low: float | None, high: float | None) -> dict[str, Any]:
    return {"value": value, "ci_low": low, "ci_high": high, "higher_is_better": True}


PLANTED: dict[str, Any] = {
    "nlpbench": {"version": "0.1.0", "plugins": {"nlpbench": "0.1.0", "nlpbench-gpt": "0.2.0"}},
    "suite": {"name": "demo", "hash": "sha256:abc", "seed": 7, "path": "/x/demo.yaml"},
    "started": "2026-11-30T12:00:00Z",
    "finished": "2026-11-30T12:01:00Z",
    "status": "complete",
    "bootstrap": {"method": "percentile", "resamples": 1000, "confidence": 0.95},
    "cells": [
        {
            "model": "gpt:small",
            "task": "qa",
            "model_type": "gpt",
            "task_type": "qa",
            "status": "ok",
            "metrics": {"squad-f1": _score(61.5, 55.0, 68.25), "squad-em": _score(40.0, None, None)},
        },
        {
            "model": "gpt:small",
            "task": "sst2",
            "model_type": "gpt",
            "task_type": "sentiment",
            "status": "failed",
            "error": "boom",
            "metrics": {},
        },
        {
            "model": "bert",
            "task": "sst2",
            "model_type": "bert",
            "task_type": "sentiment",
            "status": "ok",
            "metrics": {"accuracy": _score(0.875, 0.75, 1.0), "mcc": _score(float("nan"), None, None)},
        },
    ],
    "comparisons": [],
    "audits": [],
}


def test_the_plan_holds_suite_params_and_every_ok_metric_with_its_interval() -> None:
    plan = log_plan(PLANTED)
    assert plan.params == {
        "suite/name": "demo",
        "suite/hash": "sha256:abc",
        "suite/seed": "7",
        "bootstrap/method": "percentile",
        "bootstrap/resamples": "1000",
        "bootstrap/confidence": "0.95",
        "nlpbench/version": "0.1.0",
        "models": "gpt:small, bert",
        "tasks": "qa, sst2",
        "model/gpt_small/type": "gpt",
        "model/bert/type": "bert",
        "task/qa/type": "qa",
        "task/sst2/type": "sentiment",
        "status/qa/gpt_small": "ok",
        "status/sst2/gpt_small": "failed",
        "status/sst2/bert": "ok",
        "plugin/nlpbench": "0.1.0",
        "plugin/nlpbench-gpt": "0.2.0",
    }
    assert plan.metrics == {
        "qa/gpt_small/squad-f1": 61.5,
        "qa/gpt_small/squad-f1_ci_low": 55.0,
        "qa/gpt_small/squad-f1_ci_high": 68.25,
        "qa/gpt_small/squad-em": 40.0,  # no interval to log
        "sst2/bert/accuracy": 0.875,
        "sst2/bert/accuracy_ci_low": 0.75,
        "sst2/bert/accuracy_ci_high": 1.0,
        # mcc: NaN is not logged; the failed cell has no metrics
    }
    assert plan.tags == {
        "nlpbench.status": "complete",
        "nlpbench.started": "2026-11-30T12:00:00Z",
        "nlpbench.finished": "2026-11-30T12:01:00Z",
        "nlpbench.suite_path": "/x/demo.yaml",
    }
    mapping = plan.mapping()
    assert mapping["metrics"]["qa/gpt_small/squad-f1_ci_low"] == {
        "kind": "metric",
        "task": "qa",
        "model": "gpt:small",
        "metric": "squad-f1",
        "field": "ci_low",
    }
    assert mapping["params"]["model/gpt_small/type"] == {"kind": "param", "name": "model/gpt:small/type"}
    assert set(mapping["metrics"]) == set(plan.metrics)
    assert set(mapping["params"]) == set(plan.params)


def test_a_bad_option_is_a_reporter_error() -> None:
    with pytest.raises(ReporterError, match=r"^mlflow: option 'tracking_uri' must be a non-empty string, not 5$"):
        MlflowReporter(tracking_uri=5)  # type: ignore[arg-type]
    with pytest.raises(ReporterError, match="experiment"):
        MlflowReporter(experiment=" ")
    with pytest.raises(ReporterError, match=r"^mlflow: option 'retries' must be a whole number ≥ 0, not -1$"):
        MlflowReporter(retries=-1)
    with pytest.raises(ReporterError, match="'timeout'"):
        MlflowReporter(timeout=True)
