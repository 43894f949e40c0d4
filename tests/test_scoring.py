"""Metrics that read probabilities get them (and only they do), a score that cannot be
computed says why and leaves the cell ok, and one metric can be scored twice under
two labels (``as:``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from nlpbench import MetricExample, MetricNotComputed, hookimpl
from nlpbench.results.runs import rescore
from nlpbench.running.scoring import metric_stats
from nlpbench.testing import check_conformance
from nlpbench.testing.harness import make_host, run_suite_text
from nlpbench.testing.tiny import TinyTask


class ProbabilityTask(TinyTask):
    """The tiny task, giving the probability of each label where the strategy has one."""

    def probabilities(self, example: Any, strategy: str, answers: Sequence[Any]) -> dict[str, float] | None:
        if strategy != "classify":
            return None
        total = sum(answers[0].values())
        return {label: p / total for label, p in answers[0].items()}


class ConfidenceMetric:
    """The mean probability of the reference label (for tests only)."""

    uses_probabilities: ClassVar[bool] = True
    higher_is_better: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (0.0, 1.0)
    example: ClassVar[MetricExample] = MetricExample(
        ("a", "b"), (("a",), ("a",)), 0.5, probabilities=({"a": 0.75, "b": 0.25}, {"a": 0.25, "b": 0.75})
    )
    seen: ClassVar[list[Any]] = []

    def stats(
        self,
        predictions: Sequence[Any],
        references: Sequence[Sequence[Any]],
        probabilities: Sequence[Mapping[str, float]] = (),
    ) -> Any:
        ConfidenceMetric.seen.append(list(probabilities))
        return np.array([[p[str(refs[0])]] for p, refs in zip(probabilities, references, strict=True)])

    def aggregate(self, stats: Any) -> float:
        return float(stats[:, 0].mean())


class RefusingMetric:
    """Refuses to score anything (for tests only)."""

    higher_is_better: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (0.0, 1.0)
    example: ClassVar[MetricExample] = MetricExample(("a",), (("a",),), 1.0)

    def stats(self, predictions: Sequence[Any], references: Sequence[Sequence[Any]]) -> Any:
        raise MetricNotComputed("these predictions have nothing it reads")

    def aggregate(self, stats: Any) -> float:
        return 0.0


class ThresholdMetric:
    """1 when the prediction is the reference, scored with a ``weight`` option (for tests only)."""

    higher_is_better: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (0.0, 2.0)
    example: ClassVar[MetricExample] = MetricExample(("a",), (("a",),), 1.0)

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def stats(self, predictions: Sequence[Any], references: Sequence[Sequence[Any]]) -> Any:
        return np.array([[self.weight * (p in r)] for p, r in zip(predictions, references, strict=True)])

    def aggregate(self, stats: Any) -> float:
        return float(stats[:, 0].mean())


class Plugin:
    NLPBENCH_PLUGIN_NAME = "scoring"

    @hookimpl
    def register_tasks(self, register: Any) -> None:
        register(ProbabilityTask, name="probable")

    @hookimpl
    def register_metrics(self, register: Any) -> None:
        register(ConfidenceMetric, name="confidence")
        register(RefusingMetric, name="refusing")
        register(ThresholdMetric, name="threshold")


def _suite(capability: str, metrics: list[Any]) -> dict[str, Any]:
    return {
        "name": "scoring",
        "models": [{"name": "tiny", "type": "tiny", "params": {"capabilities": [capability]}}],
        "tasks": [{"name": "t", "type": "probable", "metrics": metrics}],
    }


def test_a_metric_that_uses_probabilities_receives_each_examples(tmp_path: Path) -> None:
    ConfidenceMetric.seen.clear()
    run = run_suite_text(_suite("classify", ["tiny-match", "confidence"]), tmp_path, host=make_host(Plugin()))
    cell = run.cell("tiny", "t")
    assert cell["status"] == "ok"
    [given] = ConfidenceMetric.seen
    assert given == [s["probabilities"] for s in run.samples]
    expected = np.mean([s["probabilities"][s["references"][0]] for s in run.samples])
    assert cell["metrics"]["confidence"]["value"] == pytest.approx(expected)
    assert cell["metrics"]["confidence"]["ci_low"] is not None


def test_without_probabilities_the_score_is_not_computed_and_the_cell_ok(tmp_path: Path) -> None:
    run = run_suite_text(_suite("generate", ["tiny-match", "confidence"]), tmp_path, host=make_host(Plugin()))
    cell = run.cell("tiny", "t")
    assert cell["status"] == "ok" and run.exit_code == 0
    score = cell["metrics"]["confidence"]
    assert score["value"] is None and score["ci_low"] is None
    assert score["reason"].startswith("not computed: metric 'confidence' needs each prediction's probabilities")
    assert cell["metrics"]["tiny-match"]["value"] is not None


def test_a_metric_may_refuse_predictions_it_cannot_score(tmp_path: Path) -> None:
    run = run_suite_text(_suite("classify", ["refusing", "tiny-match"]), tmp_path, host=make_host(Plugin()))
    score = run.cell("tiny", "t")["metrics"]["refusing"]
    assert score["value"] is None and score["reason"] == "not computed: these predictions have nothing it reads"


def test_rescoring_reads_the_stored_probabilities(tmp_path: Path) -> None:
    run = run_suite_text(_suite("classify", ["tiny-match", "confidence"]), tmp_path, host=make_host(Plugin()))
    before = run.cell("tiny", "t")["metrics"]["confidence"]
    results = rescore(run.out_dir, make_host(Plugin()))
    assert results["cells"][0]["metrics"]["confidence"]["value"] == pytest.approx(before["value"])


def test_one_metric_scored_twice_under_two_labels(tmp_path: Path) -> None:
    metrics = ["threshold", {"name": "threshold", "weight": 2.0, "as": "double"}]
    run = run_suite_text(_suite("classify", metrics), tmp_path, host=make_host(Plugin()))
    scores = run.cell("tiny", "t")["metrics"]
    assert scores["double"]["value"] == pytest.approx(2 * scores["threshold"]["value"])
    assert run.results["tasks"]["t"]["metrics"] == {"threshold": {}, "double": {"name": "threshold", "weight": 2.0}}
    results = rescore(run.out_dir, make_host(Plugin()))
    assert results["cells"][0]["metrics"]["double"]["value"] == scores["double"]["value"]


def test_a_label_used_twice_is_an_error(tmp_path: Path) -> None:
    from nlpbench import ConfigError

    with pytest.raises(ConfigError, match=r"tasks\[0\].metrics\[1\] \(threshold\): 'threshold' is listed twice"):
        run_suite_text(
            _suite("classify", ["threshold", {"name": "threshold", "weight": 2.0}]), tmp_path, host=make_host(Plugin())
        )


def test_metric_stats_passes_probabilities_only_to_metrics_that_ask() -> None:
    plain = metric_stats(ThresholdMetric(), "threshold", ["a"], [["a"]], [None])
    assert plain.tolist() == [[1.0]]
    with pytest.raises(MetricNotComputed, match="1 of 1 have none"):
        metric_stats(ConfidenceMetric(), "confidence", ["a"], [["a"]], [None])


def test_the_conformance_check_wants_a_probability_metrics_example_to_give_them() -> None:
    class NoExample(ConfidenceMetric):
        """Reads probabilities but its example gives none (for tests only)."""

        example: ClassVar[MetricExample] = MetricExample(("a",), (("a",),), 1.0)

    class Broken:
        NLPBENCH_PLUGIN_NAME = "broken"

        @hookimpl
        def register_metrics(self, register: Any) -> None:
            register(NoExample, name="no-example")

    class Good:
        NLPBENCH_PLUGIN_NAME = "good"

        @hookimpl
        def register_metrics(self, register: Any) -> None:
            register(ConfidenceMetric, name="confidence")

    assert check_conformance(Good()) == []
    assert check_conformance(Broken()) == [
        "metric 'no-example': uses probabilities, so its `example` must give one mapping per prediction in "
        "`probabilities`"
    ]
