"""The runner: executes a planned suite cell by cell.

A failure inside a cell (a model that can't load, a task or metric that raises) is
kept in that cell's results and the run goes on. Config and data errors found while
preparing (before any model runs) stop the run with a one-line error instead.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .auditing import AuditSettings, accepts, failed_entry, run_audit, run_standalone_audit
from .comparing import compare_cells, mark_tie_groups
from .components import Example, ModelSpec, Request, TaskSpec
from .errors import (
    ConfigError,
    DataError,
    MetricError,
    MetricNotComputed,
    ModelError,
    NlpbenchError,
    TaskError,
    one_line,
)
from .failures import Failure, blame, error_line
from .grouping import run_grouped_audit
from .groups import group_entries
from .interrupts import Terminated
from .interrupts import exit_code as interrupt_exit_code
from .memory import PeakMemory
from .options import ConfigErrors
from .planning import (
    Cell,
    choose_strategy,
    declared_capabilities,
    declared_default_metrics,
    not_applicable_reason,
    plan,
)
from .plugin_output import (
    checked_answers,
    checked_description,
    checked_prediction,
    checked_probabilities,
    checked_requests,
    checked_token_count,
    checked_view,
)
from .plugins import CORE_PLUGIN, PluginHost
from .progress import Progress
from .ranking import rank_models
from .registry import Registered
from .results import SamplesWriter, jsonable, utc_now, write_results
from .run_files import run_file_problems
from .scoring import corpus_only_flag, metric_stats, not_computed_entry
from .stats import bootstrap, derived_seed
from .store import NOT_RECORDED, Store, audit_key, cell_key, digest, example_key, store_path
from .suite import AuditSpec, Suite

#: Requests handed to a model per call. The model batches within it; chunks exist
#: only so the progress bar moves and an interrupt loses little.
CHUNK_SIZE = 256


@dataclass
class PreparedTask:
    """A task with its examples loaded and its metrics built, or the error that stopped it."""

    spec: TaskSpec
    instance: Any = None
    examples: list[Example] = field(default_factory=list)
    metrics: list[tuple[Registered, Any]] = field(default_factory=list)
    #: metric id → a digest of its id and options (for the store)
    metric_keys: dict[str, str] = field(default_factory=dict)
    #: why the task's own code could not be loaded: each of its cells fails with it
    failure: Failure | None = None
    #: the id of every example of the task's data, before ``sample`` and ``limit`` chose
    example_ids: list[str] = field(default_factory=list)


class Predicted(NamedTuple):
    """What :meth:`Runner._predict` gives back for a list of examples."""

    predictions: list[Any]
    #: per example, the task's label probabilities (its ``probabilities`` hook), else None
    probabilities: list[Any]
    prompts: list[str | None]
    #: how many came from the store
    cached: int
    #: each example's key in the store
    keys: list[str]


@dataclass
class RunOutcome:
    """What a run produced."""

    results: dict[str, Any]
    out_dir: Path
    exit_code: int
    warnings: list[str] = field(default_factory=list)


def select_examples(examples: list[Example], spec: TaskSpec) -> list[Example]:
    """``sample`` (seeded, order kept) then ``limit`` (the first N)."""
    if spec.sample is not None and spec.sample < len(examples):
        rng = random.Random(derived_seed(spec.seed, spec.name, "sample"))
        keep = sorted(rng.sample(range(len(examples)), spec.sample))
        examples = [examples[i] for i in keep]
    if spec.limit is not None:
        examples = examples[: spec.limit]
    return examples


def _metric_refs(spec: TaskSpec, task_class: Any) -> list[tuple[str, Mapping[str, Any]]]:
    """The task's metrics as (name, options), ``as`` (the label results use, when one
    metric is scored twice with different options) left among the options."""
    if spec.metrics:
        return [
            (m, {}) if isinstance(m, str) else (m["name"], {k: v for k, v in m.items() if k != "name"})
            for m in spec.metrics
        ]
    return [(name, {}) for name in declared_default_metrics(task_class, spec)]


def _bad_options(component: Any, options: Mapping[str, Any]) -> str | None:
    """Why ``component`` cannot be called with ``options`` (an unknown or missing
    keyword: the user's mistake), or None. A TypeError the call itself raises later is
    the component's bug, not the options'."""
    try:
        inspect.signature(component).bind(**options)
    except TypeError as error:
        return one_line(error)
    except ValueError:  # no signature to check (a builtin)
        return None
    return None


def _labelled(name: str, options: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """(label, options without ``as``): what results call a metric, and what it is built with."""
    rest = {k: v for k, v in options.items() if k != "as"}
    label = options.get("as", name)
    if not isinstance(label, str) or not label.strip():
        raise ConfigError(f"metric '{name}': as must be a non-empty name for the score, not {label!r}")
    return label, rest


def _recorded_metrics(spec: TaskSpec, task_class: Any) -> dict[str, dict[str, Any]]:
    """The task's metrics as results record them: label → options (with ``name``, the
    metric's id, where the label differs from it)."""
    recorded = {}
    for name, options in _metric_refs(spec, task_class):
        label, rest = _labelled(name, options)
        recorded[label] = rest if label == name else {"name": name, **rest}
    return recorded


class Runner:
    """Runs one suite into one output folder."""

    def __init__(
        self,
        suite: Suite,
        host: PluginHost,
        out_dir: Path,
        *,
        progress: bool | None = None,
        log: Callable[[str], None] | None = None,
        store: Path | None = None,
        use_cache: bool = True,
        debug: bool = False,
    ) -> None:
        self.suite = suite
        self.host = host
        self.out_dir = out_dir
        self.progress = progress
        self.log = log or _log_to_stderr
        #: log the traceback of every failure as it happens (``nlpbench --debug run``)
        self.debug = debug
        self.store_path = store_path(out_dir, store)
        self.use_cache = use_cache
        self.store: Store | None = None
        self.run_id = 0
        #: (model, task) → the example ids and each metric's statistics rows, for comparisons
        self._cell_stats: dict[tuple[str, str], tuple[list[str], dict[str, list[list[float]]]]] = {}

    # -- preparing --------------------------------------------------------------

    def prepare_task(self, spec: TaskSpec) -> PreparedTask:
        """Load a task's examples and build its metrics.

        Raises ConfigError/DataError for the user's mistakes; a plugin's own bug (the
        task's or a metric's code raising, anything but Ctrl-C) is kept as the task's
        failure, so only its cells fail.
        """
        prepared = PreparedTask(spec)
        task_class = self.host.tasks.get(spec.type).component
        where = f"task '{spec.name}'"
        try:
            prepared.instance = task_class(spec)
            every = list(prepared.instance.examples())
            prepared.example_ids = [example.id for example in every]  # what a model's check_examples sees
            examples = select_examples(every, spec)
            seen: set[str] = set()
            for example in examples:
                if example.id in seen:
                    raise DataError(f"{where}: two examples have the id '{example.id}'")
                seen.add(example.id)
            if not examples:
                raise DataError(f"{where}: the data has no examples")
            prepared.examples = examples
        except (ConfigError, DataError) as error:
            raise type(error)(f"{where}: {error}" if not str(error).startswith(where) else str(error)) from error
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            prepared.failure = Failure.of(error, "loading the task")
            return prepared
        try:
            refs = _metric_refs(spec, task_class)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # the type's default_metrics_for raised
            prepared.failure = Failure.of(error, "the task type's default_metrics_for() failed")
            return prepared
        names: set[str] = set()
        for name, given in refs:
            registered = self.host.metrics.get(name)
            label, options = _labelled(registered.name, given)
            if label in names:
                raise ConfigError(f"{where}: metric '{label}' is listed twice (give one of them `as:` another name)")
            names.add(label)
            if label != registered.name:  # scored under its label everywhere from here on
                registered = dataclasses.replace(registered, name=label)
            # a score is kept under its metric's code too: a changed metric scores again
            prepared.metric_keys[label] = digest([label, options, self._code_of(registered.plugin)])
            bad_options = _bad_options(registered.component, options)
            if bad_options is not None:
                raise ConfigError(f"{where}: metric '{registered.name}': bad options: {bad_options}")
            try:
                prepared.metrics.append((registered, registered.component(**options)))
            except NlpbenchError as error:
                raise ConfigError(f"{where}: metric '{registered.name}': {error}") from error
            except KeyboardInterrupt:
                raise
            except BaseException as error:  # a bug in the metric, not the options: its task's cells fail
                prepared.failure = prepared.failure or Failure.of(error, f"building metric '{registered.name}'")
        return prepared

    def prepare_audits(self) -> list[tuple[AuditSpec, str, Any]]:
        """Build every audit of the suite; bad options are config errors, and an audit
        whose construction raises otherwise (its bug) is kept as its Failure: each of its
        entries fails."""
        audits = []
        for index, spec in enumerate(self.suite.audits):
            registered = self.host.audits.get(spec.type)
            options = dict(spec.params)
            if accepts(registered.component, "base_dir"):  # so an audit's files resolve against the suite
                options["base_dir"] = self.suite.path.parent
            bad_options = _bad_options(registered.component, options)
            if bad_options is not None:
                raise ConfigError(f"audits[{index}] ({registered.name}): bad params: {bad_options}")
            try:
                audits.append((spec, registered.name, registered.component(**options)))
            except NlpbenchError as error:
                raise ConfigError(f"audits[{index}] ({registered.name}): {error}") from error
            except KeyboardInterrupt:
                raise
            except BaseException as error:
                audits.append((spec, registered.name, Failure.of(error, "building the audit")))
        return audits

    # -- running ----------------------------------------------------------------

    def run(self) -> RunOutcome:
        suite, host = self.suite, self.host
        cells = plan(suite, host)
        prepared = {spec.name: self.prepare_task(spec) for spec in suite.tasks}
        audits = self.prepare_audits()
        reporters = self.prepare_reporters()  # a reporter's bad option stops the run now, not at its end
        # nothing of the run is written before everything that can refuse it has: a corrupt
        # store must not leave a stub results.json, or replace a finished run's, in out_dir
        made = self._check_writable()  # fail now, not after the first cell
        try:
            self.store = Store(self.store_path)  # ConfigError for a corrupt or newer store, before any model loads
        except ConfigError:
            if made and not any(self.out_dir.iterdir()):
                self.out_dir.rmdir()
            raise
        document: dict[str, Any] = {
            "nlpbench": {"version": host.versions()["nlpbench"], "plugins": host.versions()},
            "suite": {"name": suite.name, "hash": suite.hash, "seed": suite.seed, "path": str(suite.path)},
            "started": utc_now(),
            "finished": None,
            "status": "running",
            "bootstrap": {"method": "percentile", "resamples": suite.resamples, "confidence": suite.confidence},
            "comparing": {"correction": suite.correction, "alpha": suite.alpha, "family": suite.family},
            "tasks": {
                spec.name: {
                    "type": spec.type,
                    "metrics": self._recorded_metrics(spec),
                    # the first metric decides the leaderboard's order and tie groups, and the ranking
                    "primary_metric": next((r.name for r, _ in prepared[spec.name].metrics), None),
                    **({"file": spec.source} if spec.source else {}),
                    **({"group": spec.group} if spec.group else {}),
                }
                for spec in suite.tasks
            },
            **(
                {
                    "groups": [],
                    "task_groups": {
                        g.name: {"members": list(g.members), "description": g.description, "file": g.source}
                        for g in suite.groups
                    },
                }
                if suite.groups
                else {}
            ),
            "cells": [],
            "comparisons": [],
            "audits": [],
        }
        document["store"] = {"path": str(self.store_path), "cache": self.use_cache}
        try:
            write_results(self.out_dir, document)
        except OSError as error:
            self.store.close()
            raise self._unwritable(error) from None
        self.run_id = self.store.start_run(self.out_dir, suite.name, suite.hash, document["started"])
        document["store"]["run_id"] = self.run_id
        samples = SamplesWriter(self.out_dir)
        exit_code = 0
        try:
            for model_spec in suite.models:
                model_cells = [c for c in cells if c.model is model_spec]
                for kind, payload, lines in self._run_model(model_spec, model_cells, prepared, audits):
                    samples.write(lines)
                    if kind == "cell":
                        document["cells"].append(payload)
                        self._log_cell(payload)
                        failed = payload["status"] == "failed"
                    elif kind == "audit":
                        document["audits"].extend(payload)
                        self._log_audit(payload)
                        failed = any(entry["reason"] and entry["reason"].startswith("failed") for entry in payload)
                    else:  # a warning: a plugin's bug after the model's cells were done (its close())
                        document.setdefault("warnings", []).append(payload)
                        self.log(f"warning: {payload['warning']}")
                        self._log_traceback(payload["traceback"])
                        failed = True
                    write_results(self.out_dir, document)
                    if failed:
                        exit_code = 1
            document["comparisons"] = self._compare(prepared, document["cells"])
            document["ranking"] = self._rank(prepared, document["cells"], document["comparisons"])
            if suite.groups:
                document["groups"] = self._group_scores(prepared, document["cells"])
            document["status"] = "complete"
        except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM (see nlpbench.interrupts)
            document["status"] = "interrupted"
            exit_code = interrupt_exit_code(interrupt)
            how = "terminated (SIGTERM)" if isinstance(interrupt, Terminated) else "interrupted"
            kept = len(document["cells"])
            self.log(f"{how}: {kept} finished cell{'s' if kept != 1 else ''} kept; the same command resumes the run")
        finally:
            samples.close()
            document["finished"] = utc_now()
            write_results(self.out_dir, document)
            self.store.finish_run(self.run_id, document["finished"], document["status"])
            self.store.close()
        warnings = self._report(document, reporters)  # an interrupted run is reported too: what finished is kept
        if warnings and exit_code == 0:
            exit_code = 1
        return RunOutcome(document, self.out_dir, exit_code, warnings)

    def _recorded_metrics(self, spec: TaskSpec) -> dict[str, dict[str, Any]]:
        """The task's metrics as results record them; none where the task type's own
        ``default_metrics_for`` raised (its cells fail with that already)."""
        try:
            return _recorded_metrics(spec, self.host.tasks.get(spec.type).component)
        except (KeyboardInterrupt, NlpbenchError):
            raise
        except BaseException:
            return {}

    def _compare(self, prepared: Mapping[str, PreparedTask], cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Every pair of models that answered a task, on each of its metrics (see
        :func:`nlpbench.comparing.compare_cells`); each ok cell's metrics get their ``tie_group``."""
        metrics = {spec.name: [(r.name, m) for r, m in prepared[spec.name].metrics] for spec in self.suite.tasks}
        entries = compare_cells(
            metrics,
            self._cell_stats,
            suite_seed=self.suite.seed,
            resamples=self.suite.resamples,
            confidence=self.suite.confidence,
            correction=self.suite.correction,
            alpha=self.suite.alpha,
            family=self.suite.family,
            log=self.log,
        )
        mark_tie_groups(cells, entries, self.suite.alpha)
        return entries

    def _rank(
        self, prepared: Mapping[str, PreparedTask], cells: list[dict[str, Any]], entries: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Each model's rank per task on its primary metric, its mean rank with an interval,
        and the win matrix (see :func:`nlpbench.ranking.rank_models`)."""
        metrics = {spec.name: [(r.name, m) for r, m in prepared[spec.name].metrics] for spec in self.suite.tasks}
        return rank_models(
            metrics,
            self._cell_stats,
            entries,
            suite_seed=self.suite.seed,
            resamples=self.suite.resamples,
            confidence=self.suite.confidence,
            cells=cells,
        )

    def _group_scores(self, prepared: Mapping[str, PreparedTask], cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each group's micro and macro means per model (see :mod:`nlpbench.groups`)."""
        metrics = {spec.name: [(r.name, m) for r, m in prepared[spec.name].metrics] for spec in self.suite.tasks}
        return group_entries(
            self.suite.groups,
            cells,
            metrics,
            self._cell_stats,
            suite_seed=self.suite.seed,
            resamples=self.suite.resamples,
            confidence=self.suite.confidence,
        )

    def _run_model(
        self,
        spec: ModelSpec,
        cells: list[Cell],
        prepared: dict[str, PreparedTask],
        audits: list[tuple[AuditSpec, str, Any]],
    ) -> Iterator[tuple[str, Any, list[dict[str, Any]]]]:
        """Load the model once, answer every cell it has and run their audits, then let it go.

        Yields ``("cell", result, sample lines)``, ``("audit", entries, sample lines)``
        and ``("warning", {"warning", "traceback"}, [])`` (a ``close()`` that raised).
        """
        model = _LazyModel(spec, self.host.models.get(spec.type).component, self.log)
        answered: list[tuple[Cell, str, Predicted]] = []
        for cell in cells:
            failure = cell.failure or prepared[cell.task.name].failure
            if failure is not None:
                yield "cell", self._failed_cell(cell, failure), []
            elif cell.strategy is None:
                yield "cell", self._cell_result(cell, "not_applicable", reason=cell.reason), []
            else:
                result, lines, predicted = self._run_cell(cell, model, prepared[cell.task.name])
                if result["status"] == "ok" and predicted is not None:
                    answered.append((cell, result["strategy"], predicted))
                yield "cell", result, lines
        for audit_spec, name, audit in audits:
            # an audit that could not be built is taken at its type's word
            built = self.host.audits.get(audit_spec.type).component if isinstance(audit, Failure) else audit
            if getattr(built, "standalone", False):  # the audit brings its own data: once per model
                if not audit_spec.models or spec.name in audit_spec.models:
                    if isinstance(audit, Failure):  # it could not be built
                        yield "audit", _failed_audit(name, spec.name, name, audit), []
                    else:
                        yield "audit", *self._run_standalone_audit(name, audit, spec, model, audit_spec.params)
                continue
            for cell, strategy, predicted in answered:
                if (audit_spec.tasks and cell.task.name not in audit_spec.tasks) or (
                    audit_spec.models and cell.model.name not in audit_spec.models
                ):
                    continue
                if isinstance(audit, Failure):
                    yield "audit", _failed_audit(name, cell.model.name, cell.task.name, audit), []
                    continue
                if callable(getattr(audit, "partition", None)):  # a breakdown of the cell's own predictions
                    yield "audit", *self._run_grouped_audit(name, audit, cell, prepared[cell.task.name], predicted)
                    continue
                try:
                    view = self._task_for(cell, prepared[cell.task.name])
                except KeyboardInterrupt:
                    raise
                except BaseException as error:
                    failure = Failure.of(error, "preparing the task for the model")
                    yield "audit", _failed_audit(name, cell.model.name, cell.task.name, failure), []
                    continue
                yield "audit", *self._run_audit(name, audit, cell, model, view, strategy, predicted)
        close = getattr(model.instance, "close", None)
        if callable(close):
            try:
                close()
            except KeyboardInterrupt:
                raise
            except BaseException as error:  # the cells are done and kept; the run says so, and goes on
                failure = Failure.of(error, f"closing model '{spec.name}' failed")
                yield "warning", {"warning": failure.error, "traceback": failure.traceback}, []

    def _run_standalone_audit(
        self, name: str, audit: Any, spec: ModelSpec, model: _LazyModel, params: Mapping[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """An audit with its own examples (CrowS-Pairs sentence pairs, templates): asked of
        the model with the first of the audit's strategies the model type declares. Its
        predictions are kept in the store like a cell's (keyed by the model, the audit, its
        ``params`` and plugin), so an identical rerun does not load the model for it."""
        settings = self._audit_settings()
        where = str(getattr(audit, "data_name", name))
        try:
            capabilities = declared_capabilities(self.host.models.get(spec.type).component, spec)
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            failure = Failure.of(error, "the model type's capabilities_for() failed")
            return _failed_audit(name, spec.name, where, failure), []
        preferences = tuple(getattr(audit, "strategies", ()))
        strategy = choose_strategy(preferences, capabilities)
        if strategy is None:
            wants = ", ".join(preferences) or "none"
            reason = f"not computed: model '{spec.name}' has none of the capabilities the audit needs ({wants})"
            return [failed_entry(name, spec.name, where, reason)], []
        try:
            examples = list(audit.examples())
            view = PreparedTask(TaskSpec(name=where, type=f"audit:{name}"), instance=audit, examples=examples)
            label = f"{spec.name} × {name}"
            key = self._audit_key(name, params or {}, spec, model, strategy)
            predictions = self._predict(label, model, view, examples, strategy, key).predictions
            return run_standalone_audit(name, audit, spec.name, where, examples, predictions, settings)
        except _ModelUnavailable as error:
            return _failed_audit(name, spec.name, where, error.failure), []
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            return _failed_audit(name, spec.name, where, Failure.of(error)), []

    def _run_audit(
        self,
        name: str,
        audit: Any,
        cell: Cell,
        model: _LazyModel,
        task: PreparedTask,
        strategy: str,
        predicted: Predicted,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        settings = self._audit_settings()

        def predict(examples: list[Example]) -> tuple[list[Any], list[Any]]:
            label = f"{cell.model.name} × {cell.task.name} ({name})"
            asked = self._predict(label, model, task, examples, strategy, self._cell_key(cell, model, strategy))
            return asked.predictions, asked.probabilities

        scored = self._scored_metrics(cell, task)
        try:
            return run_audit(
                name, audit, cell.model.name, cell.task.name, task.examples, predicted.predictions, predict, settings,
                scored, original_probabilities=predicted.probabilities,
            )  # fmt: skip
        except _ModelUnavailable as error:
            return _failed_audit(name, cell.model.name, cell.task.name, error.failure), []
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            return _failed_audit(name, cell.model.name, cell.task.name, Failure.of(error)), []

    def _audit_settings(self) -> AuditSettings:
        return AuditSettings(self.suite.resamples, self.suite.confidence, self.suite.seed)

    def _scored_metrics(self, cell: Cell, task: PreparedTask) -> list[tuple[str, Any, list[list[float]]]]:
        """The cell's metrics, each with every example's statistics rows (as the cell scored them)."""
        stats = self._cell_stats.get((cell.model.name, cell.task.name), ([], {}))[1]
        return [(r.name, m, stats[r.name]) for r, m in task.metrics if r.name in stats]

    def _run_grouped_audit(
        self, name: str, audit: Any, cell: Cell, task: PreparedTask, predicted: Predicted
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """An audit that breaks the cell's own predictions and metrics down by group: the
        model is not asked again."""
        settings, scored = self._audit_settings(), self._scored_metrics(cell, task)
        try:
            labels = getattr(task.instance, "labels", None)
            labels = tuple(labels) if isinstance(labels, (list, tuple)) else None
            return run_grouped_audit(
                name, audit, cell.model.name, cell.task.name, task.examples, predicted.predictions, settings, scored,
                labels,
            )  # fmt: skip
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            return _failed_audit(name, cell.model.name, cell.task.name, Failure.of(error)), []

    def _cell_result(self, cell: Cell, status: str, **extra: Any) -> dict[str, Any]:
        return {
            "model": cell.model.name,
            "task": cell.task.name,
            "model_type": cell.model.type,
            "task_type": cell.task.type,
            "status": status,
            "strategy": extra.get("strategy"),
            "n": extra.get("n", 0),
            "metrics": extra.get("metrics", {}),
            "seconds": extra.get("seconds"),
            "examples_per_second": extra.get("examples_per_second"),
            "peak_memory_mb": extra.get("peak_memory_mb"),
            "error": extra.get("error"),
            "reason": extra.get("reason"),
            "traceback": extra.get("traceback"),
            **({"model_info": extra["model_info"]} if extra.get("model_info") else {}),
            **({"task_info": extra["task_info"]} if extra.get("task_info") else {}),
            **(
                {"peak_gpu_memory_mb": extra["peak_gpu_memory_mb"]}
                if extra.get("peak_gpu_memory_mb") is not None
                else {}
            ),
        }

    def _failed_cell(self, cell: Cell, failure: Failure, **extra: Any) -> dict[str, Any]:
        """A failed cell: ``error`` (one line) and ``traceback`` (the whole of it)."""
        return self._cell_result(cell, "failed", error=failure.error, traceback=failure.traceback, **extra)

    def _run_cell(
        self, cell: Cell, model: _LazyModel, task: PreparedTask
    ) -> tuple[dict[str, Any], list[dict[str, Any]], Predicted | None]:
        """One cell, from requests to scores. Whatever the plugins' code raises (anything
        but Ctrl-C or SIGTERM) fails this cell only, with its traceback."""
        original = task
        try:
            task = self._task_for(cell, task)
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            return self._failed_cell(cell, Failure.of(error, "preparing the task for the model")), [], None
        preferences = tuple(getattr(task.instance, "strategies", ()))
        # the plan's strategy, from what the type declares; a loaded instance may declare less
        capabilities = frozenset(model.capabilities) if model.loaded else None
        strategy = cell.strategy if capabilities is None else choose_strategy(preferences, capabilities)
        if strategy is None:
            reason = not_applicable_reason(cell.model, cell.task, preferences, capabilities or ())
            return self._cell_result(cell, "not_applicable", reason=reason), [], None
        started = time.perf_counter()
        with PeakMemory() as peak:
            try:
                tokens_before = model.tokens_processed()
                key = self._cell_key(cell, model, strategy)
                label = f"{cell.model.name} × {cell.task.name}"
                predicted = self._predict(label, model, task, task.examples, strategy, key, check=True)
                predictions, prompts = predicted.predictions, predicted.prompts
                reuse = key if predicted.cached == len(task.examples) and self.use_cache else None
                # the scores depend on the references too (a declarative task's target is a
                # column of its own): a changed answer key is scored again
                scored = digest([predicted.keys, [list(example.references) for example in task.examples]])
                scores, per_example, stats = self._score(
                    cell, task, predictions, predicted.probabilities, key, scored, reuse
                )
            except _ModelUnavailable as error:
                return self._failed_cell(cell, error.failure), [], None
            except _NarrowedCapabilities:  # loaded, the model declares less than its type: choose again
                return self._run_cell(cell, model, original)
            except KeyboardInterrupt:
                raise
            except BaseException as error:
                return self._failed_cell(cell, Failure.of(error), strategy=strategy), [], None
        seconds = time.perf_counter() - started
        n = len(task.examples)
        lines = [
            {
                "model": cell.model.name,
                "task": cell.task.name,
                "id": example.id,
                "strategy": strategy,
                "input": example.input,
                "prompt": prompts[i],
                "prediction": predictions[i],
                **({"probabilities": predicted.probabilities[i]} if predicted.probabilities[i] is not None else {}),
                "references": list(example.references),
                "scores": per_example[i],
            }
            for i, example in enumerate(task.examples)
        ]
        try:  # what the model and task say about themselves: their code too, their failure this cell's
            info = model.describe() if model.loaded else self._stored_model_info(key)
            task_info = _described(task.instance, f"task '{cell.task.name}'", TaskError).get("info")
            tokens = model.tokens_processed()
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            return self._failed_cell(cell, Failure.of(error), strategy=strategy), [], None
        computed = n - predicted.cached
        result = self._cell_result(
            cell,
            "ok",
            strategy=strategy,
            n=n,
            metrics=scores,
            seconds=round(seconds, 3),
            # only what the model answered now: reading the store is not the model's speed
            examples_per_second=round(computed / seconds, 2) if computed and seconds > 0 else None,
            peak_memory_mb=peak.mb,
            peak_gpu_memory_mb=peak.gpu_mb,
            model_info=info,
            task_info=task_info,
        )
        result["cached"] = predicted.cached
        if tokens is not None and tokens_before is not None and tokens > tokens_before and seconds > 0:
            result["tokens_per_second"] = round((tokens - tokens_before) / seconds, 1)
        self._cell_stats[(cell.model.name, cell.task.name)] = ([e.id for e in task.examples], stats)
        assert self.store is not None
        self.store.save_cell(
            self.run_id,
            result,
            key,
            [
                (example.id, predictions[i], example.references, {name: rows[i] for name, rows in stats.items()})
                for i, example in enumerate(task.examples)
            ],
        )
        return result, lines, predicted

    def _cell_key(self, cell: Cell, model: _LazyModel, strategy: str) -> str:
        """The key of the cell's cached predictions (see :mod:`nlpbench.store`): the code of
        the core, the model type's plugin and the task type's plugin, and no other plugin's,
        so installing an unrelated plugin leaves every key as it was."""
        task_plugin = self.host.tasks.get(cell.task.type).plugin
        return cell_key(
            self._model_identity(cell.model, model), cell.task.type, dict(cell.task.params), strategy,
            self._code_of(task_plugin),
        )  # fmt: skip

    def _model_identity(self, spec: ModelSpec, model: _LazyModel) -> dict[str, Any]:
        """What decides the model's answers (see :meth:`nlpbench.store.Store.model_identity`), once per model."""
        assert self.store is not None
        if model.identity is None:
            plugin = self.host.models.get(spec.type).plugin
            model.identity = self.store.model_identity(spec, plugin, self.host.code_identity(plugin))
        return model.identity

    def _audit_key(
        self, name: str, params: Mapping[str, Any], spec: ModelSpec, model: _LazyModel, strategy: str
    ) -> str:
        """The key of a standalone audit's cached predictions (see :func:`nlpbench.store.audit_key`)."""
        plugin = self.host.audits.get(name).plugin
        return audit_key(self._model_identity(spec, model), name, dict(params), strategy, self._code_of(plugin))

    def _code_of(self, *plugins: str) -> dict[str, Any]:
        """The code identities (version; source hash when editable) of the core and ``plugins``."""
        return {name: self.host.code_identity(name) for name in sorted({CORE_PLUGIN, *plugins})}

    def _stored_model_info(self, key: str) -> Any:
        """What the model said about itself when it last answered this cell (it was not loaded now)."""
        assert self.store is not None
        return self.store.last_model_info(key)

    def _task_for(self, cell: Cell, task: PreparedTask) -> PreparedTask:
        """The task as this cell's model is to be asked (its ``for_model`` view, if it has one)."""
        for_model = getattr(task.instance, "for_model", None)
        if not callable(for_model):
            return task
        return dataclasses.replace(task, instance=checked_view(for_model(cell.model), cell.task.name, for_model))

    def _predict(
        self,
        label: str,
        model: _LazyModel,
        task: PreparedTask,
        examples: Sequence[Example],
        strategy: str,
        key: str | None = None,
        *,
        check: bool = False,
    ) -> Predicted:
        """Every example's prediction, from the store where it has them, else from the
        model (loaded only then), asked in batches that are stored as they finish. With
        ``check`` (a cell's own examples), a model with ``check_examples`` is shown the
        task's example ids before it is asked anything."""
        per_example: list[list[Request]] = []
        for example in examples:
            try:
                built = task.instance.build_requests(example, strategy)
            except (NlpbenchError, KeyboardInterrupt):
                raise
            except BaseException as error:
                raise TaskError(f"building requests for example '{example.id}': {error_line(error)}") from error
            requests = checked_requests(built, example.id, task.instance.build_requests)
            per_example.append([r if r.example_id else dataclasses.replace(r, example_id=example.id) for r in requests])
        keys = [example_key(example.id, requests) for example, requests in zip(examples, per_example, strict=True)]
        found = self.store.cached(key, keys) if self.store is not None and key is not None and self.use_cache else {}
        wants_probabilities = callable(getattr(task.instance, "probabilities", None))
        predictions: list[Any] = [_MISSING] * len(examples)
        probabilities: list[Any] = [None] * len(examples)
        for i, k in enumerate(keys):
            stored = found.get(k)
            # a row stored before probabilities were recorded is asked again when the task gives them
            if stored is not None and not (wants_probabilities and stored[1] is NOT_RECORDED):
                predictions[i] = stored[0]
                probabilities[i] = None if stored[1] is NOT_RECORDED else stored[1]
        missing = [i for i, p in enumerate(predictions) if p is _MISSING]
        if missing:
            instance = model.get()
            if strategy not in model.capabilities:
                raise _NarrowedCapabilities(strategy)
            check_examples = getattr(instance, "check_examples", None)
            if check and callable(check_examples):  # a replay's saved predictions must line up with these
                check_examples(task.spec.name, task.example_ids, [example.id for example in examples])
            total = sum(len(per_example[i]) for i in missing)
            with Progress(total=total, label=label, enabled=self.progress) as bar:
                for batch in _batches(missing, per_example, CHUNK_SIZE):
                    done = self._ask(
                        instance, task, [examples[i] for i in batch], [per_example[i] for i in batch], strategy, bar
                    )
                    for i, (prediction, probability) in zip(batch, done, strict=True):
                        predictions[i], probabilities[i] = prediction, probability
                    if self.store is not None and key is not None:
                        self.store.save_predictions(
                            key, [(keys[i], examples[i].id, predictions[i], probabilities[i]) for i in batch]
                        )
        prompts = [_prompt_of(requests[0]) for requests in per_example]
        return Predicted(predictions, probabilities, prompts, len(examples) - len(missing), keys)

    def _ask(
        self,
        model: Any,
        task: PreparedTask,
        examples: Sequence[Example],
        per_example: Sequence[Sequence[Request]],
        strategy: str,
        bar: Progress,
    ) -> list[tuple[Any, Any]]:
        """The prediction and label probabilities (None where the task gives none) of each of
        ``examples``: their requests asked per capability, the answers processed by the
        task, each made plain JSON (as the store keeps it)."""
        flat = [(i, request) for i, requests in enumerate(per_example) for request in requests]
        answers: list[Any] = [None] * len(flat)
        by_capability: dict[str, list[int]] = {}
        for position, (_, request) in enumerate(flat):
            by_capability.setdefault(request.capability, []).append(position)
        for capability, positions in by_capability.items():
            method = getattr(model, capability, None)
            if capability not in getattr(model, "capabilities", ()) or not callable(method):
                raise ModelError(f"the model does not answer '{capability}' requests")
            asked = [flat[p][1] for p in positions]
            try:
                returned = method(asked)
            except (Exception, KeyboardInterrupt):
                raise
            except BaseException as error:  # sys.exit() and the like: the cell's failure, not the run's end
                raise ModelError(f"{capability}: {error_line(error)}") from error
            got = checked_answers(returned, capability, asked, method)
            for p, answer in zip(positions, got, strict=True):
                answers[p] = answer
            bar.update(len(positions))
        probabilities_of = getattr(task.instance, "probabilities", None)
        done = []
        offset = 0
        for example, requests in zip(examples, per_example, strict=True):
            mine = answers[offset : offset + len(requests)]
            offset += len(requests)
            try:
                prediction = task.instance.process_answers(example, strategy, mine)
                probabilities = probabilities_of(example, strategy, mine) if callable(probabilities_of) else None
            except (NlpbenchError, KeyboardInterrupt):
                raise
            except BaseException as error:
                raise TaskError(f"processing answers for example '{example.id}': {error_line(error)}") from error
            # a stored prediction comes back as plain JSON: make a fresh one the same, so
            # a resumed run scores exactly what an uninterrupted one does
            done.append((
                checked_prediction(prediction, example.id, task.instance.process_answers),
                checked_probabilities(probabilities, example.id, probabilities_of),
            ))  # fmt: skip
        return done

    def _score(
        self,
        cell: Cell,
        task: PreparedTask,
        predictions: list[Any],
        probabilities: list[Any],
        key: str | None = None,
        examples_digest: str = "",
        reuse: str | None = None,
    ) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, list[list[float]]]]:
        """Each metric's score and interval, each example's scores, and each metric's
        per-example statistics (for the store: rescoring and paired comparisons); a metric
        that cannot score these predictions is recorded as not computed, with why. With
        ``reuse`` (every prediction came from the store under that cell key), a score the
        store has for exactly these examples and bootstrap settings is taken as it is."""
        references = [example.references for example in task.examples]
        scores: dict[str, Any] = {}
        per_example: list[dict[str, Any]] = [{} for _ in predictions]
        all_stats: dict[str, list[list[float]]] = {}
        seed = derived_seed(self.suite.seed, cell.task.name, "bootstrap")
        bootstrap_key = digest([self.suite.resamples, self.suite.confidence, seed])
        for registered, metric in task.metrics:
            metric_key = task.metric_keys.get(registered.name, registered.name)
            stored = None
            if reuse is not None and self.store is not None:
                stored = self.store.cached_score(reuse, metric_key, examples_digest, bootstrap_key)
            if stored is not None:
                scores[registered.name], rows = stored
                all_stats[registered.name] = rows
                self._example_scores(metric, registered.name, np.asarray(rows, dtype=np.float64), per_example)
                continue
            try:
                stats = metric_stats(metric, registered.name, predictions, references, probabilities)
                _check_statistics(stats, registered.name, task.examples, metric.stats)
                estimate = bootstrap(
                    stats,
                    metric.aggregate,
                    resamples=self.suite.resamples,
                    confidence=self.suite.confidence,
                    seed=seed,
                    aggregate_resamples=getattr(metric, "aggregate_resamples", None),
                )
                entry = {
                    "value": estimate.value,
                    "ci_low": estimate.ci_low,
                    "ci_high": estimate.ci_high,
                    "higher_is_better": bool(metric.higher_is_better),
                    "scale": list(metric.scale),
                    **corpus_only_flag(metric),
                    **_described(metric, f"metric '{registered.name}'", MetricError),
                }
                self._example_scores(metric, registered.name, stats, per_example)
            except MetricNotComputed as error:
                scores[registered.name] = not_computed_entry(metric, str(error))
                continue
            except (NlpbenchError, KeyboardInterrupt):
                raise
            except BaseException as error:  # aggregate, describe, example_score: the metric's code all the same
                raise MetricError(f"metric '{registered.name}': {error_line(error)}") from error
            scores[registered.name] = json.loads(json.dumps(jsonable(entry)))  # as the store gives it back
            all_stats[registered.name] = stats.tolist()
            if key is not None and self.store is not None:
                self.store.save_score(
                    key, metric_key, examples_digest, bootstrap_key, scores[registered.name], all_stats[registered.name]
                )
        return scores, per_example, all_stats

    @staticmethod
    def _example_scores(metric: Any, name: str, stats: Any, per_example: list[dict[str, Any]]) -> None:
        """Each example's own score under ``name`` (the metric's ``example_score``, or the row's only value)."""
        example_score = getattr(metric, "example_score", None)
        for i, row in enumerate(stats):
            if callable(example_score):
                per_example[i][name] = example_score(row)
            else:
                per_example[i][name] = float(row[0]) if len(row) == 1 else None

    # -- finishing --------------------------------------------------------------

    def _log_audit(self, entries: list[dict[str, Any]]) -> None:
        """One line per audited cell: its first measured value (a flip rate, say) and how
        many entries it wrote; the rest are in results.json and the report."""
        if not entries:
            return
        head = f"{entries[0]['model']} × {entries[0]['task']} audit {entries[0]['audit']}"
        measured = [e for e in entries if e["value"] is not None]
        for entry in entries:
            self._log_traceback(entry.get("traceback"))
        if not measured:
            self.log(f"audit   {head}: {entries[0]['reason']}")
            return
        first = measured[0]
        summary = f"{first['group']} {first['measure']} {first['value']:.4g} (n={first['n']})"
        more = f"; {len(entries)} entries" if len(entries) > 1 else ""
        skipped = len(entries) - len(measured)
        self.log(f"audit   {head}: {summary}{more}" + (f", {skipped} not computed" if skipped else ""))

    def _check_writable(self) -> bool:
        """ConfigError unless the output folder exists (made now) and takes files: a file
        made and removed at once, so a refused run leaves nothing there. Whether the
        folder was made now."""
        try:
            made = not self.out_dir.is_dir()
            self.out_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.out_dir, prefix=".nlpbench-"):
                pass
        except OSError as error:
            raise self._unwritable(error) from None
        return made

    def _unwritable(self, error: OSError) -> ConfigError:
        return ConfigError(f"output folder {self.out_dir}: cannot write: {error.strerror or error}")

    def _log_cell(self, result: Mapping[str, Any]) -> None:
        head = f"{result['model']} × {result['task']}"
        if result["status"] == "ok":
            first = next(iter(result["metrics"].items()), None)
            score = f"{first[0]} {first[1]['value']:.4g}" if first and first[1]["value"] is not None else "no metrics"
            self.log(
                f"ok      {head}: {score} ({result['n']} examples, {result['seconds']:.2f} s){_from_store(result)}"
            )
        elif result["status"] == "failed":
            self.log(f"FAILED  {head}: {result['error']}")
            self._log_traceback(result.get("traceback"))
        else:
            self.log(f"n/a     {head}: {result['reason']}")

    def _log_traceback(self, text: str | None) -> None:
        """With ``debug``, a failure's traceback, as it happens (``nlpbench --debug run``)."""
        if self.debug and text:
            self.log(text.rstrip("\n"))

    def prepare_reporters(self) -> list[tuple[str, Any]]:
        """Build every reporter of the suite before anything runs: options it refuses are
        config errors; a reporter whose construction raises otherwise (its bug) is kept
        as its Failure and reported as a warning at the end, like one whose write fails."""
        reporters: list[tuple[str, Any]] = []
        for index, ref in enumerate(self.suite.reporters):
            registered = self.host.reporters.get(ref.name)
            where = f"reporters[{index}] ({registered.name})"
            bad_options = _bad_options(registered.component, ref.options)
            if bad_options is not None:
                raise ConfigError(f"{where}: bad options: {bad_options}")
            # a link in an existing run folder may lead a file out of it: known only now
            escapes = run_file_problems(registered.component, ref.options, self.out_dir)
            if escapes:
                raise ConfigErrors([f"{where}: {problem}" for problem in escapes])
            try:
                reporters.append((registered.name, registered.component(**ref.options)))
            except NlpbenchError as error:
                raise ConfigError(f"{where}: {one_line(error)}") from error
            except KeyboardInterrupt:
                raise
            except BaseException as error:
                reporters.append((registered.name, Failure.of(error, f"reporter '{registered.name}' failed")))
        return reporters

    def _report(self, document: Mapping[str, Any], reporters: Sequence[tuple[str, Any]]) -> list[str]:
        """Run the suite's reporters; a reporter that fails is a warning, not lost results."""
        warnings = []
        for name, reporter in reporters:
            if isinstance(reporter, Failure):  # it could not be built
                warnings.append(reporter.error)
                self._log_traceback(reporter.traceback)
                continue
            try:
                where = reporter.write(document, self.out_dir)
            except KeyboardInterrupt:
                raise
            except BaseException as error:
                failure = Failure.of(error, f"reporter '{name}' failed")
                warnings.append(failure.error)
                self._log_traceback(failure.traceback)
                continue
            if where:
                self.log(f"report: {where}")
        for warning in warnings:
            self.log(f"warning: {warning}")
        return warnings


_MISSING = object()


class _ModelUnavailable(Exception):
    """The model could not be loaded: every cell that needs it fails with this failure."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.error)
        self.failure = failure


class _NarrowedCapabilities(Exception):
    """The loaded model does not declare the strategy its type promised."""


class _LazyModel:
    """A model loaded the first time a cell needs an answer the store does not have, so
    a run served from the store never loads it."""

    def __init__(self, spec: ModelSpec, factory: Callable[[ModelSpec], Any], log: Callable[[str], None]) -> None:
        self.spec = spec
        self.factory = factory
        self.log = log
        self.instance: Any = None
        self.loaded = False
        self.failure: Failure | None = None
        self.identity: dict[str, Any] | None = None
        self._capabilities: frozenset[str] = frozenset()

    def get(self) -> Any:
        if not self.loaded and self.failure is None:
            self.log(f"loading model '{self.spec.name}' ({self.spec.type})")
            try:
                instance = self.factory(self.spec)
                self._capabilities = frozenset(getattr(instance, "capabilities", ()))
                self.instance, self.loaded = instance, True
            except KeyboardInterrupt:
                raise
            except BaseException as error:  # sys.exit() in a loader too: this model's cells fail, no more
                self.failure = Failure.of(error, "loading the model")
        if self.failure is not None:
            raise _ModelUnavailable(self.failure)
        return self.instance

    @property
    def capabilities(self) -> frozenset[str]:
        return self._capabilities

    def describe(self) -> dict[str, Any] | None:
        """What the loaded model says about itself (see :func:`_described`)."""
        return _described(self.instance, f"model '{self.spec.name}'", ModelError).get("info")

    def tokens_processed(self) -> int | None:
        """The tokens the loaded model has read so far, if it counts them (for tokens/s)."""
        count = getattr(self.instance, "tokens_processed", None)
        if not callable(count):
            return 0 if not self.loaded else None
        try:
            counted = count()
        except (NlpbenchError, KeyboardInterrupt):
            raise
        except BaseException as error:
            raise ModelError(f"tokens_processed() failed: {error_line(error)}") from error
        return checked_token_count(counted, count)


def _failed_audit(audit: str, model: str, task: str, failure: Failure) -> list[dict[str, Any]]:
    """The one entry of an audit that failed: ``reason`` says so on one line, ``traceback`` keeps the rest."""
    return [{**failed_entry(audit, model, task, f"failed: {failure.error}"), "traceback": failure.traceback}]


def _from_store(result: Mapping[str, Any]) -> str:
    """`` (from the store)`` for an ok cell the store answered whole, `` (4 of 8 from the
    store)`` for one it answered in part, else empty: a cell's seconds are then not the
    model's work (the report's efficiency panel says the same)."""
    cached, n = result.get("cached") or 0, result.get("n") or 0
    if cached <= 0:
        return ""
    return " (from the store)" if cached >= n else f" ({cached} of {n} from the store)"


def _log_to_stderr(message: str) -> None:
    """A line on stderr; a closed or broken stderr loses the line, never the run."""
    try:
        if sys.stderr is not None:
            print(message, file=sys.stderr, flush=True)
    except (OSError, ValueError):  # EPIPE, or a closed file
        pass


def _batches(indices: Sequence[int], per_example: Sequence[Sequence[Any]], size: int) -> Iterator[list[int]]:
    """``indices`` in runs whose requests add up to about ``size`` (at least one example each)."""
    batch: list[int] = []
    count = 0
    for i in indices:
        if batch and count + len(per_example[i]) > size:
            yield batch
            batch, count = [], 0
        batch.append(i)
        count += len(per_example[i])
    if batch:
        yield batch


def _described(component: Any, what: str, error_type: type[NlpbenchError]) -> dict[str, Any]:
    """``{"info": component.describe()}`` when the component describes itself. What it
    says goes into results, so it is code like any other: a describe() that raises, or
    says something other than a mapping of JSON values, fails the cell."""
    describe = getattr(component, "describe", None)
    if not callable(describe):
        return {}
    try:
        info = describe()
    except (NlpbenchError, KeyboardInterrupt):
        raise
    except BaseException as error:
        raise error_type(f"{what}: describe() failed: {error_line(error)}") from error
    described = checked_description(info, what, describe, error_type)
    return {"info": described} if described else {}


def _check_statistics(stats: Any, name: str, examples: Sequence[Example], source: Callable[..., Any]) -> None:
    """A metric's statistics hold no NaN: a row that does is a bug, never a score (an
    infinity may be one: perplexity's)."""
    bad = np.isnan(stats).any(axis=1)
    if bad.any():
        example = examples[int(np.argmax(bad))]
        raise blame(MetricError(f"metric '{name}' returned NaN statistics for example '{example.id}'"), source)


def _prompt_of(request: Request) -> str | None:
    """What the model was shown, when it was a prompt rather than the bare input."""
    for attribute in ("prompt", "context"):
        value = getattr(request, attribute, None)
        if isinstance(value, str):
            return value
    return None


def run_suite(
    suite: Suite,
    host: PluginHost,
    out_dir: Path | None = None,
    *,
    progress: bool | None = None,
    log: Callable[[str], None] | None = None,
    store: Path | None = None,
    use_cache: bool = True,
    debug: bool = False,
) -> RunOutcome:
    """Run ``suite`` into ``out_dir`` (default ``runs/<suite name>``), keeping predictions
    in ``store`` (default: the run folder's own) and reusing them unless ``use_cache`` is off;
    with ``debug``, the traceback of each failure is logged as it happens."""
    out = out_dir if out_dir is not None else Path("runs") / suite.name
    runner = Runner(suite, host, out, progress=progress, log=log, store=store, use_cache=use_cache, debug=debug)
    return runner.run()
