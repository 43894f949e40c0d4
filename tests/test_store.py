"""The results store: predictions kept as batches finish, resumed after a kill, served on
an identical rerun without loading the model, ignored with --no-cache, and refused in one
line when it is corrupt or from a newer nlpbench."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from nlpbench import ClassifyRequest, ConfigError, Example, ModelSpec, hookimpl
from nlpbench.results.store import NOT_RECORDED, SCHEMA_VERSION, STORE_FILE, Store, example_key
from nlpbench.testing import TinyTask, make_host
from nlpbench.testing.harness import tiny_suite

from .conftest import NLPBENCH, child_env


class CountingModel:
    """Answers like the tiny model would, and counts every request it is asked."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"classify"})
    asked: ClassVar[list[str]] = []
    loads: ClassVar[list[str]] = []

    def __init__(self, spec: ModelSpec) -> None:
        CountingModel.loads.append(spec.name)

    def classify(self, requests: list[ClassifyRequest]) -> list[dict[str, float]]:
        CountingModel.asked.extend(r.example_id or "" for r in requests)
        return [{label: float(("good" in r.text) == (label == "positive")) for label in r.labels} for r in requests]

    def describe(self) -> dict[str, Any]:
        return {"counted": True}


class ProbabilityTask(TinyTask):
    """The tiny task, giving the classifier's label probabilities as well."""

    def probabilities(self, example: Example, strategy: str, answers: Sequence[Any]) -> dict[str, float] | None:
        return dict(answers[0]) if strategy == "classify" else None


class CountingPlugin:
    NLPBENCH_PLUGIN_NAME = "counting"

    @hookimpl
    def register_models(self, register: Any) -> None:
        register(CountingModel, name="counting")

    @hookimpl
    def register_tasks(self, register: Any) -> None:
        register(ProbabilityTask, name="tiny-probabilities")


@pytest.fixture(autouse=True)
def _forget() -> None:
    CountingModel.asked.clear()
    CountingModel.loads.clear()


def _suite(**task: Any) -> dict[str, Any]:
    task = {"type": "tiny", **task}
    return tiny_suite(models=[{"name": "counter", "type": "counting"}], tasks=[{"name": "t", **task}])


def _run(tmp_path: Path, suite: dict[str, Any], **options: Any) -> Any:
    from nlpbench.running.runner import run_suite
    from nlpbench.suites.suite import load_suite

    host = make_host(CountingPlugin())
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "suite.yaml").write_text(json.dumps(suite), encoding="utf-8")
    loaded = load_suite(tmp_path / "suite.yaml", host)
    return run_suite(loaded, host, tmp_path / "run", progress=False, log=lambda _: None, **options)


def _stable(results: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(json.dumps(results))
    for key in ("started", "finished", "store"):
        copy.pop(key, None)
    for cell in copy["cells"]:
        for key in (
            "seconds",
            "load_seconds",
            "examples_per_second",
            "peak_memory_mb",
            "peak_gpu_memory_mb",
            "cached",
            "model_info",
        ):
            cell.pop(key, None)
    return copy


def test_an_identical_rerun_is_served_from_the_store_without_loading_the_model(tmp_path: Path) -> None:
    first = _run(tmp_path, _suite())
    assert first.exit_code == 0
    assert len(CountingModel.asked) == 8 and CountingModel.loads == ["counter"]
    assert first.results["cells"][0]["cached"] == 0
    CountingModel.asked.clear()
    CountingModel.loads.clear()
    second = _run(tmp_path, _suite())
    assert CountingModel.asked == [] and CountingModel.loads == []  # never loaded
    assert second.results["cells"][0]["cached"] == 8
    assert _stable(second.results) == _stable(first.results)
    # what the model said about itself comes from the store
    assert second.results["cells"][0]["model_info"] == {"counted": True}


def test_no_cache_asks_again(tmp_path: Path) -> None:
    _run(tmp_path, _suite())
    CountingModel.asked.clear()
    again = _run(tmp_path, _suite(), use_cache=False)
    assert len(CountingModel.asked) == 8
    assert again.results["cells"][0]["cached"] == 0
    assert again.results["store"]["cache"] is False


def test_a_changed_request_is_a_new_key_and_only_it_is_asked(tmp_path: Path) -> None:
    _run(tmp_path, _suite(limit=4))
    CountingModel.asked.clear()
    more = _run(tmp_path, _suite())  # four more examples: only those are asked
    assert sorted(CountingModel.asked) == sorted(f"tiny-{i}" for i in range(4, 8))
    assert more.results["cells"][0]["cached"] == 4


def test_task_params_are_part_of_the_key(tmp_path: Path) -> None:
    _run(tmp_path, _suite())
    CountingModel.asked.clear()
    _run(tmp_path, _suite(params={"fail": None}))
    assert len(CountingModel.asked) == 8


def test_a_shared_store_serves_another_output_folder(tmp_path: Path) -> None:
    shared = tmp_path / "shared.sqlite"
    _run(tmp_path / "a", _suite(), store=shared)
    CountingModel.asked.clear()
    other = _run(tmp_path / "b", _suite(), store=shared)
    assert CountingModel.asked == []
    assert other.results["store"]["path"] == str(shared)
    assert not (tmp_path / "b" / "run" / STORE_FILE).exists()


def test_every_example_and_its_statistics_are_stored(tmp_path: Path) -> None:
    run = _run(tmp_path, _suite())
    with Store(tmp_path / "run" / STORE_FILE) as store:
        rows = store.cell_examples(run.results["store"]["run_id"], "counter", "t")
    assert [r[0] for r in rows] == [f"tiny-{i}" for i in range(8)]
    assert all(set(stats) == {"tiny-match"} for _, _, _, stats in rows)
    assert [r[1] for r in rows] == [s["prediction"] for s in _samples(tmp_path)]


def _samples(tmp_path: Path) -> list[dict[str, Any]]:
    lines = (tmp_path / "run" / "samples.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_example_keys_cover_the_requests_not_the_example_id_field() -> None:
    one = ClassifyRequest("text", ("a", "b"), example_id="x")
    same = ClassifyRequest("text", ("a", "b"), example_id="y")
    other = ClassifyRequest("text!", ("a", "b"), example_id="x")
    assert example_key("x", [one]) == example_key("x", [same])
    assert example_key("x", [one]) != example_key("x", [other])
    assert example_key("x", [one]) != example_key("z", [one])


def test_a_corrupt_store_is_one_line_and_nothing_is_overwritten(tmp_path: Path) -> None:
    store = tmp_path / "run" / STORE_FILE
    store.parent.mkdir(parents=True)
    store.write_bytes(b"this is not a database, it is a shopping list\n" * 20)
    with pytest.raises(ConfigError, match=r"store.sqlite: not a readable nlpbench store"):
        _run(tmp_path, _suite())
    assert store.read_bytes().startswith(b"this is not a database")
    assert CountingModel.loads == []


def test_a_refused_store_leaves_the_run_folder_as_it_was(tmp_path: Path) -> None:
    # nothing of a run is written before its store is open: a finished run's results stay
    first = _run(tmp_path, _suite())
    results = tmp_path / "run" / "results.json"
    finished = results.read_text(encoding="utf-8")
    assert first.exit_code == 0 and json.loads(finished)["status"] == "complete"
    with sqlite3.connect(tmp_path / "run" / STORE_FILE) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    db.close()
    with pytest.raises(ConfigError, match="written by a newer nlpbench"):
        _run(tmp_path, _suite())
    assert results.read_text(encoding="utf-8") == finished
    # and a new run folder, its store elsewhere and corrupt, is not even made
    elsewhere = tmp_path / "shared.sqlite"
    elsewhere.write_bytes(b"not a database\n" * 50)
    with pytest.raises(ConfigError, match="not a readable nlpbench store"):
        _run(tmp_path / "second", _suite(), store=elsewhere)
    assert not (tmp_path / "second" / "run").exists()


def test_a_store_from_a_newer_nlpbench_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "run" / STORE_FILE
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    newer = rf"written by a newer nlpbench \(schema {SCHEMA_VERSION + 1}; this one reads up to {SCHEMA_VERSION}\)"
    with pytest.raises(ConfigError, match=newer):
        _run(tmp_path, _suite())


def _as_schema_1(path: Path) -> None:
    """Make ``path`` look like a store written before probabilities were recorded."""
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE predictions DROP COLUMN probabilities")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")


def test_label_probabilities_are_stored_with_their_predictions(tmp_path: Path) -> None:
    _run(tmp_path, _suite(type="tiny-probabilities"))
    assert len(CountingModel.asked) == 8
    first = _samples(tmp_path)
    line = next(s for s in first if s["id"] == "tiny-0")
    assert line["probabilities"] == {"positive": 1.0, "negative": 0.0} and line["prediction"] == "positive"
    CountingModel.asked.clear()
    second = _run(tmp_path, _suite(type="tiny-probabilities"))
    assert CountingModel.asked == [] and second.results["cells"][0]["cached"] == 8
    assert _samples(tmp_path) == first  # the probabilities came back from the store


def test_a_schema_1_store_is_upgraded_and_rows_without_probabilities_are_asked_again(tmp_path: Path) -> None:
    _run(tmp_path, _suite(type="tiny-probabilities"))
    _run(tmp_path, _suite())  # the plain tiny task stores the same rows under its own cell key
    path = tmp_path / "run" / STORE_FILE
    _as_schema_1(path)
    CountingModel.asked.clear()
    plain = _run(tmp_path, _suite())
    assert CountingModel.asked == [] and plain.results["cells"][0]["cached"] == 8  # it gives no probabilities
    again = _run(tmp_path, _suite(type="tiny-probabilities"))
    assert len(CountingModel.asked) == 8 and again.results["cells"][0]["cached"] == 0  # it does: asked again
    line = next(s for s in _samples(tmp_path) if s["id"] == "tiny-0")
    assert line["probabilities"] == {"positive": 1.0, "negative": 0.0}
    with Store(path) as store:
        assert store.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),
        )
        rows = store.db.execute("SELECT probabilities FROM predictions").fetchall()
        assert len(rows) == 16 and sum(r[0] is None for r in rows) == 8  # the plain task's rows keep theirs unknown
        key = store.db.execute("SELECT cell_key, example_key FROM predictions WHERE probabilities IS NULL").fetchone()
        assert store.cached(key[0], [key[1]])[key[1]][1] is NOT_RECORDED


def test_weights_are_hashed_once_per_content(tmp_path: Path) -> None:
    weights = tmp_path / "model"
    weights.mkdir()
    (weights / "model.safetensors").write_bytes(b"weights")
    with Store(tmp_path / "s.sqlite") as store:
        spec = ModelSpec(name="m", type="gpt", path=weights, base_dir=tmp_path)
        first = store.model_identity(spec, "gpt", "0.1")
        assert store.model_identity(spec, "gpt", "0.1") == first
        (weights / "model.safetensors").write_bytes(b"other weights")
        assert store.model_identity(spec, "gpt", "0.1")["weights"] != first["weights"]
        # a param naming a file is hashed too; batch_size is speed, not identity
        (tmp_path / "train.jsonl").write_text("{}", encoding="utf-8")
        params = ModelSpec(
            name="m", type="majority", params={"data": "train.jsonl", "batch_size": 4}, base_dir=tmp_path
        )
        identity = store.model_identity(params, "baselines", "0.1")
        assert "data@sha256" in identity["params"] and "batch_size" not in identity["params"]


# -- across processes ---------------------------------------------------------------------

SLOW_RUN = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from nlpbench import hookimpl
    from nlpbench.running.runner import run_suite
    from nlpbench.suites.suite import load_suite
    from nlpbench.testing import make_host

    class SlowModel:
        capabilities = frozenset({"classify"})
        def __init__(self, spec):
            pass
        def classify(self, requests):
            time.sleep(float(sys.argv[3]) * len(requests))
            return [{label: float(len(r.text) % len(r.labels) == i) for i, label in enumerate(r.labels)} for r in requests]

    class Plugin:
        NLPBENCH_PLUGIN_NAME = "slow"
        @hookimpl
        def register_models(self, register):
            register(SlowModel, name="slow")

    host = make_host(Plugin(), entry_points=True)
    suite = load_suite(Path(sys.argv[1]), host)
    outcome = run_suite(suite, host, Path(sys.argv[2]), progress=False, log=lambda m: None)
    print(outcome.exit_code)
    """
)


def _slow_suite(tmp_path: Path) -> Path:
    rows = [{"text": f"review {i} " + "word " * (i % 7), "label": ["negative", "positive"][i % 2]} for i in range(600)]
    (tmp_path / "reviews.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    suite = tiny_suite(
        models=[{"name": "slow", "type": "slow"}],
        tasks=[
            {
                "name": "reviews",
                "type": "sentiment",
                "data": {"path": "reviews.jsonl", "text": "text", "label": "label"},
                "metrics": ["accuracy"],
            }
        ],
    )
    path = tmp_path / "suite.yaml"
    path.write_text(json.dumps(suite), encoding="utf-8")
    (tmp_path / "slow_run.py").write_text(SLOW_RUN, encoding="utf-8")
    return path


def _stored_predictions(store: Path) -> int:
    if not store.exists():
        return 0
    try:
        with sqlite3.connect(store, timeout=5) as db:
            return int(db.execute("SELECT count(*) FROM predictions").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_a_run_killed_halfway_resumes_to_the_same_results(tmp_path: Path) -> None:
    pytest.importorskip("nlpbench_sentiment", reason="the resume test runs the sentiment task")
    suite = _slow_suite(tmp_path)
    script = [sys.executable, str(tmp_path / "slow_run.py"), str(suite)]
    env = child_env()
    # an uninterrupted run, for reference
    done = subprocess.run(
        [*script, str(tmp_path / "whole"), "0.001"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.stdout.strip() == "0", done.stderr
    # the same run, killed with SIGKILL once the first batch of predictions is stored
    out = tmp_path / "killed"
    process = subprocess.Popen([*script, str(out), "0.02"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _stored_predictions(out / STORE_FILE) < 256 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the run finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    stored = _stored_predictions(out / STORE_FILE)
    assert 256 <= stored < 600
    # the same command again finishes it, asking only for what was missing
    again = subprocess.run([*script, str(out), "0.001"], env=env, capture_output=True, text=True, timeout=300)
    assert again.stdout.strip() == "0", again.stderr
    whole = json.loads((tmp_path / "whole" / "results.json").read_text(encoding="utf-8"))
    resumed = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert resumed["cells"][0]["cached"] == stored
    assert _stable(resumed) == _stable(whole)
    read = [json.loads(line) for line in (out / "samples.jsonl").read_text(encoding="utf-8").splitlines()]
    reference = [
        json.loads(line) for line in (tmp_path / "whole" / "samples.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert read == reference


@pytest.mark.slow
def test_two_runs_sharing_a_store_at_once_do_not_corrupt_it(tmp_path: Path) -> None:
    pytest.importorskip("nlpbench_sentiment", reason="the test runs the sentiment task")
    suite = _slow_suite(tmp_path)
    shared = tmp_path / "shared.sqlite"
    script = [sys.executable, str(tmp_path / "slow_run.py"), str(suite)]
    # both write to the same store: point each run folder's store at it through a link
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / STORE_FILE).symlink_to(shared)
    processes = [
        subprocess.Popen(
            [*script, str(tmp_path / name), "0.0005"], env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for name in ("one", "two")
    ]
    for process in processes:
        stdout, stderr = process.communicate(timeout=300)
        assert stdout.decode().strip() == "0", stderr.decode()
    with sqlite3.connect(shared) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 2
    one = json.loads((tmp_path / "one" / "results.json").read_text(encoding="utf-8"))
    two = json.loads((tmp_path / "two" / "results.json").read_text(encoding="utf-8"))
    assert _stable(one)["cells"] == _stable(two)["cells"]


def test_the_command_line_takes_store_and_no_cache(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text(
        "name: cli\nmodels:\n  - {name: w, type: wordlist}\ntasks:\n  - {name: s, type: sentiment}\nreporters: []\n",
        encoding="utf-8",
    )
    shared = tmp_path / "elsewhere" / "store.sqlite"
    first = subprocess.run(
        [*NLPBENCH, "run", str(tmp_path / "suite.yaml"), "--out", str(tmp_path / "out"), "--store", str(shared)],
        capture_output=True, text=True, env=child_env(), timeout=120,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert shared.is_file()
    again = subprocess.run(
        [*NLPBENCH, "run", str(tmp_path / "suite.yaml"), "--out", str(tmp_path / "out"), "--store", str(shared), "--no-cache"],
        capture_output=True, text=True, env=child_env(), timeout=120,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert results["cells"][0]["cached"] == 0 and results["store"]["cache"] is False


def test_an_identical_rerun_does_not_score_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nlpbench.testing import tiny

    calls: list[int] = []
    original = tiny.TinyMatchMetric.stats

    def counting(self: Any, predictions: Any, references: Any) -> Any:
        calls.append(len(predictions))
        return original(self, predictions, references)

    monkeypatch.setattr(tiny.TinyMatchMetric, "stats", counting)
    first = _run(tmp_path, _suite())
    assert calls == [8]
    first_samples = _samples(tmp_path)
    second = _run(tmp_path, _suite())
    assert calls == [8]  # served from the store: the score, its interval and every example's statistics
    assert second.results["cells"][0]["metrics"] == first.results["cells"][0]["metrics"]
    assert _samples(tmp_path) == first_samples  # per-example scores too, from the stored statistics
    # other bootstrap settings are another score
    _run(tmp_path, {**_suite(), "bootstrap": {"resamples": 50}})
    assert calls == [8, 8]


# -- the key holds only the plugins a cell uses, and an editable plugin's source ------

ECHO_MODEL = """
from typing import ClassVar

ANSWER = "positive"


class EchoModel:
    capabilities: ClassVar[frozenset[str]] = frozenset({"classify"})

    def __init__(self, spec):
        pass

    def classify(self, requests):
        return [{label: float(label == ANSWER) for label in r.labels} for r in requests]
"""

ECHO_MODEL_PLUGIN = """
from nlpbench import hookimpl

from .model import EchoModel


@hookimpl
def register_models(register):
    register(EchoModel, name="echo")
"""

ECHO_TASK_PLUGIN = """
from nlpbench import hookimpl
from nlpbench.testing import TinyTask


@hookimpl
def register_tasks(register):
    register(TinyTask, name="echo-task")
"""

ECHO_METRIC_PLUGIN = """
from nlpbench import hookimpl

from .metric import EchoMatch


@hookimpl
def register_metrics(register):
    register(EchoMatch, name="echo-match")
"""

ECHO_METRIC = """
import numpy as np

WEIGHT = 1.0


class EchoMatch:
    higher_is_better = True
    scale = (0.0, None)

    def stats(self, predictions, references):
        return np.array([[WEIGHT * float(p in refs)] for p, refs in zip(predictions, references)]).reshape(-1, 1)

    def aggregate(self, stats):
        return float(stats[:, 0].mean())
"""


def _distribution(site: Path, name: str, files: dict[str, str], *, editable: bool, entry_point: bool = True) -> None:
    """A distribution ``nlpbench-NAME`` (package ``nlpbench_NAME``) laid out in ``site`` as an
    install leaves it, its entry point ``NAME`` in the group ``nlpbench``; ``editable``
    writes PEP 610's ``direct_url.json`` as ``pip install -e`` does."""
    package = site / f"nlpbench_{name}"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    for file, text in files.items():
        (package / file).write_text(textwrap.dedent(text), encoding="utf-8")
    info = site / f"nlpbench_{name}-0.1.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: nlpbench-{name}\nVersion: 0.1\n", encoding="utf-8")
    (info / "top_level.txt").write_text(f"nlpbench_{name}\n", encoding="utf-8")
    if entry_point:
        (info / "entry_points.txt").write_text(f"[nlpbench]\n{name} = nlpbench_{name}.plugin\n", encoding="utf-8")
    if editable:
        direct = {"url": f"file://{package.parent}", "dir_info": {"editable": True}}
        (info / "direct_url.json").write_text(json.dumps(direct), encoding="utf-8")


def _echo_run(tmp_path: Path, *sites: Path) -> tuple[dict[str, Any], str]:
    """Run the echo suite from the command line with ``sites`` on the path: (results, stderr)."""
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "name: echo\nseed: 1\nmodels:\n  - {name: echo, type: echo}\n"
        "tasks:\n  - {name: t, type: echo-task, metrics: [echo-match]}\nreporters: []\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [*NLPBENCH, "run", str(suite), "--out", str(tmp_path / "out"), "--no-progress"],
        capture_output=True, text=True, timeout=300,
        env=child_env(PYTHONPATH=os.pathsep.join(str(s) for s in sites), NLPBENCH_DISABLE_PLUGINS="mlflow"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8")), done.stderr


@pytest.mark.parametrize("editable", [True, False])
def test_the_key_holds_the_plugins_a_cell_uses_and_an_editable_plugins_source(tmp_path: Path, editable: bool) -> None:
    site, unrelated = tmp_path / "site", tmp_path / "unrelated"
    _distribution(site, "echo", {"plugin.py": ECHO_MODEL_PLUGIN, "model.py": ECHO_MODEL}, editable=editable)
    _distribution(site, "echotask", {"plugin.py": ECHO_TASK_PLUGIN}, editable=editable)
    _distribution(site, "echometric", {"plugin.py": ECHO_METRIC_PLUGIN, "metric.py": ECHO_METRIC}, editable=editable)
    first, log = _echo_run(tmp_path, site)
    assert "loading model 'echo'" in log
    cell = first["cells"][0]
    assert cell["cached"] == 0 and cell["metrics"]["echo-match"]["value"] == 0.5
    # installing a plugin this cell does not use changes nothing: the model is not loaded
    _distribution(unrelated, "unrelated", {"plugin.py": "x = 1\n"}, editable=False)
    again, log = _echo_run(tmp_path, site, unrelated)
    assert "nlpbench-unrelated" in again["nlpbench"]["plugins"]
    assert "loading model" not in log and again["cells"][0]["cached"] == 8
    # the metric's code changed: the stored predictions serve, but they are scored again
    (site / "nlpbench_echometric" / "metric.py").write_text(ECHO_METRIC.replace("= 1.0", "= 2.0"), encoding="utf-8")
    rescored, log = _echo_run(tmp_path, site, unrelated)
    assert "loading model" not in log and rescored["cells"][0]["cached"] == 8
    assert rescored["cells"][0]["metrics"]["echo-match"]["value"] == (1.0 if editable else 0.5)
    # the model's code changed: an editable install is asked again, a released one is its version
    model = site / "nlpbench_echo" / "model.py"
    model.write_text(ECHO_MODEL.replace('ANSWER = "positive"', 'ANSWER = "negative"'), encoding="utf-8")
    changed, log = _echo_run(tmp_path, site, unrelated)
    if editable:
        assert "loading model 'echo'" in log and changed["cells"][0]["cached"] == 0
        assert changed["cells"][0]["metrics"]["echo-match"]["value"] == 1.0  # the other half, at weight 2
    else:
        assert "loading model" not in log and changed["cells"][0]["cached"] == 8


def test_a_models_identity_hashes_the_files_its_config_names(tmp_path: Path) -> None:
    """``config: {tokenizer: DIR}``: editing the tokenizer's files (its chat template) is a new model."""
    from nlpbench import ModelSpec

    folder = tmp_path / "tokenizer"
    folder.mkdir()
    (folder / "tokenizer_config.json").write_text('{"chat_template": "{{ messages }}"}')
    spec = ModelSpec(name="m", type="gpt", config={"n_layer": 2, "tokenizer": "tokenizer"}, base_dir=tmp_path)
    with Store(tmp_path / "store.sqlite") as store:
        before = store.model_identity(spec, "gpt", "1")
        (folder / "tokenizer_config.json").write_text('{"chat_template": "{{ messages | first }}"}')
        after = store.model_identity(spec, "gpt", "1")
    assert before["config"]["n_layer"] == 2 and "tokenizer@sha256" in before["config"]
    assert before != after
