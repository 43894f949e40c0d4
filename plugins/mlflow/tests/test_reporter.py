"""The reporter against a real MLflow tracking store (SQLite in a temporary folder), read
back with MLflow's own client. Slow: importing MLflow and creating its tables takes seconds."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ModelError, ModelSpec, hookimpl
from nlpbench.testing import make_host, run_suite_text
from nlpbench.testing.harness import tiny_suite
from nlpbench.testing.tiny import TinyModel
from nlpbench_mlflow import KeyMap, plugin

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning")]


class BrokenModel(TinyModel):
    """Fails to load: its cell is failed and logs no metrics."""

    def __init__(self, spec: ModelSpec) -> None:
        raise ModelError("no weights here")


class BrokenPlugin:
    NLPBENCH_PLUGIN_NAME = "broken-bits"

    @hookimpl
    def register_models(self, register: Any) -> None:
        register(BrokenModel, name="broken")


MODELS = [
    {"name": "tiny", "type": "tiny"},
    {"name": "odd: name/é", "type": "tiny"},  # nothing MLflow accepts as a key
    {"name": "bad", "type": "broken"},
]


def run(directory: Path, reporters: list[Any]) -> Any:
    suite = tiny_suite(models=MODELS, reporters=reporters)
    return run_suite_text(suite, directory, host=make_host(plugin, BrokenPlugin()))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_a_run_is_logged_with_params_metrics_intervals_and_artifacts(
    tmp_path: Path, store: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlflow.tracking import MlflowClient

    uri, artifacts = store
    monkeypatch.chdir(tmp_path)  # nothing may land in the current folder either
    options = {"tracking_uri": uri, "experiment": "nlpbench-tests", "run_name": "first"}
    result = run(tmp_path, ["html", "markdown", {"name": "mlflow", **options, "artifact_location": str(artifacts)}])
    assert result.exit_code == 1  # the broken model's cell; the reporters all worked
    assert not [line for line in result.log if line.startswith("warning")]
    (where,) = [line for line in result.log if line.startswith("report: mlflow run ")]
    assert where.endswith(f"in experiment 'nlpbench-tests' at {uri}")

    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("nlpbench-tests")
    assert experiment is not None
    (logged,) = client.search_runs([experiment.experiment_id])
    assert logged.info.run_name == "first"
    assert logged.info.status == "FINISHED"
    assert logged.info.run_id in where

    params = logged.data.params
    suite = result.results["suite"]
    assert params["suite/name"] == "tiny"
    assert params["suite/hash"] == suite["hash"] and suite["hash"].startswith("sha256:")
    assert params["suite/seed"] == "1234"
    assert params["bootstrap/resamples"] == "1000" and params["bootstrap/confidence"] == "0.95"
    assert params["models"] == "tiny, odd: name/é, bad"
    assert params["model/tiny/type"] == params["model/odd_ name__/type"] == "tiny"
    assert params["model/bad/type"] == "broken"
    assert params["task/tiny/type"] == "tiny"
    assert params["status/tiny/bad"] == "failed"
    versions = result.results["nlpbench"]["plugins"]
    assert versions and all(params[f"plugin/{name}"] == version for name, version in versions.items())

    # every metric of every ok cell, with its interval; the failed cell logs none
    expected = {}
    keys = KeyMap()
    for model in ("tiny", "odd: name/é"):
        score = result.cell(model, "tiny")["metrics"]["tiny-match"]
        for field, suffix in (("value", ""), ("ci_low", "_ci_low"), ("ci_high", "_ci_high")):
            expected[keys.key(("tiny", model, "tiny-match"), suffix)] = score[field]
    assert set(expected) == {
        "tiny/tiny/tiny-match",
        "tiny/tiny/tiny-match_ci_low",
        "tiny/tiny/tiny-match_ci_high",
        "tiny/odd_ name__/tiny-match",
        "tiny/odd_ name__/tiny-match_ci_low",
        "tiny/odd_ name__/tiny-match_ci_high",
    }
    assert logged.data.metrics == expected
    assert expected["tiny/tiny/tiny-match"] == 0.875
    assert expected["tiny/tiny/tiny-match_ci_low"] < 0.875 < expected["tiny/tiny/tiny-match_ci_high"]
    assert logged.data.tags["nlpbench.status"] == "complete"
    assert logged.data.tags["nlpbench.metrics"] == "6"

    # the run's files, and the map from keys back to names
    listed = {f.path for f in client.list_artifacts(logged.info.run_id)}
    assert {"results.json", "report.html", "report.md", "nlpbench"} <= listed
    assert {f.path for f in client.list_artifacts(logged.info.run_id, "nlpbench")} == {"nlpbench/keys.json"}
    assert logged.info.artifact_uri.startswith(str(artifacts))
    downloaded = Path(client.download_artifacts(logged.info.run_id, "results.json", str(tmp_path / "down")))
    assert json.loads(downloaded.read_text(encoding="utf-8")) == result.results
    html = Path(client.download_artifacts(logged.info.run_id, "report.html", str(tmp_path / "down")))
    assert html.read_bytes() == (result.out_dir / "report.html").read_bytes()
    mapping = json.loads(
        Path(client.download_artifacts(logged.info.run_id, "nlpbench/keys.json", str(tmp_path / "down"))).read_text()
    )
    assert mapping["metrics"]["tiny/odd_ name__/tiny-match_ci_high"] == {
        "kind": "metric",
        "task": "tiny",
        "model": "odd: name/é",
        "metric": "tiny-match",
        "field": "ci_high",
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["down", "run", "suite.yaml"]


def test_defaults_follow_mlflow_and_the_suite(
    tmp_path: Path, store: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No options: MLflow's tracking URI ($MLFLOW_TRACKING_URI), the suite's name as the
    experiment, a run name from the suite and its start; a second run adds a second run."""
    from mlflow.tracking import MlflowClient

    uri, artifacts = store
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    client = MlflowClient(tracking_uri=uri)
    client.create_experiment("tiny", artifact_location=(artifacts / "tiny").as_uri())
    first = run(tmp_path / "one", ["mlflow"])
    second = run(tmp_path / "two", ["mlflow"])
    assert [first.exit_code, second.exit_code] == [1, 1]  # the broken cell only
    assert not [line for line in first.log + second.log if line.startswith("warning")]
    experiment = client.get_experiment_by_name("tiny")
    assert experiment is not None
    runs = client.search_runs([experiment.experiment_id], order_by=["attributes.start_time ASC"])
    assert [r.info.run_name for r in runs] == [
        f"tiny {first.results['started']}",
        f"tiny {second.results['started']}",
    ]
    assert all(r.data.metrics == runs[0].data.metrics for r in runs)
    # only results.json: no other reporter wrote the report this time
    assert {f.path for f in client.list_artifacts(runs[0].info.run_id)} == {"results.json", "nlpbench"}


@pytest.mark.parametrize("where", ["http", "scheme"])
def test_an_unreachable_store_is_a_warning_and_the_results_are_kept(
    tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "7")  # MLflow's default: minutes of retrying
    uri = f"http://127.0.0.1:{closed_port()}" if where == "http" else "nosuch://nowhere"
    result = run(tmp_path, ["html", {"name": "mlflow", "tracking_uri": uri, "retries": 0, "timeout": 5}])
    assert result.exit_code == 1
    (warning,) = [line for line in result.log if line.startswith("warning: ")]
    assert warning.startswith(f"warning: reporter 'mlflow' failed: mlflow: cannot log to {uri}: ")
    assert "\n" not in warning and len(warning) < 600
    kept = json.loads((result.out_dir / "results.json").read_text(encoding="utf-8"))
    assert kept["status"] == "complete" and len(kept["cells"]) == 3
    assert (result.out_dir / "report.html").is_file()
    assert os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "7"  # set back as it was
    assert "MLFLOW_HTTP_REQUEST_TIMEOUT" not in os.environ


def test_every_key_passes_mlflows_own_validation() -> None:
    from mlflow.utils.validation import _validate_metric_name, _validate_param_name

    keys = KeyMap()
    names = ["plain", "a/b", "a:b", "..", ".", "", " ", "é", "x" * 300, "../up", "tab\there", "dot.", "-dash"]
    for task in names:
        for model in names:
            _validate_metric_name(keys.key((task, model, "m"), "_ci_low"))
            _validate_param_name(keys.key(("model", model, "type")))
