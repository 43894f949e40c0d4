"""Regression test for a peer's bug: ROUGE must be deterministic.

HF evaluate's ``rouge`` reports rouge-score's ``BootstrapAggregator``, which resamples
with numpy's global random state, unseeded: the same summaries give different numbers
from one call to the next. Ours must give the same statistics every time, in every
process (whatever Python's hash seed, which changes the order of sets and dicts of
strings), and the runner the same value and interval on every run of a suite.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from nlpbench import Example, GenerateRequest, hookimpl
from nlpbench.testing import make_host, run_suite_text
from nlpbench_metrics import Rouge1Metric, Rouge2Metric, RougeLMetric, RougeLsumMetric
from nlpbench_metrics import plugin as metrics_plugin

NAMES = ["rouge-1", "rouge-2", "rouge-l", "rouge-lsum"]


def summaries(count: int = 40, seed: int = 12) -> list[tuple[str, str]]:
    """(summary, reference) pairs of repeated, inflected words: many ties for the LCS to break."""
    rng = random.Random(seed)
    words = ["police", "arrested", "arrests", "arresting", "two", "men", "the", "a", "on", "monday", "charged"]

    def text() -> str:
        return ". ".join(" ".join(rng.choice(words) for _ in range(rng.randint(2, 10))) for _ in range(3)) + "."

    return [(text(), text()) for _ in range(count)]


# -- in one process, and across processes ---------------------------------------

SCRIPT = """
import hashlib, json, sys
from nlpbench.statistics.bootstrap import bootstrap
from nlpbench_metrics import Rouge1Metric, Rouge2Metric, RougeLMetric, RougeLsumMetric
pairs = json.loads(sys.stdin.read())
out = {}
for metric_class in (Rouge1Metric, Rouge2Metric, RougeLMetric, RougeLsumMetric):
    metric = metric_class()
    stats = metric.stats([p for p, _ in pairs], [(r,) for _, r in pairs])
    estimate = bootstrap(stats, metric.aggregate, resamples=1000, confidence=0.95, seed=1234,
                         aggregate_resamples=metric.aggregate_resamples)
    out[metric_class.name] = [hashlib.sha256(stats.tobytes()).hexdigest(), estimate.value, estimate.ci_low, estimate.ci_high]
print(json.dumps(out))
"""


def test_twice_in_one_process_gives_the_same_statistics() -> None:
    pairs = summaries()
    for metric_class in (Rouge1Metric, Rouge2Metric, RougeLMetric, RougeLsumMetric):
        first = metric_class().stats([p for p, _ in pairs], [(r,) for _, r in pairs])
        second = metric_class().stats([p for p, _ in pairs], [(r,) for _, r in pairs])
        assert np.array_equal(first, second)


@pytest.mark.slow  # two fresh interpreters, each importing nltk
def test_two_processes_with_different_hash_seeds_agree() -> None:
    pairs = json.dumps(summaries())
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        runs.append(
            subprocess.Popen(
                [sys.executable, "-c", SCRIPT],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
        )
    outputs = []
    for run in runs:
        stdout, stderr = run.communicate(pairs, timeout=120)
        assert run.returncode == 0, stderr
        outputs.append(json.loads(stdout))
    assert outputs[0] == outputs[1]
    assert sorted(outputs[0]) == sorted(NAMES)
    for _, value, low, high in outputs[0].values():
        assert low < value < high


# -- through the runner ----------------------------------------------------------


class EchoSummaryModel:
    """Answers each generate request with its ``source``: the summary to score (tests only)."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"generate"})

    def __init__(self, spec: Any) -> None:
        pass

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        return [r.source or "" for r in requests]


class SummariesTask:
    """The made-up summaries above, each with its reference (tests only)."""

    strategies: ClassVar[tuple[str, ...]] = ("generate",)
    default_metrics: ClassVar[tuple[str, ...]] = tuple(NAMES)

    def __init__(self, spec: Any) -> None:
        pass

    def examples(self) -> Iterable[Example]:
        for index, (summary, reference) in enumerate(summaries()):
            yield Example(f"summary-{index}", summary, (reference,), {"summary": summary})

    def build_requests(self, example: Example, strategy: str) -> Sequence[GenerateRequest]:
        return [GenerateRequest(prompt="Summarize.", source=example.fields["summary"])]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        return answers[0]


class SummariesPlugin:
    @hookimpl
    def register_models(self, register: Any) -> None:
        register(EchoSummaryModel, name="echo-summary")

    @hookimpl
    def register_tasks(self, register: Any) -> None:
        register(SummariesTask, name="summaries")


SUITE = {
    "name": "rouge-twice",
    "seed": 1234,
    "models": [{"name": "echo", "type": "echo-summary"}],
    "tasks": [{"name": "summaries", "type": "summaries"}],
}


def test_two_runs_of_a_suite_give_the_same_values_and_intervals(tmp_path: Path) -> None:
    results = []
    for folder in ("first", "second"):
        host = make_host(metrics_plugin, SummariesPlugin())
        run = run_suite_text(SUITE, tmp_path / folder, host=host)
        assert run.exit_code == 0, run.log
        results.append(run.cell("echo", "summaries")["metrics"])
    assert results[0] == results[1]
    assert sorted(results[0]) == sorted(NAMES)
    for score in results[0].values():
        assert score["ci_low"] < score["value"] < score["ci_high"]
        assert score["info"]["implementation"] == "rouge-score 0.1.2"
