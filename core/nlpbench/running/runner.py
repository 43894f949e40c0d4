"""The runner: executes a planned suite, stage by stage.

plan (:mod:`nlpbench.suites.planning`) → prepare (:mod:`nlpbench.running.preparing`) →
for each model, its pipeline (:mod:`nlpbench.running.pipeline`): ask the model through
an executor (:mod:`nlpbench.running.asking`, :mod:`nlpbench.running.executors`), store
the predictions, score the cell (:mod:`nlpbench.running.cells`), run its audits →
compare, rank and report (:mod:`nlpbench.running.writing`).

A failure inside a cell (a model that can't load, a task or metric that raises) is
kept in that cell's results and the run goes on. Config and data errors found while
preparing (before any model runs) stop the run with a one-line error instead.
"""

from __future__ import annotations

import bisect
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlpbench.contracts.components import TaskSpec
from nlpbench.contracts.errors import ConfigError, NlpbenchError
from nlpbench.plugins.host import PluginHost
from nlpbench.results.documents import SamplesWriter, utc_now, write_results
from nlpbench.results.store import digest, store_path
from nlpbench.running.asking import Asker, Predicted
from nlpbench.running.auditing import AuditSettings
from nlpbench.running.batching import CHUNK_SIZE
from nlpbench.running.data_auditing import clean_subset_entries, log_data_audits, run_data_audits
from nlpbench.running.executors.base import Executor
from nlpbench.running.executors.local import LocalExecutor
from nlpbench.running.interrupts import Terminated
from nlpbench.running.interrupts import exit_code as interrupt_exit_code
from nlpbench.running.judging import Judged, JudgingContext, JudgingStage, check_judges
from nlpbench.running.log import RunLog
from nlpbench.running.pipeline import CellStats, Item, ModelPipeline, RunContext
from nlpbench.running.preparing import (
    PreparedTask,
    code_of,
    prepare_audits,
    prepare_reporters,
    prepare_task,
    recorded_metrics,
    select_examples,
)
from nlpbench.running.storing import SharedStore
from nlpbench.running.writing import check_writable, new_document, report, unwritable
from nlpbench.statistics.comparing import compare_cells, mark_tie_groups
from nlpbench.statistics.groups import group_entries
from nlpbench.statistics.ranking import rank_models
from nlpbench.suites.planning import plan
from nlpbench.suites.suite import AuditSpec, Suite

__all__ = ["CHUNK_SIZE", "Predicted", "PreparedTask", "RunOutcome", "Runner", "run_suite", "select_examples"]


#: How long a stopped run waits for its models' threads to store the batch they are
#: answering (a batch of a small model on CPU takes a few seconds; a GPU's, less).
JOIN_SECONDS = 30.0


@dataclass
class RunOutcome:
    """What a run produced."""

    results: dict[str, Any]
    out_dir: Path
    exit_code: int
    warnings: list[str] = field(default_factory=list)


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
        executor: Executor | None = None,
    ) -> None:
        self.suite = suite
        self.host = host
        self.out_dir = out_dir
        self.progress = progress
        #: the run's log; with ``debug`` it shows each failure's traceback as it happens
        self.log = RunLog(log, debug=debug)
        self.debug = debug
        self.store_path = store_path(out_dir, store)
        self.use_cache = use_cache
        #: where the models are loaded and asked (in this process unless told otherwise)
        self.executor: Executor = executor if executor is not None else LocalExecutor(host)
        self.store: SharedStore | None = None
        #: the models' threads, when models run side by side
        self._threads: list[threading.Thread] = []
        #: the digest of every cell's statistics and what compares them (the comparisons' key)
        self._statistics_key = ""
        self.run_id = 0
        self._cell_stats: CellStats = {}

    # -- preparing --------------------------------------------------------------

    def prepare_task(self, spec: TaskSpec) -> PreparedTask:
        """Load a task's examples and build its metrics (see :func:`nlpbench.running.preparing.prepare_task`)."""
        return prepare_task(spec, self.host)

    def prepare_audits(self) -> list[tuple[AuditSpec, str, Any]]:
        """Build every audit of the suite (see :func:`nlpbench.running.preparing.prepare_audits`)."""
        return prepare_audits(self.suite, self.host)

    def prepare_reporters(self) -> list[tuple[str, Any]]:
        """Build every reporter of the suite (see :func:`nlpbench.running.preparing.prepare_reporters`)."""
        return prepare_reporters(self.suite, self.host, self.out_dir)

    # -- running ----------------------------------------------------------------

    def run(self) -> RunOutcome:
        suite, host = self.suite, self.host
        cells = plan(suite, host)
        prepared = {spec.name: self.prepare_task(spec) for spec in suite.tasks}
        check_judges(suite, prepared, host)  # a judge the suite lacks stops the run now
        audits = self.prepare_audits()
        reporters = self.prepare_reporters()  # a reporter's bad option stops the run now, not at its end
        audited = run_data_audits(suite, prepared, audits, host)  # no model: a bad corpus stops the run now
        # nothing of the run is written before everything that can refuse it has: a corrupt
        # store must not leave a stub results.json, or replace a finished run's, in out_dir
        made = check_writable(self.out_dir)  # fail now, not after the first cell
        try:
            self.store = SharedStore(
                self.store_path
            )  # ConfigError for a corrupt or newer store, before any model loads
        except ConfigError:
            if made and not any(self.out_dir.iterdir()):
                self.out_dir.rmdir()
            raise
        tasks = {
            spec.name: {
                "type": spec.type,
                "metrics": self._recorded_metrics(spec),
                # the first metric decides the leaderboard's order and tie groups, and the ranking
                "primary_metric": next((r.name for r, _ in prepared[spec.name].metrics), None),
                **({"file": spec.source} if spec.source else {}),
                **({"group": spec.group} if spec.group else {}),
            }
            for spec in suite.tasks
        }
        store = {"path": str(self.store_path), "cache": self.use_cache}
        document = new_document(suite, host.versions(), tasks, store)
        try:
            write_results(self.out_dir, document)
        except OSError as error:
            self.store.close()
            raise unwritable(self.out_dir, error) from None
        self.run_id = self.store.start_run(self.out_dir, suite.name, suite.hash, document["started"])
        document["store"]["run_id"] = self.run_id
        samples = SamplesWriter(self.out_dir)
        exit_code = 0
        stop = threading.Event()
        context = RunContext(
            suite, host, self.executor, self.store,
            Asker(self.store, use_cache=self.use_cache, progress=self.progress, stop=stop),
            self.run_id, self.use_cache, self.log, self._cell_stats, stop,
        )  # fmt: skip
        pipelines = [
            ModelPipeline(context, spec, [c for c in cells if c.model is spec], prepared, audits)
            for spec in suite.models
        ]
        # cells and audits go into results.json in plan order, whichever model finishes first
        cell_order: list[tuple[int, int]] = []
        audit_blocks: list[tuple[tuple[int, int], list[dict[str, Any]]]] = []
        if audited:  # the data-only audits' entries come first, before every model's
            audit_blocks.append(((-1, 0), [entry for found in audited for entry in found.entries]))
            document["audits"] = list(audit_blocks[0][1])
            exit_code = max(exit_code, log_data_audits(audited, self.log))
        try:
            for order, (kind, payload, lines, replayed) in self._items(pipelines, stop):
                samples.write(lines)
                if kind == "cell":
                    at = bisect.bisect(cell_order, order)
                    cell_order.insert(at, order)
                    document["cells"].insert(at, payload)
                    self.log.cell(payload)
                    attributed = payload.get("attributions") or {}  # a failed attribution stage fails the run too
                    failed = payload["status"] == "failed" or attributed.get("status") == "failed"
                elif kind == "audit":
                    bisect.insort(audit_blocks, (order, payload), key=lambda block: block[0])
                    document["audits"] = [entry for _, entries in audit_blocks for entry in entries]
                    self.log.audit(payload)
                    failed = any(entry["reason"] and entry["reason"].startswith("failed") for entry in payload)
                else:  # a warning: a plugin's bug after the model's cells were done (its close())
                    document.setdefault("warnings", []).append(payload)
                    self.log(f"warning: {payload['warning']}")
                    self.log.traceback(payload["traceback"])
                    failed = True
                if not replayed:  # what the store served is still there if this run is killed: one write at the end
                    write_results(self.out_dir, document)
                if failed:
                    exit_code = 1
            judged = self._judge(context, prepared, document)
            samples.write(judged.lines)
            if judged.failed:
                exit_code = 1
            # comparisons and rankings read the cells' statistics in plan order, as cells are
            # written, whichever model finished first
            ordered = [(cell["model"], cell["task"]) for cell in document["cells"]]
            stats = {key: self._cell_stats[key] for key in ordered if key in self._cell_stats}
            self._cell_stats.clear()
            self._cell_stats.update(stats)
            settings = AuditSettings(suite.resamples, suite.confidence, suite.seed)  # each cell's clean-subset score
            document["audits"] += clean_subset_entries(audited, self._metrics(prepared), self._cell_stats, settings)
            document["comparisons"] = self._compare(prepared, document["cells"])
            document["ranking"] = self._rank(prepared, document["cells"], document["comparisons"])
            if suite.groups:
                document["groups"] = self._group_scores(prepared, document["cells"])
            document["status"] = "complete"
        except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM (see nlpbench.running.interrupts)
            document["status"] = "interrupted"
            exit_code = interrupt_exit_code(interrupt)
            how = "terminated (SIGTERM)" if isinstance(interrupt, Terminated) else "interrupted"
            kept = len(document["cells"])
            self.log(f"{how}: {kept} finished cell{'s' if kept != 1 else ''} kept; the same command resumes the run")
        except BaseException:  # beyond any one cell (the store's disk full, say): the run says it stopped
            document["status"] = "failed"
            raise
        finally:
            stop.set()  # model pipelines in threads stop after their batch in flight
            self._join_models()
            samples.close()
            document["finished"] = utc_now()
            write_results(self.out_dir, document)
            self.store.finish_run(self.run_id, document["finished"], document["status"])
            self.store.close()
            self.executor.shutdown()
        warnings = report(document, reporters, self.out_dir, self.log)  # an interrupted run is reported too
        if warnings and exit_code == 0:
            exit_code = 1
        return RunOutcome(document, self.out_dir, exit_code, warnings)

    def _items(self, pipelines: list[ModelPipeline], stop: threading.Event) -> Iterator[tuple[tuple[int, int], Item]]:
        """What the models' pipelines yield, each with its place in plan order (model, then
        its own sequence). One model after another when the executor takes one at a time
        (as before executors existed); else each model's pipeline in its own thread, at
        most ``models_at_once()`` together, their items handed over as they come."""
        at_once = max(1, self.executor.models_at_once())
        if at_once == 1 or len(pipelines) <= 1:
            for index, pipeline in enumerate(pipelines):
                for sequence, item in enumerate(pipeline.run()):
                    yield (index, sequence), item
            return
        handed: queue.Queue[tuple[int, int, Item | BaseException | None]] = queue.Queue()
        slots = threading.Semaphore(at_once)

        def run(index: int, pipeline: ModelPipeline) -> None:
            try:
                with slots:
                    for sequence, item in enumerate(pipeline.run()):
                        handed.put((index, sequence, item))
                        if stop.is_set():
                            return
            except BaseException as error:  # a bug of the runner's: raised again in the main thread
                handed.put((index, -1, error))
            finally:
                handed.put((index, -1, None))

        threads = self._threads = [
            threading.Thread(target=run, args=(i, p), name=f"nlpbench-model-{p.spec.name}", daemon=True)
            for i, p in enumerate(pipelines)
        ]
        for thread in threads:
            thread.start()
        running = len(threads)
        while running:
            index, sequence, got = handed.get()
            if got is None:
                running -= 1
            elif isinstance(got, BaseException):
                raise got
            else:
                yield (index, sequence), got

    def _judge(self, context: RunContext, prepared: Mapping[str, PreparedTask], document: dict[str, Any]) -> Judged:
        """The judging stage (:mod:`nlpbench.running.judging`), when a task has a judge metric."""
        if not context.answers:
            return Judged()
        assert self.store is not None and self.run_id is not None
        judging = JudgingContext(
            self.suite, self.host, self.executor, self.store, context.asker, self.run_id, self.log, self._cell_stats
        )
        judged = JudgingStage(judging, prepared, context.answers).run(document["cells"])
        if judged.judgements:
            document["judgements"] = judged.judgements
        write_results(self.out_dir, document)
        return judged

    def _join_models(self) -> None:
        """Wait (at most :data:`JOIN_SECONDS` in all) for the models' threads to store their
        batch in flight and end, so the store closes with no model writing to it; a thread
        still answering then is left (it is a daemon) and its batch asked again on resume."""
        deadline = time.monotonic() + JOIN_SECONDS
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0.0))
        busy = [t.name.removeprefix("nlpbench-model-") for t in self._threads if t.is_alive()]
        if busy:
            self.log(f"model{'s' if len(busy) > 1 else ''} {', '.join(busy)} still answering a batch: "
                     "it is asked again when the run resumes")  # fmt: skip

    def _recorded_metrics(self, spec: TaskSpec) -> dict[str, dict[str, Any]]:
        """The task's metrics as results record them; none where the task type's own
        ``default_metrics_for`` raised (its cells fail with that already)."""
        try:
            return recorded_metrics(spec, self.host.tasks.get(spec.type).component)
        except (KeyboardInterrupt, NlpbenchError):
            raise
        except BaseException:
            return {}

    def _metrics(self, prepared: Mapping[str, PreparedTask]) -> dict[str, list[tuple[str, Any]]]:
        return {spec.name: [(r.name, m) for r, m in prepared[spec.name].metrics] for spec in self.suite.tasks}

    def _compare(self, prepared: Mapping[str, PreparedTask], cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Every pair of models that answered a task, on each of its metrics (see
        :func:`nlpbench.statistics.comparing.compare_cells`); each ok cell's metrics get their ``tie_group``."""
        suite = self.suite
        # a digest of all they depend on: on an identical rerun the store gives them back
        # (they were 0.28 s of a 1.2 s cached rerun of the quick suite)
        key = digest({
            "comparisons": [[model, task, list(ids), stats] for (model, task), (ids, stats) in self._cell_stats.items()],
            "metrics": {spec.name: sorted(prepared[spec.name].metric_keys.items()) for spec in suite.tasks},
            "settings": [suite.seed, suite.resamples, suite.confidence, suite.correction, suite.alpha, suite.family],
            "code": code_of(self.host),
        })  # fmt: skip
        self._statistics_key = key
        entries = self.store.derived(key) if self.use_cache and self.store is not None else None
        if entries is None:
            warned: list[str] = []

            def log(line: str) -> None:
                warned.append(line)
                self.log(line)

            entries = compare_cells(
                self._metrics(prepared), self._cell_stats, suite_seed=suite.seed, resamples=suite.resamples,
                confidence=suite.confidence, correction=suite.correction, alpha=suite.alpha, family=suite.family,
                log=log,
            )  # fmt: skip
            if not warned and self.store is not None:  # a warning is said again on the next run
                self.store.save_derived(key, entries)
        mark_tie_groups(cells, entries, self.suite.alpha)
        return entries

    def _rank(
        self, prepared: Mapping[str, PreparedTask], cells: list[dict[str, Any]], entries: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Each model's rank per task on its primary metric, its mean rank with an interval,
        and the win matrix (see :func:`nlpbench.statistics.ranking.rank_models`). Kept in the
        store like the comparisons: it follows from the same statistics and the cells' statuses."""
        key = digest(["ranking", self._statistics_key, [(c["model"], c["task"], c["status"]) for c in cells]])
        ranking: dict[str, Any] | None = self.store.derived(key) if self.use_cache and self.store is not None else None
        if ranking is None:
            ranking = rank_models(
                self._metrics(prepared), self._cell_stats, entries, suite_seed=self.suite.seed,
                resamples=self.suite.resamples, confidence=self.suite.confidence, cells=cells,
            )  # fmt: skip
            if self.store is not None:
                self.store.save_derived(key, ranking)
        return ranking

    def _group_scores(self, prepared: Mapping[str, PreparedTask], cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each group's micro and macro means per model (see :mod:`nlpbench.statistics.groups`)."""
        return group_entries(
            self.suite.groups,
            cells,
            self._metrics(prepared),
            self._cell_stats,
            suite_seed=self.suite.seed,
            resamples=self.suite.resamples,
            confidence=self.suite.confidence,
        )


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
    executor: Executor | None = None,
) -> RunOutcome:
    """Run ``suite`` into ``out_dir`` (default ``runs/<suite name>``), keeping predictions
    in ``store`` (default: the run folder's own) and reusing them unless ``use_cache`` is off;
    with ``debug``, the traceback of each failure is logged as it happens. ``executor``
    says where models run (default: in this process, one after another)."""
    out = out_dir if out_dir is not None else Path("runs") / suite.name
    runner = Runner(
        suite, host, out, progress=progress, log=log, store=store, use_cache=use_cache, debug=debug, executor=executor
    )
    return runner.run()
