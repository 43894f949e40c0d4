"""The ``mlflow`` reporter: one MLflow run per nlpbench run.

What it logs is planned from ``results.json`` alone (:func:`log_plan`, no MLflow needed);
:class:`MlflowReporter` then sends the plan through ``mlflow.tracking.MlflowClient``,
which is imported only then.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from nlpbench import Options, ReporterError

from .keys import KeyMap

#: The run folder's files logged as artifacts, when the run (or an earlier reporter) wrote them.
ARTIFACT_FILES = ("results.json", "report.html", "report.md", "results.csv", "comparisons.csv")
#: Where the mapping from MLflow keys back to nlpbench names goes among the artifacts.
KEYS_ARTIFACT = "nlpbench/keys.json"

#: MLflow's limits: per log_batch call, and on a param's and a tag's value.
_PARAMS_PER_BATCH = 100
_METRICS_PER_BATCH = 1000
_MAX_PARAM_VALUE = 6000
_MAX_TAG_VALUE = 8000
_MAX_MESSAGE = 400


@dataclass
class LogPlan:
    """Everything one MLflow run gets: params, metrics (``task/model/metric`` and its
    ``_ci_low``/``_ci_high``), tags, and the key mapping."""

    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    keys: KeyMap = field(default_factory=KeyMap)

    def mapping(self) -> dict[str, Any]:
        """The ``nlpbench/keys.json`` artifact: each sanitized key and what it stands for."""
        return {
            "metrics": {k: v for k, v in self.keys.keys.items() if v.get("kind") == "metric"},
            "params": {k: v for k, v in self.keys.keys.items() if v.get("kind") == "param"},
        }


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def log_plan(results: Mapping[str, Any]) -> LogPlan:
    """What to log for ``results`` (a ``results.json`` document)."""
    plan = LogPlan()
    suite = results.get("suite") or {}
    bootstrap = results.get("bootstrap") or {}
    cells: Sequence[Mapping[str, Any]] = results.get("cells") or []

    def param(parts: Sequence[str], value: Any) -> None:
        key = plan.keys.key(parts, kind="param", name="/".join(parts))
        plan.params[key] = _clip("" if value is None else str(value), _MAX_PARAM_VALUE)

    for name in ("name", "hash", "seed"):
        param(("suite", name), suite.get(name))
    for name in ("method", "resamples", "confidence"):
        if name in bootstrap:
            param(("bootstrap", name), bootstrap[name])
    param(("nlpbench", "version"), (results.get("nlpbench") or {}).get("version"))
    models = list(dict.fromkeys(str(c["model"]) for c in cells))
    tasks = list(dict.fromkeys(str(c["task"]) for c in cells))
    param(("models",), ", ".join(models))
    param(("tasks",), ", ".join(tasks))
    for kind, names in (("model", models), ("task", tasks)):
        for name in names:
            types = {str(c.get(f"{kind}_type")) for c in cells if str(c[kind]) == name and c.get(f"{kind}_type")}
            param((kind, name, "type"), ", ".join(sorted(types)) or "unknown")
    for cell in cells:
        param(("status", str(cell["task"]), str(cell["model"])), cell.get("status"))
    for distribution, version in ((results.get("nlpbench") or {}).get("plugins") or {}).items():
        param(("plugin", str(distribution)), version)

    for cell in cells:
        if cell.get("status") != "ok":
            continue
        task, model = str(cell["task"]), str(cell["model"])
        for metric, score in (cell.get("metrics") or {}).items():
            for field_name, suffix in (("value", ""), ("ci_low", "_ci_low"), ("ci_high", "_ci_high")):
                value = score.get(field_name)
                if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                    continue
                meaning = {"task": task, "model": model, "metric": metric, "field": field_name}
                key = plan.keys.key((task, model, str(metric)), suffix, kind="metric", **meaning)
                plan.metrics[key] = float(value)

    for name, value in (
        ("nlpbench.status", results.get("status")),
        ("nlpbench.started", results.get("started")),
        ("nlpbench.finished", results.get("finished")),
        ("nlpbench.suite_path", suite.get("path")),
    ):
        if value is not None:
            plan.tags[name] = _clip(str(value), _MAX_TAG_VALUE)
    return plan


class MlflowOptions(Options):
    """What the ``mlflow`` reporter takes."""

    tracking_uri: str | None = Field(
        None,
        min_length=1,
        description="where MLflow keeps runs (default: MLflow's own, $MLFLOW_TRACKING_URI or sqlite:///mlflow.db "
        "in the current folder)",
    )
    experiment: str | None = Field(None, min_length=1, description="the MLflow experiment (default: the suite's name)")
    run_name: str | None = Field(
        None, min_length=1, description="the MLflow run's name (default: the suite's name and the run's start time)"
    )
    artifact_location: str | None = Field(
        None, min_length=1, description="where a newly created experiment keeps its artifacts"
    )
    retries: int | None = Field(
        None, ge=0, le=100, description="how often a request to a tracking server is retried (default: MLflow's)"
    )
    timeout: int | None = Field(
        None, ge=1, le=3600, description="seconds per request to a tracking server (default: MLflow's)"
    )


class MlflowReporter:
    """Logs suite parameters, every metric with its interval, and the report to MLflow.

    Options: ``tracking_uri`` (default: MLflow's own, ``$MLFLOW_TRACKING_URI`` or
    ``sqlite:///mlflow.db`` in the current folder), ``experiment`` (default: the suite's
    name), ``run_name`` (default: the suite's name and the run's start time),
    ``artifact_location`` (where a newly created experiment keeps its artifacts), and for
    a tracking server ``retries`` and ``timeout`` (seconds per request; both default to
    MLflow's, which retries for minutes before giving up on a server that is down).
    """

    options: ClassVar[type[Options]] = MlflowOptions

    def __init__(
        self,
        tracking_uri: str | None = None,
        experiment: str | None = None,
        run_name: str | None = None,
        artifact_location: str | None = None,
        retries: int | None = None,
        timeout: int | None = None,
    ) -> None:
        for option, value in (
            ("tracking_uri", tracking_uri),
            ("experiment", experiment),
            ("run_name", run_name),
            ("artifact_location", artifact_location),
        ):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ReporterError(f"mlflow: option '{option}' must be a non-empty string, not {value!r}")
        for option, number, least in (("retries", retries, 0), ("timeout", timeout, 1)):
            if number is not None and (not isinstance(number, int) or isinstance(number, bool) or number < least):
                raise ReporterError(f"mlflow: option '{option}' must be a whole number ≥ {least}, not {number!r}")
        self.tracking_uri = tracking_uri
        self.experiment = experiment
        self.run_name = run_name
        self.artifact_location = artifact_location
        self.http_settings = {
            name: str(value)
            for name, value in (("MLFLOW_HTTP_REQUEST_MAX_RETRIES", retries), ("MLFLOW_HTTP_REQUEST_TIMEOUT", timeout))
            if value is not None
        }

    def write(self, results: Mapping[str, Any], out_dir: Path) -> str | None:
        plan = log_plan(results)
        suite = results.get("suite") or {}
        experiment = self.experiment or str(suite.get("name") or "nlpbench")
        run_name = self.run_name or f"{suite.get('name', 'nlpbench')} {results.get('started') or ''}".strip()
        try:
            import mlflow
            from mlflow.entities import Metric, Param, RunTag
            from mlflow.tracking import MlflowClient
        except ImportError as error:
            raise ReporterError(f"mlflow: cannot import MLflow ({error}); pip install nlpbench-mlflow") from error
        uri = self.tracking_uri or mlflow.get_tracking_uri()
        run_id: str | None = None
        client: Any = None
        try:
            with _quiet_logs(), _environment(self.http_settings):
                client = MlflowClient(tracking_uri=uri)
                experiment_id = self._experiment_id(client, experiment)
                run = client.create_run(experiment_id, run_name=run_name, tags=plan.tags)
                run_id = run.info.run_id
                now = int(time.time() * 1000)
                params = [Param(k, v) for k, v in plan.params.items()]
                metrics = [Metric(k, v, now, 0) for k, v in plan.metrics.items()]
                for start in range(0, len(params), _PARAMS_PER_BATCH):
                    client.log_batch(run_id, params=params[start : start + _PARAMS_PER_BATCH])
                for start in range(0, len(metrics), _METRICS_PER_BATCH):
                    client.log_batch(run_id, metrics=metrics[start : start + _METRICS_PER_BATCH])
                client.log_batch(run_id, tags=[RunTag("nlpbench.metrics", str(len(metrics)))])
                for name in ARTIFACT_FILES:
                    if (out_dir / name).is_file():
                        client.log_artifact(run_id, str(out_dir / name))
                client.log_dict(run_id, plan.mapping(), KEYS_ARTIFACT)
                client.set_terminated(run_id, "FINISHED")
        except ReporterError:
            raise
        except Exception as error:
            if run_id is not None:
                _mark_failed(client, run_id)
            message = " ".join(str(getattr(error, "message", None) or error).split()) or type(error).__name__
            raise ReporterError(f"mlflow: cannot log to {uri}: {_clip(message, _MAX_MESSAGE)}") from error
        return f"mlflow run {run_id} in experiment '{experiment}' at {uri}"

    def _experiment_id(self, client: Any, name: str) -> str:
        found = client.get_experiment_by_name(name)
        if found is None:
            try:
                return str(client.create_experiment(name, artifact_location=self.artifact_location))
            except Exception:
                found = client.get_experiment_by_name(name)  # another run created it meanwhile
                if found is None:
                    raise
        if found.lifecycle_stage == "deleted":
            raise ReporterError(f"mlflow: experiment '{name}' is deleted; restore it or name another `experiment`")
        return str(found.experiment_id)


def _mark_failed(client: Any, run_id: str) -> None:
    with suppress(Exception):  # the store is what failed; the original error is the one to report
        client.set_terminated(run_id, "FAILED")


@contextmanager
def _environment(settings: Mapping[str, str]) -> Iterator[None]:
    """MLflow reads its HTTP settings from the environment at each request: set ours while we log."""
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def _quiet_logs() -> Iterator[None]:
    """MLflow and Alembic log INFO lines (creating tables, migrations) that would clutter
    the run's output; keep only their warnings while we log."""
    loggers = [logging.getLogger(name) for name in ("mlflow", "alembic")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
