"""The runner's stages around the executor seam: batches planned over a whole cell,
models asked side by side, and load time kept out of a cell's seconds."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from nlpbench import ClassifyRequest, GenerateRequest, LoglikelihoodRequest, hookimpl
from nlpbench.results.store import Store
from nlpbench.running.batching import CHUNK_SIZE, plan_batches, request_length
from nlpbench.running.executors.local import LocalExecutor
from nlpbench.running.runner import RunOutcome, run_suite
from nlpbench.suites.suite import load_suite
from nlpbench.testing import make_host
from nlpbench.testing.harness import tiny_suite

VOLATILE_CELL = ("seconds", "load_seconds", "examples_per_second", "peak_memory_mb", "peak_gpu_memory_mb")


def _run(tmp_path: Path, suite: dict[str, Any], out: str, host: Any = None, **options: Any) -> RunOutcome:
    path = tmp_path / "suite.yaml"
    path.write_text(yaml.safe_dump(suite, sort_keys=False), encoding="utf-8")
    host = host or make_host()
    executor = LocalExecutor(host, models_at_once=options.pop("models_at_once", 1))
    options.setdefault("log", lambda _: None)
    return run_suite(load_suite(path, host), host, tmp_path / out, progress=False, executor=executor, **options)


def _stable(results: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(json.dumps(results))
    for key in ("started", "finished", "store"):
        copy.pop(key)
    for cell in copy["cells"]:
        for key in VOLATILE_CELL:
            cell.pop(key, None)
    return copy


# -- plan_batches ------------------------------------------------------------------


def test_batches_are_longest_first_stable_on_ties_and_cut_every_size() -> None:
    requests = [LoglikelihoodRequest("ab", "c"), LoglikelihoodRequest("abcd", "e"), LoglikelihoodRequest("x", "yz")]
    requests += [LoglikelihoodRequest("abcdefg", "h")]
    assert [request_length(r) for r in requests] == [3, 5, 3, 8]
    assert plan_batches(requests, 2) == [[3, 1], [0, 2]]  # 0 before 2: equal lengths keep their order
    assert plan_batches(requests, 10) == [[3, 1, 0, 2]]
    assert plan_batches([], 4) == []


def test_an_examples_requests_stay_together_ranked_by_its_longest() -> None:
    def ask(context: str, answer: str, example: str) -> LoglikelihoodRequest:
        return LoglikelihoodRequest(context, answer, example_id=example)

    requests = [ask("short", " one", "a"), ask("short", " three", "a"), ask("longer one", " x", "b")]
    requests += [ask("longer one", " yy", "b"), ask("mid sized", " abcdefgh", "c")]
    # a's longest is 11, b's 13, c's 17: c, b, a, each example's requests in their order
    assert plan_batches(requests, 256) == [[4, 2, 3, 0, 1]]
    assert plan_batches(requests, 2) == [[4, 2], [3, 0], [1]]


def test_a_batch_holds_one_capability() -> None:
    requests = [
        GenerateRequest("a" * 9),
        ClassifyRequest("bb", ("x",)),
        GenerateRequest("c"),
        ClassifyRequest("d" * 5, ("x",)),
    ]
    assert plan_batches(requests, 256) == [[0, 2], [3, 1]]


def test_a_batch_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        plan_batches([GenerateRequest("a")], 0)


# -- a cell's batches ----------------------------------------------------------------


class RecordingModel:
    """Classifies like a coin that always says the first label, and keeps each call's texts."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"classify"})
    calls: ClassVar[list[list[str]]] = []

    def __init__(self, spec: Any) -> None:
        pass

    def classify(self, requests: Sequence[ClassifyRequest]) -> list[dict[str, float]]:
        RecordingModel.calls.append([r.text for r in requests])
        return [{r.labels[0]: 1.0} for r in requests]


class RecordingPlugin:
    NLPBENCH_PLUGIN_NAME = "recording"

    @hookimpl
    def register_models(self, register: Any) -> None:
        register(RecordingModel, name="recording")


def test_a_cell_is_asked_longest_first_across_all_of_its_examples(tmp_path: Path) -> None:
    RecordingModel.calls.clear()
    repeat = 40  # 320 examples: two batches, the first the 256 longest of the whole cell
    suite = tiny_suite(
        models=[{"name": "r", "type": "recording"}], tasks=[{"name": "t", "type": "tiny", "params": {"repeat": repeat}}]
    )
    outcome = _run(tmp_path, suite, "run", host=make_host(RecordingPlugin()))
    assert outcome.exit_code == 0
    assert [len(call) for call in RecordingModel.calls] == [CHUNK_SIZE, 8 * repeat - CHUNK_SIZE]
    first, second = RecordingModel.calls
    assert [len(t) for t in first] == sorted((len(t) for t in first), reverse=True)
    assert min(len(t) for t in first) >= max(len(t) for t in second)


# -- models that wait on a server: one request per call, several calls at once --------


class ServedLikeModel:
    """Answers ``generate`` like a served model: one request per call, four calls at once,
    counting what it used; it never answers the example named in ``fail_on``, and it
    renders each prompt as a chat template would."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"generate", "loglikelihood"})
    batch_requests = 1
    concurrent_requests = 4
    asked: ClassVar[list[str]] = []
    at_once: ClassVar[int] = 0
    most_at_once: ClassVar[int] = 0

    def __init__(self, spec: Any) -> None:
        import threading

        self.fail_on = spec.params.get("fail_on")
        self.delay = float(spec.params.get("delay", 0.02))
        self.lock = threading.Lock()
        self.tokens = 0
        # loaded, it finds it cannot score log-likelihoods, and says why
        self.capabilities = frozenset({"generate"})  # type: ignore[misc]
        self.capability_notes = {"loglikelihood": "the server returns no prompt log-probabilities"}

    @classmethod
    def capabilities_for(cls, spec: Any) -> frozenset[str]:
        return cls.capabilities

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        import time

        [request] = requests  # batch_requests = 1
        with self.lock:
            ServedLikeModel.at_once += 1
            ServedLikeModel.most_at_once = max(ServedLikeModel.most_at_once, ServedLikeModel.at_once)
        try:
            time.sleep(self.delay)
            if request.example_id == self.fail_on:
                raise RuntimeError("HTTP 500 from the server")
            with self.lock:
                ServedLikeModel.asked.append(str(request.example_id))
                self.tokens += len(request.prompt.split())
            return ["positive"]
        finally:
            with self.lock:
                ServedLikeModel.at_once -= 1

    def usage(self) -> dict[str, float]:
        return {"input_tokens": self.tokens, "requests": len(ServedLikeModel.asked)}

    def render_prompt(self, request: GenerateRequest) -> str:
        return f"<user>{request.prompt}</user>"


class ServedLikePlugin:
    NLPBENCH_PLUGIN_NAME = "served-like"

    @hookimpl
    def register_models(self, register: Any) -> None:
        register(ServedLikeModel, name="served-like")


def test_a_served_model_is_asked_concurrently_and_keeps_every_answer_of_a_failed_cell(tmp_path: Path) -> None:
    ServedLikeModel.asked.clear()
    ServedLikeModel.most_at_once = 0
    tasks = [{"name": "t", "type": "tiny", "params": {"repeat": 5}, "strategy": "generate"}]  # 40 examples
    model = {"name": "s", "type": "served-like", "params": {"fail_on": "tiny-3-2"}}
    suite = tiny_suite(models=[model], tasks=tasks)
    first = _run(tmp_path, suite, "run", host=make_host(ServedLikePlugin()))
    assert first.results["cells"][0]["status"] == "failed"
    assert "HTTP 500 from the server" in first.results["cells"][0]["error"]
    assert 1 < ServedLikeModel.most_at_once <= 4
    answered = set(ServedLikeModel.asked)
    with Store(tmp_path / "run" / "store.sqlite") as store:  # every request answered before the failure is kept
        stored = {row[0] for row in store.db.execute("SELECT example_id FROM predictions")}
    assert stored == answered and 3 <= len(answered) < 40
    # what the failed cell cost is recorded all the same (a served model's tokens are spent)
    assert first.results["cells"][0]["usage"]["requests"] == len(answered)
    # the same model again (it fails the same request): only what is missing is asked
    ServedLikeModel.asked.clear()
    _run(tmp_path, suite, "run", host=make_host(ServedLikePlugin()))
    assert ServedLikeModel.asked and not answered & set(ServedLikeModel.asked)


@pytest.mark.parametrize("side_by_side", [False, True], ids=["ctrl-c in the main thread", "models in threads"])
def test_a_stopped_run_keeps_every_request_a_served_model_answered(tmp_path: Path, side_by_side: bool) -> None:
    """Ctrl-C while four requests are in flight: they come back and are stored before the
    run stops (whether the model is asked in the main thread or in its own)."""
    import os
    import signal
    import threading

    ServedLikeModel.asked.clear()
    models = [{"name": "s", "type": "served-like", "params": {"delay": 0.3}}]
    if side_by_side:
        models.append({"name": "t", "type": "tiny", "params": {"delay": 0.3}})
    tasks = [{"name": "t", "type": "tiny", "params": {"repeat": 5}, "strategy": "generate"}]  # 40 requests
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))  # the second round in flight
    timer.start()
    try:
        stopped = _run(
            tmp_path, tiny_suite(models=models, tasks=tasks), "run", host=make_host(ServedLikePlugin()),
            models_at_once=2 if side_by_side else 1,
        )  # fmt: skip
    finally:
        timer.cancel()
    assert stopped.exit_code == 130
    answered = set(ServedLikeModel.asked)
    assert 4 < len(answered) < 40  # more than the first round, far from all
    with Store(tmp_path / "run" / "store.sqlite") as store:  # the served model's rows: those with a rendered prompt
        stored = {row[0] for row in store.db.execute("SELECT example_id FROM predictions WHERE prompt IS NOT NULL")}
    assert answered == stored  # every answered request is kept


def test_a_served_models_usage_notes_and_rendered_prompts_reach_the_results(tmp_path: Path) -> None:
    ServedLikeModel.asked.clear()
    tasks = [
        {"name": "t", "type": "tiny", "strategy": "generate"},
        {"name": "u", "type": "tiny", "strategy": "loglikelihood"},
    ]
    suite = tiny_suite(models=[{"name": "s", "type": "served-like"}], tasks=tasks)
    host = make_host(ServedLikePlugin())
    outcome = _run(tmp_path, suite, "run", host=host)
    generated, scored = outcome.results["cells"]
    assert generated["usage"]["requests"] == 8 and generated["usage"]["input_tokens"] > 0
    assert scored["status"] == "not_applicable"
    assert scored["reason"].endswith("(loglikelihood: the server returns no prompt log-probabilities)")
    samples = [json.loads(line) for line in (tmp_path / "run" / "samples.jsonl").read_text().splitlines()]
    assert all(s["prompt"].startswith("<user>") for s in samples)
    again = _run(tmp_path, suite, "run", host=make_host(ServedLikePlugin()))  # from the store: the same prompts
    assert [json.loads(line) for line in (tmp_path / "run" / "samples.jsonl").read_text().splitlines()] == samples
    assert "usage" not in again.results["cells"][0]  # the model never loaded


# -- models side by side -----------------------------------------------------------


def _three_models() -> dict[str, Any]:
    return tiny_suite(
        models=[
            {"name": "a", "type": "tiny"},
            {"name": "b", "type": "tiny", "params": {"capabilities": ["loglikelihood"], "delay": 0.05}},
            {"name": "c", "type": "tiny", "params": {"capabilities": ["generate"]}},
        ],
        tasks=[{"name": "t", "type": "tiny", "params": {"repeat": 40}}, {"name": "u", "type": "tiny"}],
    )


def test_models_asked_side_by_side_give_the_results_of_one_after_another(tmp_path: Path) -> None:
    one = _run(tmp_path, _three_models(), "one", store=tmp_path / "one.sqlite")
    three = _run(tmp_path, _three_models(), "three", store=tmp_path / "three.sqlite", models_at_once=3)
    assert one.exit_code == three.exit_code == 0
    assert _stable(three.results) == _stable(one.results)
    assert [(c["model"], c["task"]) for c in three.results["cells"]] == [
        (m, t) for m in ("a", "b", "c") for t in ("t", "u")
    ]  # plan order, whichever model finished first
    assert {(c["executor"], c["replicas"]) for c in three.results["cells"]} == {("local", 1)}
    # a process-wide peak is no one cell's when cells run at the same time
    assert {c["peak_memory_mb"] for c in three.results["cells"]} == {None}
    assert all(c["peak_memory_mb"] is not None for c in one.results["cells"])
    samples = [(tmp_path / name / "samples.jsonl").read_text().splitlines() for name in ("one", "three")]
    assert sorted(samples[0]) == sorted(samples[1])
    with Store(tmp_path / "one.sqlite") as a, Store(tmp_path / "three.sqlite") as b:
        rows = "SELECT cell_key, example_key, prediction FROM predictions ORDER BY cell_key, example_key"
        assert a.db.execute(rows).fetchall() == b.db.execute(rows).fetchall()
        assert len(a.db.execute(rows).fetchall()) == 3 * (8 * 40 + 8)


def test_a_model_side_by_side_that_cannot_load_fails_only_its_cells(tmp_path: Path) -> None:
    suite = _three_models()
    suite["models"][1]["params"] = {"fail": "load"}
    outcome = _run(tmp_path, suite, "run", models_at_once=3)
    assert outcome.exit_code == 1
    status = {(c["model"], c["task"]): c["status"] for c in outcome.results["cells"]}
    assert status == {("a", "t"): "ok", ("a", "u"): "ok", ("b", "t"): "failed", ("b", "u"): "failed",
                      ("c", "t"): "ok", ("c", "u"): "ok"}  # fmt: skip


def test_a_run_stopped_while_models_answer_side_by_side_stores_their_batches_in_flight(tmp_path: Path) -> None:
    """Ctrl-C reaches the main thread while both models' threads are inside a batch: each
    thread stores the batch it is answering and stops there, the store closes with no
    thread writing to it, and the rerun asks for nothing those batches answered."""
    import os
    import signal
    import threading

    suite = tiny_suite(
        models=[{"name": m, "type": "tiny", "params": {"delay": 0.8, "calls_log": m}} for m in ("a", "b")],
        tasks=[{"name": "t", "type": "tiny", "params": {"repeat": 80}}],  # 640 examples: 3 batches each
    )
    log: list[str] = []
    timer = threading.Timer(0.4, os.kill, (os.getpid(), signal.SIGINT))  # inside both models' first batch
    timer.start()
    try:
        stopped = _run(tmp_path, suite, "run", models_at_once=2, log=log.append)
    finally:
        timer.cancel()
    assert stopped.exit_code == 130 and stopped.results["status"] == "interrupted"
    assert not any("still answering" in line for line in log)

    def calls(model: str) -> list[dict[str, Any]]:
        return [json.loads(line) for line in (tmp_path / f"{model}.jsonl").read_text().splitlines()]

    before = {m: calls(m) for m in ("a", "b")}
    for events in before.values():  # one batch each, finished and no other begun
        assert [e["event"] for e in events] == ["start", "done"] and len(events[1]["ids"]) == CHUNK_SIZE
    with Store(tmp_path / "run" / "store.sqlite") as store:  # every answer of those batches kept
        assert store.db.execute("SELECT count(*) FROM predictions").fetchone()[0] == 2 * CHUNK_SIZE
    resumed = _run(tmp_path, suite, "run", models_at_once=2, log=log.append)
    assert resumed.exit_code == 0
    for model, events in before.items():
        asked_again = {i for e in calls(model)[len(events) :] if e["event"] == "start" for i in e["ids"]}
        assert len(asked_again) == 640 - CHUNK_SIZE and not asked_again & set(events[1]["ids"])


# -- load time ---------------------------------------------------------------------


def test_load_time_is_recorded_once_per_model_and_kept_out_of_the_cells_seconds(tmp_path: Path) -> None:
    suite = tiny_suite(tasks=[{"name": "t", "type": "tiny"}, {"name": "u", "type": "tiny"}])
    first = _run(tmp_path, suite, "run")
    cells = first.results["cells"]
    assert cells[0]["load_seconds"] >= 0 and "load_seconds" not in cells[1]
    again = _run(tmp_path, suite, "run")  # served from the store: the model never loads
    assert all("load_seconds" not in cell for cell in again.results["cells"])


def test_the_models_info_is_kept_with_its_first_answers(tmp_path: Path) -> None:
    """A run killed after the model answered but before its cell was stored: the rerun,
    served from the store, still records what the model said about itself."""
    with Store(tmp_path / "store.sqlite") as store:
        assert store.last_model_info("cell") is None
        store.save_model_info("cell", {"dtype": "float32"})
        assert store.last_model_info("cell") == {"dtype": "float32"}
        store.save_cell(1, {"model": "m", "task": "t"}, "cell", [])  # a cell stored without model_info
        assert store.last_model_info("cell") == {"dtype": "float32"}
        store.save_cell(2, {"model": "m", "task": "t", "model_info": {"dtype": "bfloat16"}}, "cell", [])
        assert store.last_model_info("cell") == {"dtype": "bfloat16"}


def test_a_tasks_chosen_strategy_holds_on_every_cell_of_a_loaded_model(tmp_path: Path) -> None:
    """``strategy:`` on a task entry narrows every cell, also those asked after the model
    has loaded (when the loaded task's own strategies are consulted)."""
    from nlpbench.testing import run_suite_text
    from nlpbench.testing.harness import tiny_suite

    suite = tiny_suite(
        tasks=[
            {"name": "first", "type": "tiny"},
            {"name": "chosen", "type": "tiny", "strategy": "generate"},
        ]
    )
    run = run_suite_text(suite, tmp_path)
    strategies = {cell["task"]: cell["strategy"] for cell in run.results["cells"]}
    assert strategies == {"first": "classify", "chosen": "generate"}


def test_an_error_beyond_any_cell_leaves_the_run_marked_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store that cannot take a cell (disk full) ends the run; results.json and the store
    say it failed rather than that it is still running."""
    import sqlite3

    def full(*_: Any, **__: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Store, "save_cell", full)
    with pytest.raises(sqlite3.OperationalError):
        _run(tmp_path, tiny_suite(), "run")
    assert json.loads((tmp_path / "run" / "results.json").read_text(encoding="utf-8"))["status"] == "failed"
