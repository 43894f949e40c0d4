"""One model's part of a run: load it (only if the store lacks an answer), answer each of
its cells, run their audits, then let it go. An executor that runs several models at
once runs one pipeline per model, each in its own thread; the results are the same."""

from __future__ import annotations

import dataclasses
import functools
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from nlpbench.contracts.components import Example, ModelSpec, TaskSpec
from nlpbench.contracts.errors import TaskError
from nlpbench.plugins.builtin.judges import is_judge
from nlpbench.plugins.host import PluginHost
from nlpbench.results.store import Store, audit_key, cell_key, digest
from nlpbench.running.asking import Asker, Predicted
from nlpbench.running.attributing import attributions_of
from nlpbench.running.auditing import AuditSettings, failed_entry, run_audit, run_standalone_audit
from nlpbench.running.cells import cell_result, failed_cell, sample_lines, save_cell_rows, score_cell
from nlpbench.running.executors.base import Executor
from nlpbench.running.failures import Failure
from nlpbench.running.grouping import run_grouped_audit
from nlpbench.running.memory import PeakMemory
from nlpbench.running.models import LazyModel, ModelUnavailable, NarrowedCapabilities
from nlpbench.running.plugin_output import checked_view, described
from nlpbench.running.preparing import PreparedTask, code_of
from nlpbench.suites.planning import Cell, choose_strategy, declared_capabilities, not_applicable_reason
from nlpbench.suites.strategies import narrowed
from nlpbench.suites.suite import AuditSpec, Suite

#: What a pipeline yields: ("cell", result, sample lines, replayed), ("audit", entries,
#: sample lines, replayed) or ("warning", {"warning", "traceback"}, [], False) (a
#: ``close()`` that raised). ``replayed``: everything in it came from the store, so a
#: results.json written without it loses nothing (the runner then need not rewrite it).
Item = tuple[str, Any, list[dict[str, Any]], bool]

#: (model, task) → the example ids and each metric's statistics rows, for comparisons
CellStats = dict[tuple[str, str], tuple[list[str], dict[str, list[list[float]]]]]


@dataclass
class RunContext:
    """What every model pipeline of a run shares."""

    suite: Suite
    host: PluginHost
    executor: Executor
    store: Store
    asker: Asker
    run_id: int
    use_cache: bool
    log: Callable[[str], None]
    cell_stats: CellStats
    #: set when the run is interrupted: a pipeline in a thread stops at its next cell
    stop: threading.Event
    #: (model, task) → the cell's store key and predictions, for the cells whose task has a
    #: judge metric (the judging stage grades them once every model has answered)
    answers: dict[tuple[str, str], tuple[str, list[Any]]] = dataclasses.field(default_factory=dict)


class ModelPipeline:
    """Runs one model's cells and audits (see the module's docstring)."""

    def __init__(
        self,
        context: RunContext,
        spec: ModelSpec,
        cells: list[Cell],
        prepared: Mapping[str, PreparedTask],
        audits: list[tuple[AuditSpec, str, Any]],
    ) -> None:
        self.context = context
        self.spec = spec
        self.cells = cells
        self.prepared = prepared
        self.audits = audits
        self.model = LazyModel(spec, context.executor, context.log)
        #: whether other models' cells run at the same time as this one's
        self._side_by_side = context.executor.models_at_once() > 1 and len(context.suite.models) > 1

    def run(self) -> Iterator[Item]:
        """Every cell of the model, then its audits, then the model let go."""
        answered: list[tuple[Cell, str, Predicted]] = []
        for cell in self.cells:
            if self.context.stop.is_set():
                return
            failure = cell.failure or self.prepared[cell.task.name].failure
            if failure is not None:
                result = failed_cell(cell, failure)
                lines: list[dict[str, Any]] = []
            elif cell.strategy is None:
                result, lines = cell_result(cell, "not_applicable", reason=cell.reason), []
            else:
                result, lines, predicted = self._run_cell(cell, self.prepared[cell.task.name])
                if result["status"] == "ok" and predicted is not None:
                    answered.append((cell, result["strategy"], predicted))
            replayed = result["status"] == "ok" and result.get("cached") == result.get("n")
            yield "cell", self._stamped(result), lines, replayed
        for kind, entries, lines, replayed in self._run_audits(answered):
            yield kind, self._audit_stamped(entries), lines, replayed
        try:
            self.model.close()
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # the cells are done and kept; the run says so, and goes on
            failure = Failure.of(error, f"closing model '{self.spec.name}' failed")
            yield "warning", {"warning": failure.error, "traceback": failure.traceback}, [], False

    def _stamped(self, result: dict[str, Any]) -> dict[str, Any]:
        """The cell with where it ran, and (on the first cell after the model loaded) how
        long loading took: kept out of the cell's own ``seconds``."""
        result["executor"] = self.context.executor.kind
        result["replicas"] = self.model.replicas
        if self.model.loaded and not self.model.load_recorded:
            result["load_seconds"] = self.model.load_seconds
            self.model.load_recorded = True
        return result

    def _audit_stamped(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """An audit's entries with ``load_seconds`` when the audit was what loaded the model
        (every cell came from the store): the load is recorded where it happened."""
        if not (self.model.loaded and not self.model.load_recorded):
            return entries
        self.model.load_recorded = True
        return [{**entry, "load_seconds": self.model.load_seconds} for entry in entries]

    # -- cells ------------------------------------------------------------------

    def _run_cell(
        self, cell: Cell, task: PreparedTask
    ) -> tuple[dict[str, Any], list[dict[str, Any]], Predicted | None]:
        """One cell, from requests to scores. Whatever the plugins' code raises (anything
        but Ctrl-C or SIGTERM) fails this cell only, with its traceback."""
        context, model = self.context, self.model
        original = task
        try:
            task = self._task_for(cell, task)
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            return failed_cell(cell, Failure.of(error, "preparing the task for the model")), [], None
        # a loaded task may declare fewer strategies than its type; the entry's ``strategy:`` still holds
        preferences = narrowed(tuple(getattr(task.instance, "strategies", ())), task.spec)
        # the plan's strategy, from what the type declares; a loaded instance may declare less
        capabilities = frozenset(model.capabilities) if model.loaded else None
        strategy = cell.strategy if capabilities is None else choose_strategy(preferences, capabilities)
        if strategy is None:
            reason = not_applicable_reason(cell.model, cell.task, preferences, capabilities or ())
            notes = model.capability_notes if model.loaded else {}
            said = [f"{c}: {notes[c]}" for c in preferences if c in notes]
            reason += f" ({'; '.join(said)})" if said else ""
            return cell_result(cell, "not_applicable", reason=reason), [], None
        was_loaded = model.loaded
        started = time.perf_counter()
        used_before: dict[str, float] = {}
        with PeakMemory() as peak:
            try:
                tokens_before = model.tokens_processed()
                used_before = model.usage() or {}
                key = self._cell_key(cell, strategy)
                label = f"{cell.model.name} × {cell.task.name}"
                predicted = context.asker.predict(label, model, task, task.examples, strategy, key, check=True)
                predictions, prompts = predicted.predictions, predicted.prompts
                reuse = key if predicted.cached == len(task.examples) and context.use_cache else None
                # the scores depend on the references too (a declarative task's target is a
                # column of its own): a changed answer key is scored again
                scored = digest([predicted.keys, [list(example.references) for example in task.examples]])
                scores, per_example, stats = score_cell(
                    context.suite, context.store, task, predictions, predicted.probabilities, key, scored, reuse
                )
            except ModelUnavailable as error:
                return failed_cell(cell, error.failure), [], None
            except NarrowedCapabilities:  # loaded, the model declares less than its type: choose again
                return self._run_cell(cell, original)
            except KeyboardInterrupt:
                raise
            except BaseException as error:
                failed = failed_cell(cell, Failure.of(error), strategy=strategy)
                return self._with_usage(failed, used_before), [], None
        seconds = time.perf_counter() - started
        if not was_loaded and model.loaded and model.load_seconds is not None:
            seconds = max(seconds - model.load_seconds, 0.0)  # loading is the model's, recorded as load_seconds
        n = len(task.examples)
        lines = sample_lines(cell, task, strategy, predictions, predicted.probabilities, prompts, per_example)
        try:  # what the model and task say about themselves: their code too, their failure this cell's
            info = model.describe() if model.loaded else context.store.last_model_info(key)
            task_info = described(task.instance, f"task '{cell.task.name}'", TaskError).get("info")
            tokens = model.tokens_processed()
            used = model.usage()
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            return failed_cell(cell, Failure.of(error), strategy=strategy), [], None
        computed = n - predicted.cached
        result = cell_result(
            cell,
            "ok",
            strategy=strategy,
            n=n,
            metrics=scores,
            seconds=round(seconds, 3),
            # only what the model answered now: reading the store is not the model's speed
            examples_per_second=round(computed / seconds, 2) if computed and seconds > 0 else None,
            # the peaks are the process's: with other models' cells running at the same
            # time they are no one cell's, so none is given
            peak_memory_mb=None if self._side_by_side else peak.mb,
            peak_gpu_memory_mb=None if self._side_by_side else peak.gpu_mb,
            model_info=info,
            task_info=task_info,
        )
        result["cached"] = predicted.cached
        if cell.task.attributions is not None:  # the chosen examples' token attributions (running/attributing.py)
            result["attributions"] = attributions_of(
                context, model, cell, task, strategy, key, predicted, per_example, scores, lines
            )
        if used is not None:  # what this cell used of what the model counts (tokens in and out, cost)
            result["usage"] = _used(used, used_before)
        if tokens is not None and tokens_before is not None and tokens > tokens_before and seconds > 0:
            result["tokens_per_second"] = round((tokens - tokens_before) / seconds, 1)
        context.cell_stats[(cell.model.name, cell.task.name)] = ([e.id for e in task.examples], stats)
        if any(is_judge(metric) for _, metric in task.metrics):
            context.answers[(cell.model.name, cell.task.name)] = (key, predictions)
        save_cell_rows(context.store, context.run_id, result, key, task.examples, predictions, stats)
        return result, lines, predicted

    def _with_usage(self, result: dict[str, Any], before: dict[str, float]) -> dict[str, Any]:
        """A failed cell with what the model used before it failed (a served model's tokens
        and cost are spent all the same), when the model counts it and can still say."""
        try:
            used = self.model.usage()
        except KeyboardInterrupt:
            raise
        except BaseException:  # the model's own bug: the cell's failure says enough
            return result
        if used is not None:
            result["usage"] = _used(used, before)
        return result

    def _task_for(self, cell: Cell, task: PreparedTask) -> PreparedTask:
        """The task as this cell's model is to be asked (its ``for_model`` view, if it has one)."""
        for_model = getattr(task.instance, "for_model", None)
        if not callable(for_model):
            return task
        return dataclasses.replace(task, instance=checked_view(for_model(cell.model), cell.task.name, for_model))

    # -- store keys -------------------------------------------------------------

    def _cell_key(self, cell: Cell, strategy: str) -> str:
        """The key of the cell's cached predictions (see :mod:`nlpbench.results.store`): the code of
        the core, the model type's plugin and the task type's plugin, and no other plugin's,
        so installing an unrelated plugin leaves every key as it was."""
        host = self.context.host
        task_plugin = host.tasks.get(cell.task.type).plugin
        return cell_key(
            self._model_identity(), cell.task.type, dict(cell.task.params), strategy, code_of(host, task_plugin)
        )

    def _model_identity(self) -> dict[str, Any]:
        """What decides the model's answers (see :meth:`nlpbench.results.store.Store.model_identity`), once per model."""
        if self.model.identity is None:
            host = self.context.host
            plugin = host.models.get(self.spec.type).plugin
            self.model.identity = self.context.store.model_identity(self.spec, plugin, host.code_identity(plugin))
        return self.model.identity

    def _audit_key(self, name: str, params: Mapping[str, Any], strategy: str) -> str:
        """The key of a standalone audit's cached predictions (see :func:`nlpbench.results.store.audit_key`)."""
        plugin = self.context.host.audits.get(name).plugin
        return audit_key(self._model_identity(), name, dict(params), strategy, code_of(self.context.host, plugin))

    # -- audits -----------------------------------------------------------------

    def _run_audits(self, answered: list[tuple[Cell, str, Predicted]]) -> Iterator[Item]:
        spec, host = self.spec, self.context.host
        for audit_spec, name, audit in self.audits:
            if self.context.stop.is_set():
                return
            # an audit that could not be built is taken at its type's word
            built = host.audits.get(audit_spec.type).component if isinstance(audit, Failure) else audit
            if getattr(built, "data_only", False):  # audits the data once per task: the runner's, not a model's
                continue
            if getattr(built, "standalone", False):  # the audit brings its own data: once per model
                if not audit_spec.models or spec.name in audit_spec.models:
                    if isinstance(audit, Failure):  # it could not be built
                        yield "audit", _failed_audit(name, spec.name, name, audit), [], False
                    else:
                        yield self._run_standalone_audit(name, audit, audit_spec)
                continue
            for cell, strategy, predicted in answered:
                if (audit_spec.tasks and cell.task.name not in audit_spec.tasks) or (
                    audit_spec.models and cell.model.name not in audit_spec.models
                ):
                    continue
                if isinstance(audit, Failure):
                    yield "audit", _failed_audit(name, cell.model.name, cell.task.name, audit), [], False
                    continue
                task = self.prepared[cell.task.name]
                key = self._audit_result_key(name, audit_spec, cell, task, strategy, predicted)
                if callable(getattr(audit, "partition", None)):  # a breakdown of the cell's own predictions
                    yield self._remembered(
                        key, functools.partial(self._run_grouped_audit, name, audit, cell, task, predicted)
                    )
                    continue
                try:
                    view = self._task_for(cell, task)
                except KeyboardInterrupt:
                    raise
                except BaseException as error:
                    failure = Failure.of(error, "preparing the task for the model")
                    yield "audit", _failed_audit(name, cell.model.name, cell.task.name, failure), [], False
                    continue
                run = functools.partial(self._run_audit, name, audit, cell, view, strategy, predicted)
                yield self._remembered(key, run)

    def _audit_result_key(
        self, name: str, audit_spec: AuditSpec, cell: Cell, task: PreparedTask, strategy: str, predicted: Predicted
    ) -> str:
        """What decides an audit's entries over a cell: the audit's type, params and code,
        the cell's key (the model, the task and its code), its examples, predictions and
        references, the metrics it scores again (their options and code), and the run's
        bootstrap settings. The perturbed predictions follow from these as the store's own
        cached ones do."""
        host, suite = self.context.host, self.context.suite
        return digest({
            # the entries and lines name the model and task: two same models are two keys
            "audit": audit_spec.type, "name": name, "model": cell.model.name, "task": cell.task.name,
            "params": dict(audit_spec.params or {}),
            "code": code_of(host, host.audits.get(audit_spec.type).plugin),
            "cell": self._cell_key(cell, strategy), "predictions": predicted.keys,
            "examples": [[e.id, e.input, list(e.references)] for e in task.examples],
            "original": [predicted.predictions, predicted.probabilities],
            "metrics": sorted(task.metric_keys.items()), "settings": [suite.resamples, suite.confidence, suite.seed],
        })  # fmt: skip

    def _remembered(self, key: str, compute: Callable[[], tuple[list[dict[str, Any]], list[dict[str, Any]]]]) -> Item:
        """An audit's entries and sample lines: from the store when it has them under ``key``
        (and the run may use it), else computed and kept there unless the audit failed (a
        failure is the plugin's to fix, and is tried again)."""
        store = self.context.store
        if self.context.use_cache:
            kept = store.derived(key)
            if kept is not None:
                return "audit", kept[0], kept[1], True
        entries, lines = compute()
        if not any(str(entry.get("reason") or "").startswith("failed") for entry in entries):
            store.save_derived(key, [entries, lines])
        return "audit", entries, lines, False

    def _run_standalone_audit(self, name: str, audit: Any, audit_spec: AuditSpec) -> Item:
        """An audit with its own examples (CrowS-Pairs sentence pairs, templates): asked of
        the model with the first of the audit's strategies the model type declares. Its
        predictions are kept in the store like a cell's (keyed by the model, the audit, its
        ``params`` and plugin), so an identical rerun does not load the model for it."""
        spec = self.spec
        where = str(getattr(audit, "data_name", name))
        try:
            capabilities = declared_capabilities(self.context.host.models.get(spec.type).component, spec)
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            failure = Failure.of(error, "the model type's capabilities_for() failed")
            return "audit", _failed_audit(name, spec.name, where, failure), [], False
        preferences = tuple(getattr(audit, "strategies", ()))
        strategy = choose_strategy(preferences, capabilities)
        if strategy is None:
            wants = ", ".join(preferences) or "none"
            reason = f"not computed: model '{spec.name}' has none of the capabilities the audit needs ({wants})"
            return "audit", [failed_entry(name, spec.name, where, reason)], [], False
        try:
            examples = list(audit.examples())
            view = PreparedTask(TaskSpec(name=where, type=f"audit:{name}"), instance=audit, examples=examples)
            label = f"{spec.name} × {name}"
            key = self._audit_key(name, audit_spec.params or {}, strategy)
            asked = self.context.asker.predict(label, self.model, view, examples, strategy, key)
        except ModelUnavailable as error:
            return "audit", _failed_audit(name, spec.name, where, error.failure), [], False
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            return "audit", _failed_audit(name, spec.name, where, Failure.of(error)), [], False
        suite = self.context.suite
        settings = [suite.resamples, suite.confidence, suite.seed]
        result_key = digest([key, name, spec.name, where, asked.keys, asked.predictions, settings])

        def compute() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
            try:
                settings = self._settings()
                return run_standalone_audit(name, audit, spec.name, where, examples, asked.predictions, settings)
            except KeyboardInterrupt:
                raise
            except BaseException as error:
                return _failed_audit(name, spec.name, where, Failure.of(error)), []

        return self._remembered(result_key, compute)

    def _run_audit(
        self, name: str, audit: Any, cell: Cell, task: PreparedTask, strategy: str, predicted: Predicted
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        def predict(examples: list[Example]) -> tuple[list[Any], list[Any]]:
            label = f"{cell.model.name} × {cell.task.name} ({name})"
            key = self._cell_key(cell, strategy)
            asked = self.context.asker.predict(label, self.model, task, examples, strategy, key)
            return asked.predictions, asked.probabilities

        scored = self._scored_metrics(cell, task)
        try:
            return run_audit(
                name, audit, cell.model.name, cell.task.name, task.examples, predicted.predictions, predict,
                self._settings(), scored, original_probabilities=predicted.probabilities,
            )  # fmt: skip
        except ModelUnavailable as error:
            return _failed_audit(name, cell.model.name, cell.task.name, error.failure), []
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            return _failed_audit(name, cell.model.name, cell.task.name, Failure.of(error)), []

    def _run_grouped_audit(
        self, name: str, audit: Any, cell: Cell, task: PreparedTask, predicted: Predicted
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """An audit that breaks the cell's own predictions and metrics down by group: the
        model is not asked again."""
        scored = self._scored_metrics(cell, task)
        try:
            labels = getattr(task.instance, "labels", None)
            labels = tuple(labels) if isinstance(labels, (list, tuple)) else None
            return run_grouped_audit(
                name, audit, cell.model.name, cell.task.name, task.examples, predicted.predictions, self._settings(),
                scored, labels,
            )  # fmt: skip
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            return _failed_audit(name, cell.model.name, cell.task.name, Failure.of(error)), []

    def _settings(self) -> AuditSettings:
        suite = self.context.suite
        return AuditSettings(suite.resamples, suite.confidence, suite.seed)

    def _scored_metrics(self, cell: Cell, task: PreparedTask) -> list[tuple[str, Any, list[list[float]]]]:
        """The cell's metrics, each with every example's statistics rows (as the cell scored them)."""
        stats = self.context.cell_stats.get((cell.model.name, cell.task.name), ([], {}))[1]
        return [(r.name, m, stats[r.name]) for r, m in task.metrics if r.name in stats]


def _used(after: Mapping[str, float], before: Mapping[str, float]) -> dict[str, float]:
    """What a model used between two readings of its ``usage()``."""
    return {name: round(value - before.get(name, 0.0), 6) for name, value in after.items()}


def _failed_audit(audit: str, model: str, task: str, failure: Failure) -> list[dict[str, Any]]:
    """The one entry of an audit that failed: ``reason`` says so on one line, ``traceback`` keeps the rest."""
    return [{**failed_entry(audit, model, task, f"failed: {failure.error}"), "traceback": failure.traceback}]
