"""Failure isolation, case by case: a model, task, metric, audit and reporter that raise
or misbehave in each of their methods in turn.

Whatever a plugin does (raise, call ``sys.exit``, raise its own ``BaseException``,
answer too few or the wrong things, hand over NaN probabilities or objects that are not
JSON), the run completes: the faulty cells fail with a one-line ``error`` and a
``traceback`` that shows the plugin's own code, every other cell is ok, the report is
written, and the exit code is 1. The matrix runs in-process (the harness); the cases
that only a real process can show (``sys.exit``, SIGTERM, a closed stdout) run the CLI.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from click.testing import CliRunner

from nlpbench import (
    ClassifyRequest,
    EncodeRequest,
    Example,
    ExtractSpanRequest,
    GenerateRequest,
    LoglikelihoodRequest,
    LoglikelihoodRollingRequest,
    ModelSpec,
    Perturbation,
    TaskSpec,
    hookimpl,
)
from nlpbench.cli import build_cli
from nlpbench.contracts.errors import ConfigError, DataError
from nlpbench.testing import make_host, run_suite_text
from nlpbench.testing.tiny import TinyModel

from .conftest import NLPBENCH, child_env

HERE = Path(__file__).resolve()
LABELS = ("positive", "negative")
TEXTS = ("a good film", "dull and long", "good fun", "no sense")


class Kaboom(BaseException):
    """A plugin's own BaseException subclass (not an Exception)."""


class Fault:
    """What a faulty component is told to do: ``"method:kind"``, e.g. ``"classify:count"``."""

    def __init__(self, text: str) -> None:
        self.method, _, self.kind = str(text).partition(":")

    def of(self, method: str) -> str | None:
        """The fault's kind when it is ``method``'s."""
        return self.kind if self.method == method else None

    def trigger(self, method: str) -> None:
        """Raise as told, when the fault is ``method``'s: the frame is the plugin's own."""
        kind = self.of(method)
        if kind == "raise":
            raise RuntimeError(f"boom in {method}")
        if kind == "exit":
            sys.exit(3)
        if kind == "systemexit":
            raise SystemExit("bye")
        if kind == "base":
            raise Kaboom(f"kaboom in {method}")


# -- the faulty components ---------------------------------------------------------


class FaultyModel:
    """Answers like the tiny model, except where its ``fault`` param says otherwise."""

    capabilities: ClassVar[frozenset[str]] = TinyModel.capabilities

    def __init__(self, spec: ModelSpec) -> None:
        self.fault = Fault(spec.params.get("fault", ""))
        self.fault.trigger("load")
        self.tiny = TinyModel(ModelSpec(spec.name, "tiny"))

    @classmethod
    def capabilities_for(cls, spec: ModelSpec) -> frozenset[str]:
        Fault(spec.params.get("fault", "")).trigger("capabilities_for")
        return cls.capabilities

    @classmethod
    def check_spec(cls, spec: ModelSpec) -> None:
        Fault(spec.params.get("fault", "")).trigger("check_spec")

    def _answers(self, capability: str, requests: Sequence[Any]) -> list[Any]:
        answers = list(getattr(self.tiny, capability)(requests))
        kind = self.fault.of(capability)
        if kind == "count":
            return answers[:-1]
        if kind == "type":
            return [42 for _ in answers]
        return answers

    def generate(self, requests: Sequence[Any]) -> list[Any]:
        self.fault.trigger("generate")
        return self._answers("generate", requests)

    def loglikelihood(self, requests: Sequence[Any]) -> list[Any]:
        self.fault.trigger("loglikelihood")
        return self._answers("loglikelihood", requests)

    def loglikelihood_rolling(self, requests: Sequence[Any]) -> list[Any]:
        self.fault.trigger("loglikelihood_rolling")
        return self._answers("loglikelihood_rolling", requests)

    def classify(self, requests: Sequence[Any]) -> list[Any]:
        self.fault.trigger("classify")
        return self._answers("classify", requests)

    def extract_span(self, requests: Sequence[Any]) -> list[Any]:
        self.fault.trigger("extract_span")
        return self._answers("extract_span", requests)

    def encode(self, requests: Sequence[Any]) -> list[Any]:
        self.fault.trigger("encode")
        return self._answers("encode", requests)

    def describe(self) -> Any:
        self.fault.trigger("describe")
        kind = self.fault.of("describe")
        if kind == "object":
            return object()
        if kind == "nonjson":
            return {"device": "cpu", "handle": object()}
        return {"calls": self.tiny.calls}

    def tokens_processed(self) -> Any:
        self.fault.trigger("tokens_processed")
        return "many" if self.fault.of("tokens_processed") == "type" else 10 * self.tiny.calls

    def close(self) -> None:
        self.fault.trigger("close")


class FaultyTask:
    """Four sentences labelled positive or negative, asked with the strategy its
    ``strategy`` param names (any capability), and faulty where ``fault`` says."""

    strategies: ClassVar[tuple[str, ...]] = ("classify",)
    default_metrics: ClassVar[tuple[str, ...]] = ("tiny-match",)

    def __init__(self, spec: TaskSpec) -> None:
        self.fault = Fault(spec.params.get("fault", ""))
        self.strategies = (spec.params.get("strategy", "classify"),)  # type: ignore[misc]
        self.fault.trigger("init")

    @classmethod
    def strategies_for(cls, spec: TaskSpec) -> tuple[str, ...]:
        return (spec.params.get("strategy", "classify"),)

    @classmethod
    def default_metrics_for(cls, spec: TaskSpec) -> tuple[str, ...]:
        Fault(spec.params.get("fault", "")).trigger("default_metrics_for")
        return cls.default_metrics

    def examples(self) -> Iterable[Example]:
        self.fault.trigger("examples")
        for index, text in enumerate(TEXTS):
            if index == 2 and self.fault.of("examples") == "midway":
                raise RuntimeError("the data ran dry midway")
            yield Example(f"e{index}", text, (LABELS[0] if "good" in text else LABELS[1],))

    def for_model(self, model: ModelSpec) -> Any:
        self.fault.trigger("for_model")
        return None if self.fault.of("for_model") == "none" else self

    def build_requests(self, example: Example, strategy: str) -> Any:
        self.fault.trigger("build_requests")
        kind = self.fault.of("build_requests")
        if kind == "empty":
            return []
        if kind == "type":
            return "not a request"
        text = str(example.input)
        return {
            "generate": [GenerateRequest(text, max_new_tokens=3)],
            "loglikelihood": [LoglikelihoodRequest(text, f" {label}") for label in LABELS],
            "loglikelihood_rolling": [LoglikelihoodRollingRequest(text)],
            "classify": [ClassifyRequest(text, LABELS)],
            "extract_span": [ExtractSpanRequest("which word?", text)],
            "encode": [EncodeRequest(text)],
        }[strategy]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        self.fault.trigger("process_answers")
        if self.fault.of("process_answers") == "nonjson":
            return object()
        if strategy == "classify":
            return max(answers[0], key=answers[0].get)
        if strategy == "loglikelihood":
            return LABELS[int(np.argmax([a.logprob for a in answers]))]
        return LABELS[0]  # the other capabilities' answers carry no label

    def probabilities(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        self.fault.trigger("probabilities")
        kind = self.fault.of("probabilities")
        if kind == "nan":
            return dict.fromkeys(LABELS, math.nan)
        if kind == "sum":
            return dict.fromkeys(LABELS, 0.9)
        return dict(answers[0]) if strategy == "classify" else None

    def describe(self) -> Any:
        self.fault.trigger("describe")
        return object() if self.fault.of("describe") == "object" else {"sentences": len(TEXTS)}


class FaultyMetric:
    """Exact match, faulty where its ``fault`` option says."""

    higher_is_better: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (0.0, 1.0)

    def __init__(self, fault: str = "") -> None:
        self.fault = Fault(fault)
        self.fault.trigger("init")

    def stats(self, predictions: Sequence[Any], references: Sequence[Sequence[Any]]) -> Any:
        self.fault.trigger("stats")
        kind = self.fault.of("stats")
        if kind == "nan":
            return np.full((len(predictions), 1), np.nan)
        if kind == "shape":
            return np.zeros((len(predictions) + 1, 1))
        return np.array([[float(p in refs)] for p, refs in zip(predictions, references, strict=True)])

    def aggregate(self, stats: Any) -> float:
        self.fault.trigger("aggregate")
        return float(stats[:, 0].mean()) if len(stats) else math.nan

    def describe(self) -> Any:
        self.fault.trigger("describe")
        return object() if self.fault.of("describe") == "object" else {"exact": True}


class FaultyAudit:
    """Appends a word to each example and measures whether the prediction moved."""

    measures: ClassVar[tuple[str, ...]] = ("moved",)

    def __init__(self, fault: str = "") -> None:
        self.fault = Fault(fault)
        self.fault.trigger("init")

    def perturb(self, example: Example) -> Iterator[Perturbation]:
        self.fault.trigger("perturb")
        yield Perturbation("louder", Example(f"{example.id}-loud", f"{example.input}!", example.references))

    def measure(self, example: Example, original: Any, perturbation: Perturbation, perturbed: Any) -> dict[str, float]:
        self.fault.trigger("measure")
        return {"moved": float(original != perturbed)}


class FaultyStandaloneAudit:
    """Brings its own sentences, classified by each model; faulty where ``fault`` says."""

    standalone: ClassVar[bool] = True
    strategies: ClassVar[tuple[str, ...]] = ("classify",)
    measures: ClassVar[tuple[str, ...]] = ("positive",)
    data_name = "sentences"

    def __init__(self, fault: str = "") -> None:
        self.fault = Fault(fault)

    def examples(self) -> list[Example]:
        self.fault.trigger("examples")
        return [Example(f"s{i}", text, ()) for i, text in enumerate(TEXTS)]

    def build_requests(self, example: Example, strategy: str) -> list[Any]:
        return [ClassifyRequest(str(example.input), LABELS)]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        self.fault.trigger("process_answers")
        return {"positive": float(answers[0]["positive"] > 0.5)}


class FaultyReporter:
    """Writes nothing, faulty where its ``fault`` option says."""

    def __init__(self, fault: str = "") -> None:
        self.fault = Fault(fault)

    def write(self, results: Any, out_dir: Path) -> str | None:
        self.fault.trigger("write")
        return None


class FaultyPlugin:
    NLPBENCH_PLUGIN_NAME = "faulty"

    @hookimpl
    def register_models(self, register: Any) -> None:
        register(FaultyModel, name="faulty")

    @hookimpl
    def register_tasks(self, register: Any) -> None:
        register(FaultyTask, name="faulty-task")

    @hookimpl
    def register_metrics(self, register: Any) -> None:
        register(FaultyMetric, name="faulty-metric")

    @hookimpl
    def register_bias_audits(self, register: Any) -> None:
        register(FaultyAudit, name="faulty-audit")
        register(FaultyStandaloneAudit, name="faulty-standalone")

    @hookimpl
    def register_reporters(self, register: Any) -> None:
        register(FaultyReporter, name="faulty-reporter")


# -- the matrix ----------------------------------------------------------------------

CAPABILITIES = ("generate", "loglikelihood", "loglikelihood_rolling", "classify", "extract_span", "encode")
RAISING = {
    "raise": "RuntimeError: boom in {method}",
    "exit": "the plugin called sys.exit(3)",
    "systemexit": "the plugin called sys.exit('bye')",
    "base": "the plugin raised Kaboom: kaboom in {method} (a BaseException, not an Exception)",
}
BOTH = {("bad", "t"), ("good", "t")}  # a task's fault fails its cells for every model


@dataclass(frozen=True)
class Case:
    """One faulty method: the suite's entries that make it so, the cells (model, task)
    that must fail, a text their error contains, and the plugin function their
    traceback must show."""

    id: str
    error: str
    frame: str
    model: dict[str, Any] = field(default_factory=dict)
    task: dict[str, Any] = field(default_factory=dict)
    failed: frozenset[tuple[str, str]] = frozenset({("bad", "t")})
    audit: dict[str, Any] | None = None
    reporter: dict[str, Any] | None = None


def _model_cases() -> Iterator[Case]:
    for kind, error in RAISING.items():
        yield Case(f"model-load-{kind}", error.format(method="load"), "__init__", model={"fault": f"load:{kind}"},
                   failed=frozenset({("bad", "t"), ("bad", "other")}))  # fmt: skip
    yield Case("model-capabilities_for", "capabilities_for() failed: RuntimeError: boom in capabilities_for",
               "capabilities_for", model={"fault": "capabilities_for:raise"},
               failed=frozenset({("bad", "t"), ("bad", "other")}))  # fmt: skip
    for capability in CAPABILITIES:
        task = {"strategy": capability}
        # the tiny task ("other") asks the model to classify too
        failed = frozenset({("bad", "t"), ("bad", "other")} if capability == "classify" else {("bad", "t")})
        for kind, error in RAISING.items():
            yield Case(f"model-{capability}-{kind}", error.format(method=capability), capability,
                       model={"fault": f"{capability}:{kind}"}, task=task, failed=failed)  # fmt: skip
        yield Case(f"model-{capability}-count", f"{capability}: the model returned ",
                   capability, model={"fault": f"{capability}:count"}, task=task, failed=failed)  # fmt: skip
        yield Case(f"model-{capability}-type", f"{capability}: the model's answer for example '",
                   capability, model={"fault": f"{capability}:type"}, task=task, failed=failed)  # fmt: skip
    describe_failed = frozenset({("bad", "t"), ("bad", "other")})
    yield Case("model-describe-raise", "model 'bad': describe() failed: RuntimeError: boom in describe", "describe",
               model={"fault": "describe:raise"}, failed=describe_failed)  # fmt: skip
    yield Case("model-describe-object", "model 'bad': describe() returned object, not a mapping of JSON values",
               "describe", model={"fault": "describe:object"}, failed=describe_failed)  # fmt: skip
    yield Case("model-describe-nonjson", "model 'bad': describe() returned a value that is not JSON: object at ['handle']",
               "describe", model={"fault": "describe:nonjson"}, failed=describe_failed)  # fmt: skip
    yield Case("model-tokens_processed-raise", "tokens_processed() failed: RuntimeError: boom in tokens_processed",
               "tokens_processed", model={"fault": "tokens_processed:raise"}, failed=describe_failed)  # fmt: skip
    yield Case("model-tokens_processed-type", "tokens_processed() returned 'many', not a count of tokens",
               "tokens_processed", model={"fault": "tokens_processed:type"}, failed=describe_failed)  # fmt: skip


def _task_cases() -> Iterator[Case]:
    def case(id_: str, fault: str, error: str, frame: str, **extra: Any) -> Case:
        return Case(id_, error, frame, task={"fault": fault, **extra}, failed=frozenset(BOTH))

    yield case("task-init", "init:raise", "loading the task: RuntimeError: boom in init", "__init__")
    yield case("task-examples", "examples:raise", "loading the task: RuntimeError: boom in examples", "examples")
    yield case("task-examples-midway", "examples:midway", "loading the task: RuntimeError: the data ran dry midway",
               "examples")  # fmt: skip
    yield case("task-for_model-raise", "for_model:raise",
               "preparing the task for the model: RuntimeError: boom in for_model", "for_model")  # fmt: skip
    yield case("task-for_model-none", "for_model:none", "task 't': for_model() returned None, not a task", "for_model")
    yield case("task-build_requests-raise", "build_requests:raise",
               "building requests for example 'e0': RuntimeError: boom in build_requests", "build_requests")  # fmt: skip
    yield case("task-build_requests-empty", "build_requests:empty", "the task built no requests for example 'e0'",
               "build_requests")  # fmt: skip
    yield case("task-build_requests-type", "build_requests:type",
               "build_requests() for example 'e0' returned str, not a list of requests", "build_requests")  # fmt: skip
    yield case("task-process_answers-raise", "process_answers:raise",
               "processing answers for example 'e0': RuntimeError: boom in process_answers", "process_answers")  # fmt: skip
    yield case("task-process_answers-exit", "process_answers:exit",
               "processing answers for example 'e0': the plugin called sys.exit(3)", "process_answers")  # fmt: skip
    yield case("task-process_answers-nonjson", "process_answers:nonjson",
               "process_answers() for example 'e0' gave a prediction that is not JSON: object", "process_answers")  # fmt: skip
    yield case("task-probabilities-raise", "probabilities:raise",
               "processing answers for example 'e0': RuntimeError: boom in probabilities", "probabilities")  # fmt: skip
    yield case("task-probabilities-nan", "probabilities:nan",
               "probabilities() for example 'e0': label 'positive' has probability nan", "probabilities")  # fmt: skip
    yield case("task-probabilities-sum", "probabilities:sum",
               "probabilities() for example 'e0': the probabilities sum to 1.8, not 1", "probabilities")  # fmt: skip
    yield case("task-describe-raise", "describe:raise", "task 't': describe() failed: RuntimeError: boom in describe",
               "describe")  # fmt: skip
    yield case("task-describe-object", "describe:object",
               "task 't': describe() returned object, not a mapping of JSON values", "describe")  # fmt: skip


def _metric_cases() -> Iterator[Case]:
    def case(id_: str, fault: str, error: str, frame: str) -> Case:
        metrics = [{"name": "faulty-metric", "fault": fault}, "tiny-match"]
        return Case(id_, error, frame, task={"type": "tiny", "metrics": metrics}, failed=frozenset(BOTH))

    yield case("metric-init", "init:raise", "building metric 'faulty-metric': RuntimeError: boom in init", "__init__")
    yield case("metric-stats-raise", "stats:raise", "metric 'faulty-metric': RuntimeError: boom in stats", "stats")
    yield case("metric-stats-exit", "stats:exit", "metric 'faulty-metric': the plugin called sys.exit(3)", "stats")
    yield case("metric-stats-nan", "stats:nan", "metric 'faulty-metric' returned NaN statistics for example 'tiny-0'",
               "stats")  # fmt: skip
    yield case("metric-stats-shape", "stats:shape",
               "metric 'faulty-metric' returned statistics of shape (9, 1) for 8 examples", "stats")  # fmt: skip
    yield case("metric-aggregate", "aggregate:raise", "metric 'faulty-metric': RuntimeError: boom in aggregate",
               "aggregate")  # fmt: skip
    yield case("metric-describe-raise", "describe:raise",
               "metric 'faulty-metric': describe() failed: RuntimeError: boom in describe", "describe")  # fmt: skip
    yield case("metric-describe-object", "describe:object",
               "metric 'faulty-metric': describe() returned object, not a mapping of JSON values", "describe")  # fmt: skip


CELL_CASES = [*_model_cases(), *_task_cases(), *_metric_cases()]


def _suite(case: Case) -> dict[str, Any]:
    """Models ``bad`` (faulty, with the case's params) and ``good`` (tiny); tasks ``t``
    (the faulty task, or the tiny one scored with the case's metrics) and ``other`` (tiny)."""
    options = dict(case.task)
    task: dict[str, Any] = {"name": "t", "type": options.pop("type", "faulty-task")}
    if "metrics" in options:
        task["metrics"] = options.pop("metrics")
    if options:
        task["params"] = options
    return {
        "name": "faulty",
        "seed": 7,
        "models": [{"name": "bad", "type": "faulty", "params": case.model}, {"name": "good", "type": "tiny"}],
        "tasks": [task, {"name": "other", "type": "tiny"}],
        "reporters": [case.reporter, "html"] if case.reporter else ["html"],
    }


def _frame_pattern(method: str) -> re.Pattern[str]:
    """A traceback line in this file, in the plugin function ``method`` (or ``Class.method``)."""
    return re.compile(rf'File "{re.escape(str(HERE))}", line \d+, in (\w+\.)?{re.escape(method)}\n')


def _run(tmp_path: Path, suite: dict[str, Any]) -> Any:
    return run_suite_text(suite, tmp_path, host=make_host(FaultyPlugin()))


def _written(run: Any) -> dict[str, Any]:
    results: dict[str, Any] = json.loads((run.out_dir / "results.json").read_text(encoding="utf-8"))
    return results


@pytest.mark.parametrize("case", CELL_CASES, ids=[c.id for c in CELL_CASES])
def test_a_faulty_method_fails_its_cells_and_nothing_else(tmp_path: Path, case: Case) -> None:
    run = _run(tmp_path, _suite(case))
    assert run.exit_code == 1
    results = _written(run)
    assert results["status"] == "complete"
    assert (run.out_dir / "report.html").is_file()
    statuses = {(c["model"], c["task"]): c["status"] for c in results["cells"]}
    assert len(statuses) == 4
    assert {cell for cell, status in statuses.items() if status == "failed"} == case.failed
    assert all(status == "ok" for cell, status in statuses.items() if cell not in case.failed)
    for cell in results["cells"]:
        if cell["status"] != "failed":
            assert cell["traceback"] is None
            continue
        assert case.error in cell["error"] and "\n" not in cell["error"]
        assert _frame_pattern(case.frame).search(cell["traceback"]), cell["traceback"]
    assert "object at 0x" not in (run.out_dir / "results.json").read_text(encoding="utf-8")


AUDIT_CASES = [
    Case("audit-init", "failed: building the audit: RuntimeError: boom in init", "__init__",
         audit={"type": "faulty-audit", "params": {"fault": "init:raise"}}),
    Case("audit-perturb", "failed: perturbing example 'tiny-0': RuntimeError: boom in perturb", "perturb",
         audit={"type": "faulty-audit", "params": {"fault": "perturb:raise"}}),
    Case("audit-measure", "failed: measuring example 'tiny-0': RuntimeError: boom in measure", "measure",
         audit={"type": "faulty-audit", "params": {"fault": "measure:raise"}}),
    Case("audit-measure-base", "failed: the plugin raised Kaboom: kaboom in measure", "measure",
         audit={"type": "faulty-audit", "params": {"fault": "measure:base"}}),
]  # fmt: skip


@pytest.mark.parametrize("case", AUDIT_CASES, ids=[c.id for c in AUDIT_CASES])
def test_a_faulty_audit_fails_its_entries_only(tmp_path: Path, case: Case) -> None:
    assert case.audit is not None
    suite = _suite(case)
    suite["audits"] = [{**case.audit, "tasks": ["other"]}]
    run = _run(tmp_path, suite)
    assert run.exit_code == 1
    results = _written(run)
    assert results["status"] == "complete"
    assert (run.out_dir / "report.html").is_file()
    assert {c["status"] for c in results["cells"]} == {"ok"}
    entries = results["audits"]
    assert [(e["model"], e["task"]) for e in entries] == [("bad", "other"), ("good", "other")]
    for entry in entries:
        assert entry["reason"].startswith(case.error) and "\n" not in entry["reason"]
        assert _frame_pattern(case.frame).search(entry["traceback"]), entry["traceback"]


@pytest.mark.parametrize(
    ("fault", "error", "frame"),
    [
        ("examples:raise", "failed: RuntimeError: boom in examples", "examples"),
        ("process_answers:exit", "failed: processing answers for example 's0': the plugin called sys.exit(3)",
         "process_answers"),
    ],
)  # fmt: skip
def test_a_faulty_standalone_audit_fails_its_entries_only(tmp_path: Path, fault: str, error: str, frame: str) -> None:
    suite = {**_suite(Case("s", "", "")), "audits": [{"type": "faulty-standalone", "params": {"fault": fault}}]}
    run = _run(tmp_path, suite)
    assert run.exit_code == 1
    results = _written(run)
    assert results["status"] == "complete" and {c["status"] for c in results["cells"]} == {"ok"}
    assert [(e["model"], e["task"]) for e in results["audits"]] == [("bad", "sentences"), ("good", "sentences")]
    for entry in results["audits"]:
        assert entry["reason"] == error
        assert _frame_pattern(frame).search(entry["traceback"]), entry["traceback"]


@pytest.mark.parametrize("kind", ["raise", "exit", "base"])
def test_a_faulty_reporter_is_a_warning_with_its_traceback(tmp_path: Path, kind: str) -> None:
    case = Case("reporter", "", "write", reporter={"name": "faulty-reporter", "fault": f"write:{kind}"})
    run = _run(tmp_path, _suite(case))
    assert run.exit_code == 1
    assert _written(run)["status"] == "complete"
    assert (run.out_dir / "report.html").is_file()
    warning = next(line for line in run.log if line.startswith("warning: reporter 'faulty-reporter' failed: "))
    assert RAISING[kind].format(method="write") in warning
    assert _frame_pattern("write").search("\n".join(run.log) + "\n")


def test_a_close_that_raises_keeps_every_cell_and_says_so(tmp_path: Path) -> None:
    run = _run(tmp_path, _suite(Case("close", "", "close", model={"fault": "close:raise"})))
    assert run.exit_code == 1
    results = _written(run)
    assert results["status"] == "complete"
    assert {c["status"] for c in results["cells"]} == {"ok"}
    (warning,) = results["warnings"]
    assert warning["warning"] == "closing model 'bad' failed: RuntimeError: boom in close"
    assert _frame_pattern("close").search(warning["traceback"])
    assert (run.out_dir / "report.html").is_file()


def test_a_bug_in_check_spec_is_said_before_anything_runs(tmp_path: Path) -> None:
    """``check_spec`` is validation: when it has a bug, the entry it checks cannot be
    known to be valid, so the suite stops before any model loads (one line, exit 2)."""
    case = Case("check_spec", "", "check_spec", model={"fault": "check_spec:raise"})
    with pytest.raises(ConfigError, match=r"check_spec\(\) raised RuntimeError: boom in check_spec"):
        _run(tmp_path, _suite(case))
    assert not (tmp_path / "run" / "results.json").exists()


BAD_SUITE = "name: d\nmodels:\n  - {name: bad, type: faulty, params: {fault: '%s'}}\n  - {name: good, type: tiny}\ntasks:\n  - {name: t, type: tiny}\n"
BAD_TASK_SUITE = (
    "name: d\nmodels: [{name: good, type: tiny}]\ntasks:\n  - {name: t, type: faulty-task, params: {fault: '%s'}}\n"
)
#: checks made while the suite is read whose plugin code may raise: (suite, fault, the line said)
CHECKS = {
    "check_spec": (BAD_SUITE, "3: models[0]: check_spec() raised RuntimeError: boom in check_spec"),
    "default_metrics_for": (
        BAD_TASK_SUITE,
        "4: tasks[0]: default_metrics_for() raised RuntimeError: boom in default_metrics_for",
    ),
}


@pytest.mark.parametrize("method", CHECKS)
@pytest.mark.parametrize("command", ["validate", "run"])
def test_debug_prints_the_traceback_of_a_check_that_raised(tmp_path: Path, command: str, method: str) -> None:
    """Without --debug, one line; with it, that line's exception in full, down to the plugin's frame."""
    text, said = CHECKS[method]
    suite = tmp_path / "suite.yaml"
    suite.write_text(text % f"{method}:raise", encoding="utf-8")
    host = make_host(FaultyPlugin())
    args = [command, str(suite)] + (["--out", str(tmp_path / "out")] if command == "run" else [])
    plain = CliRunner().invoke(build_cli(host), args, obj={"host": host})
    assert plain.exit_code == 2
    line = f"Error: {suite}:{said} (a bug in the plugin)"
    assert plain.stderr == line + "\n"
    debug = CliRunner().invoke(build_cli(host), ["--debug", *args], obj={"host": host})
    assert isinstance(debug.exception, ConfigError) and line.removeprefix("Error: ") in str(debug.exception)
    assert debug.stderr.startswith("Traceback (most recent call last):")
    assert _frame_pattern(method).search(debug.stderr) and _frame_pattern("trigger").search(debug.stderr)
    assert debug.stderr.rstrip().endswith(f"RuntimeError: boom in {method}")
    assert not (tmp_path / "out").exists()


def test_validate_says_why_a_cell_whose_capabilities_for_raised_will_fail(tmp_path: Path) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(BAD_SUITE % "capabilities_for:raise", encoding="utf-8")
    host = make_host(FaultyPlugin())
    result = CliRunner().invoke(build_cli(host), ["validate", str(suite)], obj={"host": host})
    assert result.exit_code == 1  # as the run's: the plugin's bug fails its cells, the rest runs
    assert result.stdout.splitlines()[1:] == [
        "  bad × t: will fail: the model type's capabilities_for() failed: RuntimeError: boom in capabilities_for",
        "  good × t: via classify",
    ]
    assert "(1 runnable, 0 not applicable, 1 will fail)" in result.stdout


def test_a_faulty_cell_fails_the_same_way_every_time(tmp_path: Path) -> None:
    """A failed cell's record is data, not addresses or timings: two runs agree."""
    case = Case("describe", "", "describe", model={"fault": "describe:nonjson"})
    first, second = (_written(_run(tmp_path / name, _suite(case))) for name in ("a", "b"))
    assert [c for c in first["cells"] if c["status"] == "failed"] == [
        c for c in second["cells"] if c["status"] == "failed"
    ]


# -- data and suite files that are nested too deeply -----------------------------------------


@pytest.mark.parametrize("opening", ["[", "{a: ", "[{a: "])
def test_a_suite_nested_thousands_deep_is_a_one_line_config_error(tmp_path: Path, opening: str) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text("name: deep\nmodels: " + opening * 5000 + "\n", encoding="utf-8")
    host = make_host()
    result = CliRunner().invoke(build_cli(host), ["validate", str(path)], obj={"host": host})
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path}: invalid YAML: nested too deeply\n"


def test_a_task_file_nested_thousands_deep_is_a_one_line_config_error(tmp_path: Path) -> None:
    (tmp_path / "deep.yaml").write_text("type: " + "[" * 5000 + "\n", encoding="utf-8")
    path = tmp_path / "suite.yaml"
    path.write_text("name: deep\nmodels: [{name: m, type: tiny}]\ntasks:\n  - task: deep.yaml\n", encoding="utf-8")
    host = make_host()
    result = CliRunner().invoke(build_cli(host), ["validate", str(path)], obj={"host": host})
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {path}:4: ") and "deep.yaml" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


@pytest.mark.parametrize(("name", "text"), [("rows.jsonl", '{"a": ' + "[" * 5000 + "\n"), ("rows.json", "[" * 5000)])
def test_a_data_file_nested_thousands_deep_is_a_data_error(tmp_path: Path, name: str, text: str) -> None:
    from nlpbench.contracts.data import read_rows

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=rf"^{re.escape(str(path))}(:1)?: invalid JSON: nested too deeply$"):
        read_rows(path)


# -- the plugin author's loop ------------------------------------------------------


def test_the_test_kit_shows_where_a_plugin_broke(tmp_path: Path) -> None:
    run = _run(tmp_path, _suite(Case("c", "", "", model={"fault": "classify:raise"})))
    with pytest.raises(AssertionError) as raised:
        run.assert_ok()
    message = str(raised.value)
    assert "cell bad × t: RuntimeError: boom in classify" in message
    assert _frame_pattern("classify").search(message)
    assert any(_frame_pattern("trigger").search(line + "\n") for line in run.log)  # the log has them as they happen


@pytest.mark.slow
def test_the_pytest_fixture_reports_the_tracebacks_of_a_failing_test(tmp_path: Path) -> None:
    (tmp_path / "test_author.py").write_text(
        textwrap.dedent(
            """
            from nlpbench import hookimpl
            from nlpbench.testing.harness import tiny_suite
            from nlpbench.testing.tiny import TinyModel


            class BuggyModel(TinyModel):
                def classify(self, requests):
                    return [self.helper(r) for r in requests]

                def helper(self, request):
                    return {label: 1 / 0 for label in request.labels}


            class Plugin:
                @hookimpl
                def register_models(self, register):
                    register(BuggyModel, name="buggy")


            def test_my_model(nlpbench_run):
                run = nlpbench_run(tiny_suite(models=[{"name": "m", "type": "buggy"}]), plugins=[Plugin()])
                assert run.cell("m", "tiny")["status"] == "ok"
            """
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_author.py"],
        cwd=tmp_path, capture_output=True, text=True, env=child_env(), timeout=120,
    )  # fmt: skip
    text = done.stdout
    assert done.returncode == 1 and "1 failed" in text, text + done.stderr
    assert "nlpbench: failures" in text
    assert "cell m × tiny: ZeroDivisionError: division by zero" in text
    assert re.search(r'test_author.py", line \d+, in helper', text)


class BrokenAtImport:
    NLPBENCH_PLUGIN_NAME = "broken"

    @hookimpl
    def register_models(self, register: Any) -> None:
        raise ImportError("No module named 'torchish'")


def test_debug_plugins_prints_the_traceback_of_a_plugin_that_failed(tmp_path: Path) -> None:
    host = make_host(BrokenAtImport())
    plain = CliRunner().invoke(build_cli(host), ["plugins"], obj={"host": host})
    assert "broken ?  FAILED: ImportError: No module named 'torchish'" in plain.stdout
    assert "Traceback" not in plain.output
    debug = CliRunner().invoke(build_cli(host), ["--debug", "plugins"], obj={"host": host})
    assert debug.exit_code == 0
    assert "Traceback (most recent call last)" in debug.stderr
    assert re.search(rf'File "{re.escape(str(HERE))}", line \d+, in register_models', debug.stderr)
    listed = json.loads(CliRunner().invoke(build_cli(host), ["plugins", "--json"], obj={"host": host}).stdout)
    assert "in register_models" in next(p for p in listed if p["name"] == "broken")["traceback"]


def test_debug_run_prints_each_failures_traceback_and_keeps_going(tmp_path: Path) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "name: d\nmodels:\n  - {name: bad, type: faulty, params: {fault: 'classify:raise'}}\n"
        "  - {name: good, type: tiny}\ntasks:\n  - {name: t, type: tiny}\n",
        encoding="utf-8",
    )
    host = make_host(FaultyPlugin())
    args = ["run", str(suite), "--out", str(tmp_path / "out")]
    plain = CliRunner().invoke(build_cli(host), args, obj={"host": host})
    assert plain.exit_code == 1 and "Traceback" not in plain.stderr
    debug = CliRunner().invoke(build_cli(host), ["--debug", *args, "--no-cache"], obj={"host": host})
    assert debug.exit_code == 1
    assert "FAILED  bad × t: RuntimeError: boom in classify" in debug.stderr
    assert _frame_pattern("classify").search(debug.stderr)
    assert "ok      good × t" in debug.stderr  # after the failure, the run went on


# -- what only a real process shows ------------------------------------------------------

CHILD_PLUGIN = """
import os, sys, time

from nlpbench import hookimpl
from nlpbench.testing.tiny import TinyMatchMetric, TinyModel, TinyTask


class ChildModel(TinyModel):
    def classify(self, requests):
        fault = os.environ.get("FAULT", "")
        if fault == "exit":
            sys.exit(3)
        if fault == "sleep":
            open(os.environ["STARTED"], "w").close()
            time.sleep(60)
        return super().classify(requests)


@hookimpl
def register_models(register):
    register(TinyModel, name="tiny")
    register(ChildModel, name="child")


@hookimpl
def register_tasks(register):
    register(TinyTask, name="tiny")


@hookimpl
def register_metrics(register):
    register(TinyMatchMetric, name="tiny-match")
"""

CHILD_SUITE = """\
name: child
models:
  - {name: first, type: tiny}
  - {name: child, type: child}
tasks:
  - {name: t, type: tiny}
"""


@pytest.fixture
def child(tmp_path: Path) -> dict[str, Any]:
    """A plugin installed as an entry point for child processes (a dist-info folder on
    their path), and a suite of the tiny model and the child model on the tiny task."""
    site = tmp_path / "site"
    (site / "nlpbench_child").mkdir(parents=True)
    (site / "nlpbench_child" / "__init__.py").write_text(CHILD_PLUGIN, encoding="utf-8")
    info = site / "nlpbench_child-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: nlpbench-child\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[nlpbench]\nchild = nlpbench_child\n", encoding="utf-8")
    (tmp_path / "suite.yaml").write_text(CHILD_SUITE, encoding="utf-8")
    return {"suite": str(tmp_path / "suite.yaml"), "out": tmp_path / "out", "env": {"PYTHONPATH": str(site)}}


def _child_run(child: dict[str, Any], *extra: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*NLPBENCH, "run", child["suite"], "--out", str(child["out"]), *extra],
        capture_output=True, text=True, env=child_env(**child["env"], **env), timeout=120,
    )  # fmt: skip


@pytest.mark.slow
def test_a_plugin_calling_sys_exit_fails_its_cell_not_the_run(child: dict[str, Any]) -> None:
    done = _child_run(child, FAULT="exit")
    assert done.returncode == 1, done.stderr
    assert "FAILED  child × t: classify: the plugin called sys.exit(3)" in done.stderr
    results = json.loads((child["out"] / "results.json").read_text(encoding="utf-8"))
    assert results["status"] == "complete"
    assert [c["status"] for c in results["cells"]] == ["ok", "failed"]
    assert "in classify\n    sys.exit(3)" in results["cells"][1]["traceback"]
    assert (child["out"] / "report.html").is_file()


@pytest.mark.slow
def test_sigterm_ends_a_run_like_ctrl_c(child: dict[str, Any], tmp_path: Path) -> None:
    started = tmp_path / "started"
    process = subprocess.Popen(
        [*NLPBENCH, "run", child["suite"], "--out", str(child["out"])],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=child_env(**child["env"], FAULT="sleep", STARTED=str(started)),
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started.exists(), "the second model never started"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    results = json.loads((child["out"] / "results.json").read_text(encoding="utf-8"))
    assert results["status"] == "interrupted" and results["finished"] is not None
    assert [(c["model"], c["status"]) for c in results["cells"]] == [("first", "ok")]
    assert (child["out"] / "report.html").is_file()
    assert "Traceback" not in stderr


@pytest.mark.slow
def test_a_run_with_stdout_closed_still_writes_its_files(child: dict[str, Any]) -> None:
    done = subprocess.run(
        [*NLPBENCH, "run", child["suite"], "--out", str(child["out"])],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=child_env(**child["env"]),
        timeout=120, preexec_fn=lambda: os.close(1),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads((child["out"] / "results.json").read_text(encoding="utf-8"))["status"] == "complete"
    assert (child["out"] / "report.html").is_file()


@pytest.mark.slow
def test_a_run_whose_reader_went_away_still_writes_its_files(child: dict[str, Any]) -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line
    try:
        done = subprocess.run(
            [*NLPBENCH, "run", child["suite"], "--out", str(child["out"])],
            stdout=write, stderr=subprocess.PIPE, text=True, env=child_env(**child["env"]), timeout=120,
        )  # fmt: skip
    finally:
        os.close(write)
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr and "BrokenPipe" not in done.stderr
    assert (child["out"] / "report.html").is_file()


@pytest.mark.slow
def test_validate_into_a_pipe_whose_reader_left_exits_quietly(child: dict[str, Any]) -> None:
    """`nlpbench validate SUITE | head -1`, with head gone before the first line: no
    BrokenPipeError, exit 141 (128 + SIGPIPE, as the shell reports a tool the signal ended)."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [*NLPBENCH, "validate", child["suite"]],
            stdout=write, stderr=subprocess.PIPE, text=True, env=child_env(**child["env"]), timeout=120,
        )  # fmt: skip
    finally:
        os.close(write)
    assert done.returncode == 141
    assert done.stderr == ""
