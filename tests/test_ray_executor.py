"""The Ray executor on a real Ray cluster: a head started on 127.0.0.1 with two CPUs.

Models are the tiny test model (``nlpbench.testing.tiny``), made slow with its ``delay``
param where a test kills something mid-cell, and asked to log each call (``calls_log``)
so a test can tell which batches were asked twice. Each replica asks for half a CPU, so
two models and two replicas fit on the two CPUs.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from nlpbench.contracts.components import ClassifyRequest, ModelSpec
from nlpbench.contracts.errors import ConfigError
from nlpbench.running.executors.local import LocalExecutor
from nlpbench.running.executors.sharing import share, steal
from nlpbench.running.runner import run_suite
from nlpbench.suites.suite import load_suite
from nlpbench.testing.harness import make_host

# Ray ≥ 2.5x clusters require a token by default, and Ray reads how to authenticate when
# it is imported: this module's head and its drivers (this process, and the processes it
# starts) share a token of their own, never the user's ~/.ray/auth_token.
os.environ.setdefault("RAY_AUTH_MODE", "token")
os.environ.setdefault("RAY_AUTH_TOKEN", f"nlpbench-test-{os.getpid()}-{time.time_ns()}")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

try:
    import ray  # noqa: F401

    HAVE_RAY = True
except ImportError:
    HAVE_RAY = False

needs_ray = pytest.mark.skipif(
    not HAVE_RAY, reason="Ray is not installed (pip install 'nlpbench[ray]'; make installs it)"
)

#: What differs between executors by design: timings, where a cell ran, and the tiny
#: model's own count of its calls (each replica counts its own).
RUNTIME_KEYS = (
    "seconds",
    "examples_per_second",
    "peak_memory_mb",
    "peak_gpu_memory_mb",
    "tokens_per_second",
    "load_seconds",
    "executor",
    "replicas",
    "model_info",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def ray_head(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Ray head on 127.0.0.1 with the machine's two CPUs, for this module; its address
    (with the token this module set)."""
    if not HAVE_RAY:
        pytest.skip("Ray is not installed (pip install 'nlpbench[ray]'; make installs it)")
    folder = tmp_path_factory.mktemp("ray")
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "ray"),
        "start",
        "--head",
        "--block",
        "--num-cpus",
        "2",
        "--port",
        str(port),
        "--node-ip-address",
        "127.0.0.1",
        "--disable-usage-stats",
        "--include-dashboard",
        "false",
    ]
    log = (folder / "head.log").open("w")
    head = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if head.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the Ray head did not start: see {log.name}") from None
                time.sleep(0.5)
        yield f"127.0.0.1:{port}"
    finally:
        # the head's whole process group (gcs, raylet, workers): Ray's own SIGTERM drains for 30 s
        os.killpg(head.pid, signal.SIGKILL)
        head.wait()
        log.close()


def _logged_spec(tmp_path: Path, **params: Any) -> ModelSpec:
    """Two replicas of the tiny model, each call logged to ``tmp_path/calls.jsonl``."""
    return ModelSpec(
        name="m",
        type="tiny",
        params={"calls_log": str(tmp_path / "calls"), **params},
        replicas=2,
        resources={"num_cpus": 0.5},
        base_dir=tmp_path,
    )


def _tiny(name: str, **params: Any) -> dict[str, Any]:
    return {"name": name, "type": "tiny", "params": params, "resources": {"num_cpus": 0.5}}


def _write_suite(folder: Path, models: list[dict[str, Any]], tasks: list[dict[str, Any]], **extra: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "suite.yaml"
    suite = {"name": "ray", "seed": 7, "models": models, "tasks": tasks, "reporters": ["json"], **extra}
    path.write_text(yaml.safe_dump(suite, sort_keys=False), encoding="utf-8")
    return path


def _run(path: Path, out: Path, executor: str = "local", address: str | None = None) -> dict[str, Any]:
    from nlpbench.running.executors.choosing import choose_executor

    host = make_host()
    suite = load_suite(path, host)
    outcome = run_suite(
        suite, host, out, progress=False, log=lambda _: None, executor=choose_executor(suite, host, executor, address)
    )
    return outcome.results


def _comparable(results: dict[str, Any]) -> dict[str, Any]:
    cells = [{k: v for k, v in cell.items() if k not in RUNTIME_KEYS} for cell in results["cells"]]
    return {"cells": cells, **{k: results.get(k) for k in ("comparisons", "ranking", "groups", "tasks")}}


def _calls(log: Path, event: str = "done") -> list[tuple[str, ...]]:
    if not log.exists():
        return []
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]
    return [tuple(line["ids"]) for line in lines if line["event"] == event]


def _starts(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]
    return [line for line in lines if line["event"] == "start"]


# -- without a cluster ---------------------------------------------------------------


def test_share_balances_by_length_not_count() -> None:
    # one long batch and four short ones: by count each replica would get 2-3 batches
    weights = [100, 10, 10, 10, 10]
    queues = share(weights, 2)
    loads = [sum(weights[i] for i in queue) for queue in queues]
    assert queues == [[0], [1, 2, 3, 4]] and loads == [100, 40]
    assert share(weights, 2) == queues  # deterministic
    # an idle replica takes the last batch of the longest queue left
    assert steal([[], [1, 2, 3]], 0) == 3
    assert steal([[], []], 1) is None


def test_suite_executor_entry_and_model_resources(tmp_path: Path) -> None:
    models = [
        {"name": "a", "type": "tiny", "replicas": 2, "resources": {"num_cpus": 0.5, "num_gpus": 0, "memory": "1.5GiB"}}
    ]
    path = _write_suite(tmp_path, models, [{"name": "t", "type": "tiny"}], executor={"type": "ray"})
    suite = load_suite(path, make_host())
    assert suite.executor.type == "ray" and suite.executor.address is None
    assert suite.models[0].replicas == 2
    assert suite.models[0].resources == {"num_cpus": 0.5, "num_gpus": 0, "memory": int(1.5 * 2**30)}
    bad = [{"name": "a", "type": "tiny", "replicas": 0, "resources": {"num_cpus": 0, "memory": "lots"}}]
    path = _write_suite(tmp_path, bad, [{"name": "t", "type": "tiny"}], executor={"type": "dask"})
    with pytest.raises(ConfigError) as raised:
        load_suite(path, make_host())
    text = str(raised.value)
    assert f"{path}:" in text and "executor.type: must be one of local, ray, not 'dask'" in text
    assert "models[0].replicas: must be at least 1, not 0" in text


def test_replicas_with_the_local_executor_are_a_validate_note(tmp_path: Path) -> None:
    from nlpbench.suites.validating import validate_suite

    path = _write_suite(tmp_path, [{"name": "a", "type": "tiny", "replicas": 2}], [{"name": "t", "type": "tiny"}])
    found = validate_suite(path, make_host())
    assert not found.problems
    assert any("replicas: 2 apply only with --executor ray" in note for note in found.notes)


def test_the_command_line_wins_over_the_suite(tmp_path: Path) -> None:
    from nlpbench.running.executors.choosing import choose_executor

    path = _write_suite(
        tmp_path, [{"name": "a", "type": "tiny"}], [{"name": "t", "type": "tiny"}], executor={"type": "ray"}
    )
    host = make_host()
    suite = load_suite(path, host)
    assert choose_executor(suite, host, "local").kind == "local"  # the suite's ray is not even imported
    with pytest.raises(ConfigError, match=r"^--ray-address applies only with --executor ray$"):
        choose_executor(suite, host, "local", "127.0.0.1:6379")
    if HAVE_RAY:  # an address alone means Ray, and is reached at once
        with pytest.raises(ConfigError, match=r"^cannot reach the Ray cluster at 127\.0\.0\.1:"):
            choose_executor(
                load_suite(
                    _write_suite(tmp_path, [{"name": "a", "type": "tiny"}], [{"name": "t", "type": "tiny"}]), host
                ),
                host,
                None,
                f"127.0.0.1:{_free_port()}",
            )


def _driver(
    tmp_path: Path, *args: str, without_ray: bool = False, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``nlpbench run`` (the real command) with the tiny test plugin, in a process of its own."""
    hide = "sys.modules['ray'] = None; " if without_ray else ""
    code = (
        f"import sys; {hide}from nlpbench.cli import build_cli; from nlpbench.testing.harness import make_host; "
        "host = make_host(); build_cli(host).main(args=sys.argv[1:], prog_name='nlpbench', obj={'host': host})"
    )
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", code, "run", *args], capture_output=True, text=True, timeout=180, env=env, cwd=tmp_path
    )


def test_missing_ray_is_one_line_with_the_pip_command(tmp_path: Path) -> None:
    path = _write_suite(tmp_path, [{"name": "a", "type": "tiny"}], [{"name": "t", "type": "tiny"}])
    done = _driver(tmp_path, str(path), "--executor", "ray", without_ray=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "Error: --executor ray needs Ray, which is not installed: pip install 'nlpbench[ray]'"
    )


@needs_ray
def test_unreachable_address_is_one_line_and_fast(tmp_path: Path) -> None:
    path = _write_suite(tmp_path, [{"name": "a", "type": "tiny"}], [{"name": "t", "type": "tiny"}])
    started = time.monotonic()
    done = _driver(tmp_path, str(path), "--executor", "ray", "--ray-address", f"127.0.0.1:{_free_port()}")
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: cannot reach the Ray cluster at 127.0.0.1:") and "refused" in last
    assert time.monotonic() - started < 30
    assert not (tmp_path / "runs").exists()  # nothing ran


# -- on the cluster: the executor itself -------------------------------------------------


@needs_ray
def test_replicas_share_batches_and_answer_as_the_local_model(ray_head: str, tmp_path: Path) -> None:
    from nlpbench.running.executors.ray import RayExecutor

    host = make_host()
    log = tmp_path / "calls.jsonl"  # the tiny model writes to its calls_log + .jsonl
    spec = _logged_spec(tmp_path)
    batches = [
        [
            ClassifyRequest("good " * (1 + i * 7 % 5) + str(j), ("positive", "negative"), example_id=f"{i}-{j}")
            for j in range(4)
        ]
        for i in range(6)
    ]
    executor = RayExecutor(ray_head, host, models=1)
    try:
        worker = executor.load(spec)
        assert worker.replicas == 2 and "classify" in worker.capabilities
        got = dict(worker.ask("classify", batches))
        assert worker.tokens_processed() is None and worker.describe() is not None
        worker.close()
    finally:
        executor.shutdown()
    local = LocalExecutor(host).load(ModelSpec(name="m", type="tiny"))
    assert got == dict(local.ask("classify", batches))  # the same answers, batch by batch
    starts = _starts(log)
    assert len({line["pid"] for line in starts}) == 2  # both replicas answered
    assert sorted(Counter(_calls(log)).values()) == [1] * 6  # each batch asked once


@needs_ray
def test_killed_actor_only_its_batch_in_flight_is_asked_again(ray_head: str, tmp_path: Path) -> None:
    from nlpbench.running.executors.ray import RayExecutor

    host = make_host()
    log = tmp_path / "calls.jsonl"  # the tiny model writes to its calls_log + .jsonl
    spec = _logged_spec(tmp_path, delay=0.4)
    batches = [
        [ClassifyRequest(f"text {i} {j}", ("a", "b"), example_id=f"{i}-{j}") for j in range(3)] for i in range(8)
    ]
    executor = RayExecutor(ray_head, host, models=1)
    killed: list[int] = []

    def kill_one() -> None:  # the process of the third call started: a batch in flight
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(_starts(log)) < 3:
            time.sleep(0.05)
        killed.append(_starts(log)[2]["pid"])
        os.kill(killed[0], signal.SIGKILL)

    try:
        worker = executor.load(spec)
        killer = threading.Thread(target=kill_one)
        killer.start()
        got = list(worker.ask("classify", batches))
        killer.join()
        assert worker.failures == 1
    finally:
        executor.shutdown()
    assert sorted(index for index, _ in got) == list(range(8))  # every batch answered, once
    done = Counter(_calls(log))
    assert set(done) == {tuple(f"{i}-{j}" for j in range(3)) for i in range(8)}
    assert set(done.values()) == {1}  # the killed call never finished: nothing was answered twice
    assert len(_starts(log)) == 9  # eight batches and the one asked again


@needs_ray
def test_a_replica_slow_to_load_is_waited_for_twice_its_load_time_when_it_restarts(
    ray_head: str, tmp_path: Path
) -> None:
    """A killed copy of a model that takes 4 s to load is back only after loading again:
    with a placement timeout of 3 s alone it would be given up, and the model's only
    copy with it; the wait is the timeout plus twice the first load's time."""
    from nlpbench.running.executors.ray import RayExecutor

    host = make_host()
    log = tmp_path / "calls.jsonl"
    spec = dataclasses.replace(_logged_spec(tmp_path, delay=0.3, load_delay=4.0), replicas=1)
    batches = [[ClassifyRequest(f"text {i}", ("a", "b"), example_id=str(i))] for i in range(4)]
    executor = RayExecutor(ray_head, host, models=1, placement_timeout=3)
    try:
        worker = executor.load(spec)
        assert worker.restart_timeout >= 3 + 2 * 4.0

        def kill_first() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not _starts(log):
                time.sleep(0.05)
            os.kill(_starts(log)[0]["pid"], signal.SIGKILL)

        killer = threading.Thread(target=kill_first)
        killer.start()
        got = sorted(index for index, _ in worker.ask("classify", batches))
        killer.join()
        assert got == list(range(4)) and worker.failures == 1  # the restarted copy answered the rest
    finally:
        executor.shutdown()


@needs_ray
def test_a_replica_killed_between_cells_fails_no_hook_while_another_answers(ray_head: str, tmp_path: Path) -> None:
    """describe(), tokens_processed() and the next cell's asking skip a copy that died
    between cells: the other copy answers, and the dead one's work is not lost."""
    from nlpbench.running.executors.ray import RayExecutor

    host = make_host()
    log = tmp_path / "calls.jsonl"
    spec = _logged_spec(tmp_path)
    batches = [[ClassifyRequest(f"text {i}", ("a", "b"), example_id=str(i))] for i in range(6)]
    executor = RayExecutor(ray_head, host, models=1)
    try:
        worker = executor.load(spec)
        assert sorted(index for index, _ in worker.ask("classify", batches)) == list(range(6))
        pids = sorted({start["pid"] for start in _starts(log)})
        os.kill(pids[0], signal.SIGKILL)  # between cells, as the driver scores; asked at once, as Ray restarts it
        assert isinstance(worker.describe(), dict)
        worker.tokens_processed()  # asks every copy: the dead one is skipped, not a failure
        assert sorted(index for index, _ in worker.ask("classify", batches)) == list(range(6))
    finally:
        executor.shutdown()


@needs_ray
def test_unsatisfiable_resources_fail_the_cell_in_bounded_time(ray_head: str, tmp_path: Path) -> None:
    models = [
        {"name": "gpu", "type": "tiny", "resources": {"num_gpus": 1, "num_cpus": 0.5}},
        {**_tiny("crowd"), "replicas": 5},  # 2.5 CPUs on a cluster of 2
        _tiny("cpu"),
    ]
    path = _write_suite(
        tmp_path, models, [{"name": "t", "type": "tiny"}], executor={"type": "ray", "placement_timeout": 3}
    )
    started = time.monotonic()
    results = _run(path, tmp_path / "run", "ray", ray_head)
    assert time.monotonic() - started < 90
    cells = {cell["model"]: cell for cell in results["cells"]}
    assert cells["cpu"]["status"] == "ok" and cells["cpu"]["executor"] == "ray"
    assert cells["gpu"]["status"] == "failed"
    assert "could not place 1 replica asking CPU 0.5, GPU 1 each within 3 s" in cells["gpu"]["error"]
    assert cells["crowd"]["status"] == "failed"
    assert "could not place 5 replicas asking CPU 0.5 each within 3 s (the cluster has CPU 2" in cells["crowd"]["error"]


@needs_ray
def test_a_model_that_fails_to_load_fails_its_cells_as_locally(ray_head: str, tmp_path: Path) -> None:
    path = _write_suite(tmp_path, [_tiny("broken", fail="load")], [{"name": "t", "type": "tiny"}])
    local = _run(path, tmp_path / "local")
    remote = _run(path, tmp_path / "ray", "ray", ray_head)
    assert remote["cells"][0]["status"] == "failed"
    assert remote["cells"][0]["error"] == local["cells"][0]["error"]
    assert "Traceback" in remote["cells"][0]["traceback"]


# -- on the cluster: whole runs -------------------------------------------------------------


@needs_ray
@pytest.mark.slow
def test_two_models_with_replicas_give_the_local_results(ray_head: str, tmp_path: Path) -> None:
    # two models the store tells apart (else the second would be answered from the first's predictions)
    models = [{**_tiny("wide"), "replicas": 2}, _tiny("narrow", capabilities=["classify", "generate"])]
    tasks = [{"name": "many", "type": "tiny", "params": {"repeat": 40}}, {"name": "few", "type": "tiny"}]
    path = _write_suite(tmp_path, models, tasks)
    local = _run(path, tmp_path / "local")
    remote = _run(path, tmp_path / "ray", "ray", ray_head)
    assert all(cell["status"] == "ok" for cell in remote["cells"])
    assert _comparable(remote) == _comparable(local)
    assert {(c["model"], c["executor"], c["replicas"]) for c in remote["cells"]} == {
        ("wide", "ray", 2),
        ("narrow", "ray", 1),
    }
    assert {c["executor"] for c in local["cells"]} == {"local"}
    samples = [(tmp_path / name / "samples.jsonl").read_text(encoding="utf-8") for name in ("local", "ray")]
    assert sorted(samples[0].splitlines()) == sorted(samples[1].splitlines())


@needs_ray
@pytest.mark.slow
def test_worker_killed_mid_cell_loses_only_its_batch(ray_head: str, tmp_path: Path) -> None:
    log = tmp_path / "calls.jsonl"  # the tiny model writes to its calls_log + .jsonl
    models = [_tiny("slow", delay=0.3, calls_log=str(tmp_path / "calls"))]
    tasks = [{"name": "many", "type": "tiny", "params": {"repeat": 200}}]  # 1600 requests: 7 batches
    path = _write_suite(tmp_path, models, tasks)

    def kill_one() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(_starts(log)) < 3:
            time.sleep(0.05)
        os.kill(_starts(log)[2]["pid"], signal.SIGKILL)

    killer = threading.Thread(target=kill_one)
    killer.start()
    remote = _run(path, tmp_path / "ray", "ray", ray_head)
    killer.join()
    assert remote["cells"][0]["status"] == "ok" and remote["cells"][0]["n"] == 1600
    done = Counter(_calls(log))
    assert len(done) == 7 and set(done.values()) == {1}  # every batch answered once
    assert len(_starts(log)) == 8  # the one in flight was asked again, nothing else
    local = _run(path, tmp_path / "local")
    assert _comparable(remote) == _comparable(local)


@needs_ray
@pytest.mark.slow
def test_killed_driver_resumes_asking_only_what_is_missing(ray_head: str, tmp_path: Path) -> None:
    log = tmp_path / "calls.jsonl"  # the tiny model writes to its calls_log + .jsonl
    models = [_tiny("slow", delay=0.4, calls_log=str(tmp_path / "calls"))]
    tasks = [{"name": "many", "type": "tiny", "params": {"repeat": 200}}]
    path = _write_suite(tmp_path, models, tasks)
    args = [str(path), "--executor", "ray", "--ray-address", ray_head, "--out", str(tmp_path / "run"), "--no-progress"]
    code = (
        "import sys; from nlpbench.cli import build_cli; from nlpbench.testing.harness import make_host; "
        "host = make_host(); build_cli(host).main(args=sys.argv[1:], prog_name='nlpbench', obj={'host': host})"
    )
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    first = subprocess.Popen(
        [sys.executable, "-c", code, "run", *args],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(_calls(log)) < 3 and first.poll() is None:
        time.sleep(0.05)
    first.kill()  # SIGKILL: no handler runs
    first.wait()
    time.sleep(1.5)  # a call in flight then may still finish (and be logged) before Ray ends its actor
    assert len(_calls(log)) < 7, "the run finished before it could be killed"
    with sqlite3.connect(tmp_path / "run" / "store.sqlite") as store:
        stored = {row[0] for row in store.execute("SELECT example_id FROM predictions")}
    assert stored  # the batches answered before the kill were kept
    asked_before = len(_calls(log))
    second = _driver(tmp_path, *args)
    assert second.returncode == 0, second.stderr
    again = {i for ids in _calls(log)[asked_before:] for i in ids}
    assert not again & stored  # only what was missing was asked
    assert len(again | stored) == 1600
    results = json.loads((tmp_path / "run" / "results.json").read_text(encoding="utf-8"))
    assert results["status"] == "complete" and results["cells"][0]["cached"] == len(stored)
    local = _run(path, tmp_path / "local")
    assert _comparable(results)["cells"][0]["metrics"] == _comparable(local)["cells"][0]["metrics"]


@needs_ray
@pytest.mark.slow
def test_without_an_address_a_local_cluster_is_started_for_the_run(tmp_path: Path) -> None:
    # two models: each is loaded from its own thread of the driver, the first starts the cluster
    models = [{**_tiny("a"), "replicas": 2}, _tiny("b", capabilities=["classify"])]
    path = _write_suite(tmp_path, models, [{"name": "t", "type": "tiny"}], executor={"type": "ray"})
    done = _driver(tmp_path, str(path), "--out", str(tmp_path / "run"), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    results = json.loads((tmp_path / "run" / "results.json").read_text(encoding="utf-8"))
    assert [(c["model"], c["status"], c["executor"], c["replicas"]) for c in results["cells"]] == [
        ("a", "ok", "ray", 2),
        ("b", "ok", "ray", 1),
    ]


@needs_ray
@pytest.mark.slow
def test_an_actor_out_of_memory_fails_the_cell_with_the_reason(tmp_path: Path) -> None:
    # a cluster of its own whose memory monitor finds any use too much: it kills the model's worker
    path = _write_suite(tmp_path, [_tiny("a", delay=0.5)], [{"name": "t", "type": "tiny"}], executor={"type": "ray"})
    oom = {"RAY_memory_usage_threshold": "0.01", "RAY_memory_monitor_refresh_ms": "100"}
    done = _driver(tmp_path, str(path), "--out", str(tmp_path / "run"), "--no-progress", env=oom)
    assert done.returncode == 1, done.stderr
    cell = json.loads((tmp_path / "run" / "results.json").read_text(encoding="utf-8"))["cells"][0]
    assert cell["status"] == "failed" and "\n" not in cell["error"]
    assert "OutOfMemoryError" in cell["error"] and "low on memory" in cell["error"]


@needs_ray
@pytest.mark.slow
def test_sigterm_stops_a_ray_run_the_runs_way(tmp_path: Path) -> None:
    # Ray's own SIGTERM handlers (its driver's, its C++ core's) must not take the run over
    log = tmp_path / "calls.jsonl"
    models = [_tiny("slow", delay=0.4, calls_log=str(tmp_path / "calls"))]
    path = _write_suite(tmp_path, models, [{"name": "many", "type": "tiny", "params": {"repeat": 200}}])
    code = (
        "import sys; from nlpbench.cli import build_cli; from nlpbench.testing.harness import make_host; "
        "host = make_host(); build_cli(host).main(args=sys.argv[1:], prog_name='nlpbench', obj={'host': host})"
    )
    args = [str(path), "--executor", "ray", "--out", str(tmp_path / "run"), "--no-progress"]
    driver = subprocess.Popen(
        [sys.executable, "-c", code, "run", *args],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(_calls(log)) < 2 and driver.poll() is None:
        time.sleep(0.05)
    driver.terminate()
    _, stderr = driver.communicate(timeout=60)
    assert driver.returncode == 143, stderr
    assert "terminated (SIGTERM)" in stderr and "SIGTERM received" not in stderr
    results = json.loads((tmp_path / "run" / "results.json").read_text(encoding="utf-8"))
    assert results["status"] == "interrupted"
