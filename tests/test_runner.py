"""The runner: plans cells, isolates failures, scores with intervals, writes the contract."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from nlpbench import ClassifyRequest, DataError, Example, TaskSpec, hookimpl
from nlpbench.contracts.errors import ConfigError, NlpbenchError
from nlpbench.testing import make_host, run_suite_text
from nlpbench.testing.harness import tiny_suite

CELL_KEYS = {
    "model",
    "task",
    "status",
    "strategy",
    "n",
    "metrics",
    "seconds",
    "examples_per_second",
    "peak_memory_mb",
    "error",
    "reason",
}
METRIC_KEYS = {"value", "ci_low", "ci_high", "higher_is_better"}


def _strip_timings(results: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(json.dumps(results))
    for key in ("started", "finished", "store"):
        copy.pop(key)
    for cell in copy["cells"]:
        for key in ("seconds", "load_seconds", "examples_per_second", "peak_memory_mb", "peak_gpu_memory_mb"):
            cell.pop(key, None)
    return copy


class EncodeOnlyModel:
    """A model that can only encode."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"encode"})

    def __init__(self, spec: Any) -> None:
        pass

    def encode(self, requests: Sequence[Any]) -> list[list[float]]:
        return [[1.0] for _ in requests]


class ShortchangingModel:
    """Answers one request too few."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"classify"})

    def __init__(self, spec: Any) -> None:
        pass

    def classify(self, requests: Sequence[ClassifyRequest]) -> list[dict[str, float]]:
        return [{r.labels[0]: 1.0} for r in requests][:-1]


class InterruptingModel:
    """Stands for a user pressing Ctrl-C in the middle of a cell."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"classify"})

    def __init__(self, spec: Any) -> None:
        pass

    def classify(self, requests: Sequence[ClassifyRequest]) -> list[dict[str, float]]:
        raise KeyboardInterrupt


class DuplicateIdTask:
    """Two examples share an id."""

    strategies: ClassVar[tuple[str, ...]] = ("classify",)
    default_metrics: ClassVar[tuple[str, ...]] = ("tiny-match",)

    def __init__(self, spec: TaskSpec) -> None:
        self.mode = spec.params.get("mode", "duplicate")

    def examples(self) -> Iterable[Example]:
        if self.mode == "data-error":
            raise DataError("rows.jsonl:3: column 'text' is missing")
        if self.mode == "empty":
            return []
        return [Example("same", "a", ("x",)), Example("same", "b", ("y",))]

    def build_requests(self, example: Example, strategy: str) -> list[ClassifyRequest]:
        return [ClassifyRequest(str(example.input), ("x", "y"))]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        return "x"


class BrokenMetric:
    """Raises on every input."""

    higher_is_better: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (0.0, 1.0)

    def __init__(self, strictness: int = 0) -> None:
        pass

    def stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> Any:
        raise ZeroDivisionError("division by zero")

    def aggregate(self, stats: Any) -> float:
        return 0.0


class FailingReporter:
    """Cannot write."""

    def write(self, results: Any, out_dir: Path) -> str:
        raise OSError("disk full")


class TestPlugin:
    NLPBENCH_PLUGIN_NAME = "testing-bits"

    @hookimpl
    def register_models(self, register: Any) -> None:
        register(EncodeOnlyModel, name="encode-only")
        register(ShortchangingModel, name="shortchanging")
        register(InterruptingModel, name="interrupting")

    @hookimpl
    def register_tasks(self, register: Any) -> None:
        register(DuplicateIdTask, name="odd-task")

    @hookimpl
    def register_metrics(self, register: Any) -> None:
        register(BrokenMetric, name="broken-metric")

    @hookimpl
    def register_reporters(self, register: Any) -> None:
        register(FailingReporter, name="failing")


def _run(tmp_path: Path, suite: dict[str, Any]) -> Any:
    return run_suite_text(suite, tmp_path, host=make_host(TestPlugin()))


def test_results_follow_the_contract(tmp_path: Path) -> None:
    run = _run(tmp_path, tiny_suite())
    results = json.loads((run.out_dir / "results.json").read_text())
    assert results == run.results
    assert set(results) >= {"nlpbench", "suite", "started", "finished", "cells", "comparisons", "audits"}
    assert results["nlpbench"]["version"] == "0.1.0"
    assert results["suite"]["name"] == "tiny" and results["suite"]["seed"] == 1234
    assert results["suite"]["hash"].startswith("sha256:")
    assert results["started"].endswith("Z") and results["finished"].endswith("Z")
    [cell] = results["cells"]
    assert set(cell) >= CELL_KEYS
    assert cell["status"] == "ok" and cell["strategy"] == "classify" and cell["n"] == 8
    metric = cell["metrics"]["tiny-match"]
    assert set(metric) >= METRIC_KEYS
    assert metric["value"] == 0.875
    assert metric["ci_low"] <= metric["value"] <= metric["ci_high"]
    assert cell["seconds"] > 0 and cell["examples_per_second"] > 0 and cell["peak_memory_mb"] > 0
    assert cell["error"] is None and cell["reason"] is None
    assert (run.out_dir / "report.html").exists()
    assert run.exit_code == 0


def test_samples_have_one_line_per_example(tmp_path: Path) -> None:
    run = _run(
        tmp_path,
        tiny_suite(
            models=[
                {"name": "a", "type": "tiny"},
                {"name": "b", "type": "tiny", "params": {"capabilities": ["generate"]}},
            ]
        ),
    )
    assert len(run.samples) == 16
    first = run.samples[0]
    assert {"model", "task", "id", "input", "prompt", "prediction", "references", "scores"} <= set(first)
    assert (first["model"], first["task"], first["id"]) == ("a", "tiny", "tiny-0")
    assert first["scores"] == {"tiny-match": 1.0}
    generated = [s for s in run.samples if s["model"] == "b"]
    assert generated[0]["prompt"] == "a good film with a good cast\nSentiment:"


def test_same_suite_and_seed_give_identical_results(tmp_path: Path) -> None:
    suite = tiny_suite(
        models=[
            {"name": "a", "type": "tiny"},
            {"name": "b", "type": "tiny", "params": {"capabilities": ["loglikelihood"]}},
        ]
    )
    first = _run(tmp_path / "one", suite)
    second = _run(tmp_path / "two", suite)
    one, two = _strip_timings(first.results), _strip_timings(second.results)
    one["suite"].pop("path"), two["suite"].pop("path")
    assert one == two
    assert first.samples == second.samples


def test_a_cell_without_a_usable_capability_is_not_applicable(tmp_path: Path) -> None:
    run = _run(tmp_path, tiny_suite(models=[{"name": "enc", "type": "encode-only"}, {"name": "ok", "type": "tiny"}]))
    cell = run.cell("enc", "tiny")
    assert cell["status"] == "not_applicable" and cell["strategy"] is None
    assert "needs one of classify, loglikelihood, generate; it has encode" in cell["reason"]
    assert run.cell("ok", "tiny")["status"] == "ok"
    assert run.exit_code == 0


def test_a_loaded_model_may_have_fewer_capabilities_than_its_type(tmp_path: Path) -> None:
    run = _run(
        tmp_path, tiny_suite(models=[{"name": "narrow", "type": "tiny", "params": {"capabilities": ["encode"]}}])
    )
    assert run.cell("narrow", "tiny")["status"] == "not_applicable"


def test_strategy_follows_the_task_preferences(tmp_path: Path) -> None:
    models = [
        {"name": name, "type": "tiny", "params": {"capabilities": caps}}
        for name, caps in (
            ("all", ["classify", "loglikelihood", "generate"]),
            ("ll", ["loglikelihood", "generate"]),
            ("gen", ["generate"]),
        )
    ]
    run = _run(tmp_path, tiny_suite(models=models))
    assert [run.cell(m, "tiny")["strategy"] for m in ("all", "ll", "gen")] == ["classify", "loglikelihood", "generate"]


@pytest.mark.parametrize(
    ("model", "task", "error", "bad_models_other_cell"),
    [
        (
            {"params": {"fail": "load"}},
            {},
            "loading the model: the tiny model was told to fail while loading",
            "failed",
        ),
        ({"params": {"fail": "answer"}}, {}, "RuntimeError: the tiny model was told to fail while answering", "failed"),
        ({"type": "shortchanging"}, {}, "classify: the model returned 7 answers for 8 requests", "failed"),
        (
            {},
            {"params": {"fail": "examples"}},
            "loading the task: RuntimeError: the tiny task was told to fail while loading",
            "ok",
        ),
        (
            {},
            {"params": {"fail": "process"}},
            "processing answers for example 'tiny-0': RuntimeError: the tiny task was told",
            "ok",
        ),
        ({}, {"metrics": ["broken-metric"]}, "metric 'broken-metric': ZeroDivisionError: division by zero", "ok"),
    ],
    ids=["model-load", "model-answer", "wrong-count", "task-examples", "task-process", "metric"],
)
def test_a_failing_cell_is_kept_and_the_run_goes_on(
    tmp_path: Path, model: dict[str, Any], task: dict[str, Any], error: str, bad_models_other_cell: str
) -> None:
    suite = tiny_suite(
        models=[{"name": "bad", "type": "tiny", **model}, {"name": "good", "type": "tiny"}],
        tasks=[{"name": "t", "type": "tiny", **task}, {"name": "fine", "type": "tiny"}],
    )
    run = _run(tmp_path, suite)
    bad = run.cell("bad", "t")
    assert bad["status"] == "failed"
    assert error in bad["error"]
    assert run.cell("bad", "fine")["status"] == bad_models_other_cell
    assert run.cell("good", "fine")["status"] == "ok"
    assert run.cell("good", "t")["status"] == ("ok" if bad_models_other_cell == "failed" else "failed")
    assert run.exit_code == 1
    assert json.loads((run.out_dir / "results.json").read_text())["status"] == "complete"


def test_an_interrupted_run_keeps_its_finished_cells(tmp_path: Path) -> None:
    suite = tiny_suite(models=[{"name": "first", "type": "tiny"}, {"name": "second", "type": "interrupting"}])
    run = _run(tmp_path, suite)
    assert run.exit_code == 130
    results = json.loads((run.out_dir / "results.json").read_text())
    assert results["status"] == "interrupted"
    assert [c["model"] for c in results["cells"]] == ["first"]
    assert len(run.samples) == 8
    assert "interrupted" in (run.out_dir / "report.html").read_text(encoding="utf-8")  # reported all the same


@pytest.mark.parametrize(
    ("mode", "error", "message"),
    [
        ("duplicate", DataError, "task 'odd': two examples have the id 'same'"),
        ("data-error", DataError, "task 'odd': rows.jsonl:3: column 'text' is missing"),
        ("empty", DataError, "task 'odd': the data has no examples"),
    ],
)
def test_data_errors_stop_the_run_before_any_model(
    tmp_path: Path, mode: str, error: type[NlpbenchError], message: str
) -> None:
    suite = tiny_suite(tasks=[{"name": "odd", "type": "odd-task", "params": {"mode": mode}}])
    with pytest.raises(error, match=message):
        _run(tmp_path, suite)
    assert not (tmp_path / "run" / "results.json").exists()


def test_bad_metric_options_are_config_errors(tmp_path: Path) -> None:
    suite = tiny_suite(tasks=[{"name": "t", "type": "tiny", "metrics": [{"name": "broken-metric", "colour": "red"}]}])
    with pytest.raises(ConfigError, match="task 't': metric 'broken-metric': bad options: TypeError"):
        _run(tmp_path, suite)


def test_a_task_may_list_the_models_it_takes(tmp_path: Path) -> None:
    suite = tiny_suite(
        models=[{"name": "a", "type": "tiny"}, {"name": "b", "type": "tiny"}],
        tasks=[{"name": "only-a", "type": "tiny", "models": ["a"]}, {"name": "both", "type": "tiny"}],
    )
    run = _run(tmp_path, suite)
    assert [(c["model"], c["task"]) for c in run.results["cells"]] == [("a", "only-a"), ("a", "both"), ("b", "both")]


def test_limit_and_seeded_sample(tmp_path: Path) -> None:
    run = _run(tmp_path / "l", tiny_suite(tasks=[{"name": "t", "type": "tiny", "limit": 3}]))
    assert [s["id"] for s in run.samples] == ["tiny-0", "tiny-1", "tiny-2"]
    sampled = _run(tmp_path / "s", tiny_suite(tasks=[{"name": "t", "type": "tiny", "sample": 4}]))
    again = _run(tmp_path / "s2", tiny_suite(tasks=[{"name": "t", "type": "tiny", "sample": 4}]))
    ids = [s["id"] for s in sampled.samples]
    assert len(ids) == 4 and ids == [s["id"] for s in again.samples]
    assert ids == sorted(ids, key=lambda i: int(i.split("-")[1]))  # original order is kept


def test_a_failing_reporter_is_a_warning_and_results_are_kept(tmp_path: Path) -> None:
    run = _run(tmp_path, {**tiny_suite(), "reporters": ["failing", "html"]})
    assert run.exit_code == 1
    assert "warning: reporter 'failing' failed: OSError: disk full" in run.log
    assert (run.out_dir / "report.html").exists()
    assert run.results["cells"][0]["status"] == "ok"


def test_no_resamples_gives_values_without_intervals(tmp_path: Path) -> None:
    run = _run(tmp_path, {**tiny_suite(), "bootstrap": {"resamples": 0}})
    metric = run.results["cells"][0]["metrics"]["tiny-match"]
    assert metric["value"] == 0.875 and metric["ci_low"] is None and metric["ci_high"] is None


def test_models_scored_alike_get_the_same_interval(tmp_path: Path) -> None:
    """Resamples depend on the task and seed, not the model: the basis for paired comparisons."""
    run = _run(
        tmp_path,
        tiny_suite(
            models=[
                {"name": "a", "type": "tiny"},
                {"name": "b", "type": "tiny", "params": {"capabilities": ["generate"]}},
            ]
        ),
    )
    assert run.cell("a", "tiny")["metrics"] == run.cell("b", "tiny")["metrics"]


def test_a_progress_bar_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from nlpbench.running.runner import run_suite
    from nlpbench.suites.suite import load_suite

    path = tmp_path / "suite.yaml"
    path.write_text("name: p\nmodels: [{name: m, type: tiny}]\ntasks: [{name: t, type: tiny}]\n")
    host = make_host()
    run_suite(load_suite(path, host), host, tmp_path / "out", progress=True, log=lambda _: None)
    assert "m × t" in capsys.readouterr().err


def test_requests_carry_their_example_id(tmp_path: Path) -> None:
    seen: list[str | None] = []

    class RecordingModel:
        """Remembers the example ids it was asked about."""

        capabilities: ClassVar[frozenset[str]] = frozenset({"classify"})

        def __init__(self, spec: Any) -> None:
            pass

        def classify(self, requests: Sequence[ClassifyRequest]) -> list[dict[str, float]]:
            seen.extend(r.example_id for r in requests)
            return [{r.labels[0]: 1.0} for r in requests]

    class Plugin:
        NLPBENCH_PLUGIN_NAME = "recording"

        @hookimpl
        def register_models(self, register: Any) -> None:
            register(RecordingModel, name="recording")

    run_suite_text(tiny_suite(models=[{"name": "r", "type": "recording"}]), tmp_path, host=make_host(Plugin()))
    # asked longest first (see nlpbench.running.batching), each request naming its example
    assert sorted(seen) == sorted(f"tiny-{i}" for i in range(8))


def test_untrained_models_are_marked_in_the_leaderboard_and_report() -> None:
    from nlpbench.report.html import render_html
    from nlpbench.report.leaderboard import render_text

    cell = {"model": "gpt-small", "task": "t", "status": "ok", "n": 1, "metrics": {}, "model_info": {"trained": False}}
    results = {"cells": [cell, {**cell, "model": "gpt-real", "model_info": {"trained": True}}]}
    text = render_text(results)
    assert "gpt-small (untrained)" in text and "gpt-real (untrained)" not in text
    assert "gpt-small (untrained)" in render_html(results)


# -- tasks and metrics that describe themselves, and prompts per model -------------------


class PromptingTask:
    """Asks by generation with a prompt that depends on the model's type."""

    strategies: ClassVar[tuple[str, ...]] = ("generate",)
    default_metrics: ClassVar[tuple[str, ...]] = ("described",)

    def __init__(self, spec: TaskSpec, prefix: str = "plain") -> None:
        self.spec = spec
        self.prefix = prefix

    def examples(self) -> list[Example]:
        return [Example(id=f"e{i}", input=f"text {i}", references=("positive",)) for i in range(3)]

    def for_model(self, model: Any) -> PromptingTask:
        if model.name == "bad":
            raise RuntimeError("no prompt for this model")
        return PromptingTask(self.spec, prefix=f"for {model.name}")

    def describe(self) -> dict[str, Any]:
        return {"template": self.prefix}

    def build_requests(self, example: Example, strategy: str) -> list[Any]:
        from nlpbench import GenerateRequest

        return [GenerateRequest(prompt=f"{self.prefix}: {example.input}\npositive")]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        return answers[0]


class DescribedMetric:
    """Counts answers; describes its settings."""

    higher_is_better: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (0.0, float("inf"))
    example: ClassVar[Any] = None

    def stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> Any:
        import numpy as np

        return np.ones((len(predictions), 1))

    def aggregate(self, stats: Any) -> float:
        return float(stats.sum())

    def describe(self) -> dict[str, Any]:
        return {"signature": "count|v1"}


class PromptPlugin:
    NLPBENCH_PLUGIN_NAME = "prompting-bits"

    @hookimpl
    def register_tasks(self, register: Any) -> None:
        register(PromptingTask, name="prompting")

    @hookimpl
    def register_metrics(self, register: Any) -> None:
        register(DescribedMetric, name="described")


def test_tasks_see_the_model_and_describe_themselves(tmp_path: Path) -> None:
    suite = tiny_suite(
        models=[{"name": "a", "type": "tiny"}, {"name": "b", "type": "tiny", "params": {"capabilities": ["generate"]}}],
        tasks=[{"name": "p", "type": "prompting"}],
    )
    run = run_suite_text(suite, tmp_path, host=make_host(PromptPlugin()))
    assert run.exit_code == 0
    assert run.cell("a", "p")["task_info"] == {"template": "for a"}
    assert run.cell("b", "p")["task_info"] == {"template": "for b"}
    prompts = {(line["model"], line["id"]): line["prompt"] for line in run.samples}
    assert prompts[("a", "e0")] == "for a: text 0\npositive"
    assert prompts[("b", "e2")] == "for b: text 2\npositive"
    metric = run.cell("a", "p")["metrics"]["described"]
    assert metric["info"] == {"signature": "count|v1"}
    written = json.loads((run.out_dir / "results.json").read_text(encoding="utf-8"))
    assert written["cells"][0]["metrics"]["described"]["scale"] == [0.0, None]  # never Infinity


def test_a_task_that_cannot_face_a_model_fails_that_cell_only(tmp_path: Path) -> None:
    suite = tiny_suite(
        models=[
            {"name": "bad", "type": "tiny"},
            {"name": "good", "type": "tiny"},
        ],
        tasks=[{"name": "p", "type": "prompting"}],
    )
    run = run_suite_text(suite, tmp_path, host=make_host(PromptPlugin()))
    assert run.exit_code == 1
    bad = run.cell("bad", "p")
    assert bad["status"] == "failed"
    assert bad["error"] == "preparing the task for the model: RuntimeError: no prompt for this model"
    assert run.cell("good", "p")["status"] == "ok"


# -- the store: audits with their own data, and what cached cells say about speed -----


def test_audits_that_bring_their_own_data_are_served_from_the_store(tmp_path: Path) -> None:
    pytest.importorskip("nlpbench_bias", reason="the bias plugin brings the audits with their own data")
    suite = tiny_suite(
        audits=[
            {"type": "likelihood-preference", "params": {"data": "pairs.csv"}},  # CrowS-Pairs' columns
            {"type": "representation", "params": {"limit": 4}},  # BOLD prompts
            {"type": "group-gap"},  # EEC templates
        ],
        reporters=[],
    )
    pairs = "sent_more,sent_less,bias_type\nHe cooks.,She cooks well.,gender\nOld men forget.,Young men forget.,age\n"
    host = make_host(entry_points=True)
    first = run_suite_text(suite, tmp_path, host=host, files={"pairs.csv": pairs})
    assert first.exit_code == 0, first.log
    assert "loading model 'tiny' (tiny)" in first.log
    ran = {entry["audit"] for entry in first.results["audits"] if not (entry["reason"] or "").startswith("failed")}
    assert ran == {"likelihood-preference", "representation", "group-gap"}
    second = run_suite_text(suite, tmp_path, host=make_host(entry_points=True), files={"pairs.csv": pairs})
    assert not any(line.startswith("loading model") for line in second.log), second.log  # the README's promise
    assert second.results["audits"] == first.results["audits"]
    assert second.samples == first.samples
    # the audit's params are in the key: the same requests, processed with other targets, are asked again
    changed = {**suite, "audits": [{"type": "representation", "params": {"limit": 4, "targets": ["adjectives"]}}]}
    third = run_suite_text(changed, tmp_path, host=make_host(entry_points=True))
    assert "loading model 'tiny' (tiny)" in third.log


def test_cached_cells_do_not_report_the_stores_speed_as_the_models(tmp_path: Path) -> None:
    half = run_suite_text(tiny_suite(tasks=[{"name": "tiny", "type": "tiny", "limit": 4}]), tmp_path)
    assert half.cell("tiny", "tiny")["cached"] == 0 and half.cell("tiny", "tiny")["examples_per_second"] > 0
    partly = run_suite_text(tiny_suite(), tmp_path)
    cell = partly.cell("tiny", "tiny")
    # the speed of the four examples the model answered now, not of eight
    speed = cell["examples_per_second"]
    # `seconds` is rounded to the millisecond, hence the tolerance
    assert cell["cached"] == 4 and abs(speed * cell["seconds"] - 4) <= speed * 0.0005 + 0.01
    report = (partly.out_dir / "report.html").read_text(encoding="utf-8")
    assert "(4 of 8 from the store)" in _efficiency_panel(report)
    assert _ok_line(partly.log).endswith(" s) (4 of 8 from the store)")
    assert _ok_line(half.log).endswith(" s)")  # the model answered every one
    whole = run_suite_text(tiny_suite(), tmp_path)
    cell = whole.cell("tiny", "tiny")
    assert cell["cached"] == 8 and cell["examples_per_second"] is None and "tokens_per_second" not in cell
    assert cell["metrics"] == partly.cell("tiny", "tiny")["metrics"]
    panel = _efficiency_panel((whole.out_dir / "report.html").read_text(encoding="utf-8"))
    assert "from the store" in panel and "of 8 from the store" not in panel
    assert _ok_line(whole.log).endswith(" s) (from the store)")


def _ok_line(log: list[str]) -> str:
    """The run's log line for the cell tiny × tiny."""
    return next(line for line in log if line.startswith("ok      tiny × tiny:"))


def _efficiency_panel(page: str) -> str:
    start = page.index("id='efficiency-table'")
    return page[start : page.index("</table>", start)]
