"""Data-only audits: checks of a task's data that ask no model (duplicates, leakage
between splits, contamination, label balance), run once per task, not once per model.

An audit type says it is one with ``data_only = True`` and an
``audit_data(DataAuditInput) -> DataAuditResult`` method. The runner runs these before
any model loads (a corpus that is not UTF-8 stops the run there, like any data error)
and, once the models have answered, scores each ok cell again on the clean subset the
audit names (:func:`clean_subset_entries`); ``nlpbench data audit`` runs the same
without a run, or against a finished one (``--run``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlpbench.contracts.components import DataAuditInput, DataAuditResult, Example
from nlpbench.contracts.errors import ConfigError, DataError, NlpbenchError, one_line
from nlpbench.running.auditing import AuditSettings
from nlpbench.running.failures import Failure
from nlpbench.running.preparing import PreparedTask
from nlpbench.statistics.bootstrap import block_rows, derived_seed, percentile_interval
from nlpbench.suites.suite import AuditSpec, Suite

#: The fields every data-quality entry has, in the order results.json lists them.
ENTRY_FIELDS = (
    "audit", "model", "task", "check", "group", "measure", "value", "ci_low", "ci_high", "n", "n_affected",
    "example_ids", "reason",
)  # fmt: skip

#: (model, task) → the example ids and each metric's statistics rows (as the runner keeps them)
CellStats = Mapping[tuple[str, str], tuple[Sequence[str], Mapping[str, Sequence[Sequence[float]]]]]


def is_data_only(audit: Any) -> bool:
    """Whether ``audit`` (a class or an instance) audits data without a model."""
    return bool(getattr(audit, "data_only", False))


@dataclass
class DataAudited:
    """One data-only audit's findings on one task, as results keep them."""

    audit: str
    task: str
    entries: list[dict[str, Any]]
    #: the examples a clean subset leaves out (None: the audit did not look)
    excluded: frozenset[str] | None = None
    excluded_because: str = ""


def train_split(task: Any, test: Sequence[Example], kind: str | None = None) -> Sequence[Example]:
    """The task's train split: ``train_examples()`` (what ``nlpbench finetune`` trains
    on) and ``train_pool()`` (the few-shot pool), both when the task has both.
    ConfigError saying why when it has none (``kind``: the task's type, to name),
    including a pool that is the test split itself (lm-evaluation-harness's convention
    for datasets without a train split): that is no leak, only no train split."""
    found: dict[str, Example] = {}  # the train split and the few-shot pool, both (one example once)
    pool_is_test = False
    for method in ("train_examples", "train_pool"):
        read = getattr(task, method, None)
        if callable(read):
            examples = list(read())
            if method == "train_pool" and examples and {e.id for e in examples} <= {e.id for e in test}:
                pool_is_test = True
                continue
            for example in examples:
                found.setdefault(example.id, example)
    if found:
        return list(found.values())
    if pool_is_test:
        raise ConfigError("its few-shot pool is the test split itself: there is no separate train split")
    raise ConfigError(f"task type '{kind}' has no train split" if kind else "the task has no train split")


def entry(audit: str, task: str, found: Mapping[str, Any]) -> dict[str, Any]:
    """An audit's finding as a results.json ``audits`` entry: every field of
    :data:`ENTRY_FIELDS` (null where the finding has none), then the finding's own."""
    base: dict[str, Any] = {key: None for key in ENTRY_FIELDS}
    base.update({"audit": audit, "model": None, "task": task, "n": 0, "n_affected": 0})
    base.update({k: v for k, v in found.items() if k not in ("audit", "task")})
    return base


def _failed(audit: str, task: str, failure: Failure) -> DataAudited:
    reason = f"failed: {failure.error}"
    # ``check: audit``: the whole audit failed; it is a data-quality entry all the same (its panel, its table)
    found = entry(audit, task, {"check": "audit", "reason": reason})
    return DataAudited(audit, task, [{**found, "traceback": failure.traceback}])


def audit_task_data(name: str, audit: Any, where: str, task: PreparedTask, suite: Suite) -> DataAudited:
    """One data-only audit of one prepared task. The user's mistakes (a corpus that is
    not UTF-8, a file that is not there) raise ConfigError/DataError naming ``where``;
    the audit's own bug becomes a failed entry."""
    spec = task.spec
    if isinstance(audit, Failure):
        return _failed(name, spec.name, audit)
    if task.failure is not None:
        reason = f"not computed: the task could not be loaded ({task.failure.error})"
        return DataAudited(name, spec.name, [entry(name, spec.name, {"reason": reason})])
    labels = getattr(task.instance, "labels", None)
    data = DataAuditInput(
        task=spec.name,
        examples=tuple(task.examples),
        train=lambda: train_split(task.instance, task.examples, spec.type),
        labels=tuple(str(label) for label in labels) if isinstance(labels, (list, tuple)) else None,
        models=tuple(suite.models),
        base_dir=suite.path.parent,
    )
    try:
        result = audit.audit_data(data)
        if not isinstance(result, DataAuditResult):
            raise TypeError(f"audit_data() gave {type(result).__name__}, not a DataAuditResult")
        entries = [entry(name, spec.name, dict(found)) for found in result.entries]
    except (ConfigError, DataError) as error:
        raise type(error)(f"{where}: task '{spec.name}': {one_line(error)}") from error
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # the audit's bug (an AuditError included): this task's entry says so
        return _failed(name, spec.name, Failure.of(error, "" if isinstance(error, NlpbenchError) else "auditing data"))
    return DataAudited(name, spec.name, entries, result.excluded, result.excluded_because)


def run_data_audits(
    suite: Suite, prepared: Mapping[str, PreparedTask], audits: Sequence[tuple[AuditSpec, str, Any]], host: Any
) -> list[DataAudited]:
    """Every data-only audit of ``audits`` over each task it selects, in suite order."""
    found = []
    for index, (spec, name, audit) in enumerate(audits):
        built = host.audits.get(spec.type).component if isinstance(audit, Failure) else audit
        if not is_data_only(built):
            continue
        for task in suite.tasks:
            if spec.tasks and task.name not in spec.tasks:
                continue
            found.append(audit_task_data(name, audit, f"audits[{index}] ({name})", prepared[task.name], suite))
    return found


def clean_subset_entries(
    audited: Sequence[DataAudited],
    metrics: Mapping[str, Sequence[tuple[str, Any]]],
    cell_stats: CellStats,
    settings: AuditSettings,
) -> list[dict[str, Any]]:
    """Per data-only audit that named a clean subset, per ok cell of its task and per
    metric: the metric on the clean subset minus the metric on every example, with a
    paired bootstrap interval (the same draws for both: the clean examples and the others
    are each resampled on their own, so every replicate has as many of each as the data;
    the full score of a replicate is over both draws, the clean score over the first)."""
    entries: list[dict[str, Any]] = []
    for found in audited:
        if found.excluded is None:
            continue
        cells = [(model, ids, stats) for (model, task), (ids, stats) in cell_stats.items() if task == found.task]
        for model, ids, stats in cells:
            for metric_name, metric in metrics.get(found.task, ()):
                if metric_name not in stats:
                    continue
                entries.append(
                    _clean_entry(found, model, metric_name, metric, list(ids), np.asarray(stats[metric_name]), settings)
                )
    return entries


def _clean_entry(
    found: DataAudited, model: str, name: str, metric: Any, ids: list[str], rows: Any, settings: AuditSettings
) -> dict[str, Any]:
    assert found.excluded is not None
    left_out = np.array([i in found.excluded for i in ids], dtype=bool)
    clean, dirty = np.flatnonzero(~left_out), np.flatnonzero(left_out)
    measure = f"metric:{name} (clean - full)"
    base = entry(found.audit, found.task, {
        "model": model, "check": "clean-subset", "group": "clean - full", "measure": measure, "n": len(ids),
        "n_affected": int(dirty.size), "n_clean": int(clean.size),
        "example_ids": [ids[i] for i in dirty[:20]], "info": {"excluded": found.excluded_because},
    })  # fmt: skip
    if not dirty.size:
        return {
            **base,
            "reason": "not computed: no example of this cell is left out (the clean subset is every example)",
        }
    if not clean.size:
        return {**base, "reason": "not computed: every example of this cell is left out (no clean subset)"}
    try:
        full, kept = float(metric.aggregate(rows)), float(metric.aggregate(rows[clean]))
        replicates = _replicates(metric, rows, clean, dirty, settings, derived_seed(settings.seed, found.task, "clean"))
    except Exception as error:  # a metric undefined on the subset: said, never a zero
        return {**base, "reason": f"not computed: {one_line(error)}"}
    if not (np.isfinite(full) and np.isfinite(kept)):
        return {**base, "reason": "not computed: the metric is undefined on the clean subset or on every example"}
    low, high = percentile_interval(replicates, settings.confidence)
    return {
        **base, "value": kept - full, "ci_low": low, "ci_high": high, "full_value": full, "clean_value": kept,
        "interval": "paired-bootstrap",
    }  # fmt: skip


def _replicates(metric: Any, rows: Any, clean: Any, dirty: Any, settings: AuditSettings, seed: int) -> Any:
    """Per resample, the clean score minus the full score, a block of resamples at a time."""
    many = getattr(metric, "aggregate_resamples", None)

    def score(draws: Any) -> Any:
        if callable(many):
            return np.asarray(many(rows, draws), dtype=np.float64).reshape(-1)
        return np.array([metric.aggregate(rows[row]) for row in draws], dtype=np.float64)

    rng_clean, rng_dirty = np.random.default_rng([seed, 0]), np.random.default_rng([seed, 1])
    per_block = block_rows(len(rows))
    out = []
    for start in range(0, settings.resamples, per_block):
        size = min(per_block, settings.resamples - start)
        drawn_clean = clean[rng_clean.integers(0, clean.size, size=(size, clean.size))]
        drawn_dirty = dirty[rng_dirty.integers(0, dirty.size, size=(size, dirty.size))]
        out.append(score(drawn_clean) - score(np.hstack([drawn_clean, drawn_dirty])))
    return np.concatenate(out) if out else np.zeros(0)


def log_data_audits(audited: Sequence[DataAudited], log: Any) -> int:
    """One line per audited task on the run's log (each failure's traceback with
    ``--debug``); 1 when an audit failed (the run's exit code), else 0."""
    failed = 0
    for found in audited:
        problems = [e for e in found.entries if str(e.get("reason") or "").startswith("failed")]
        for problem in problems:
            log.traceback(problem.get("traceback"))
        if problems:
            failed = 1
            log(f"audit   {found.task} (data) audit {found.audit}: {problems[0]['reason']}")
            continue
        flagged = sum(1 for e in found.entries if e.get("example_ids"))
        log(f"audit   {found.task} (data) audit {found.audit}: {len(found.entries)} entries, {flagged} flag examples")
    return failed


def audit_suite(suite_path: Path, host: Any, run_dir: Path | None = None) -> tuple[list[dict[str, Any]], int]:
    """``nlpbench data audit``: the suite's data-only audits (each installed data-only
    audit type with its defaults when the suite names none) over its tasks, no model
    loaded; with ``run_dir``, each ok cell of that run scored again on the clean subset.
    The entries, and 1 when an audit failed (else 0). ConfigError/DataError for the
    user's mistakes."""
    import dataclasses

    from nlpbench.results.runs import read_results, stored_statistics
    from nlpbench.running.preparing import prepare_audits, prepare_task
    from nlpbench.suites.suite import load_suite

    suite = load_suite(suite_path, host)
    named = tuple(spec for spec in suite.audits if is_data_only(host.audits.get(spec.type).component))
    if not named:
        named = tuple(AuditSpec(type=item.name) for item in host.audits if is_data_only(item.component))
    if not named:
        raise ConfigError("no data-only audit is installed (the data-quality audit: pip install nlpbench-dataquality)")
    audits = prepare_audits(dataclasses.replace(suite, audits=named), host)
    wanted = {task for spec in named for task in spec.tasks} if all(spec.tasks for spec in named) else None
    prepared = {
        spec.name: prepare_task(spec, host) for spec in suite.tasks if wanted is None or spec.name in wanted
    }  # fmt: skip
    suite = dataclasses.replace(suite, tasks=tuple(spec for spec in suite.tasks if spec.name in prepared))
    audited = run_data_audits(suite, prepared, audits, host)
    entries = [entry for found in audited for entry in found.entries]
    if run_dir is not None:
        metrics, cell_stats = stored_statistics(run_dir, host)
        results = read_results(run_dir)
        bootstrap = results.get("bootstrap") or {}
        settings = AuditSettings(
            int(bootstrap.get("resamples", suite.resamples)),
            float(bootstrap.get("confidence", suite.confidence)),
            int((results.get("suite") or {}).get("seed", suite.seed)),
        )
        entries += clean_subset_entries(audited, metrics, cell_stats, settings)
    failed = any(str(e.get("reason") or "").startswith("failed") for e in entries)
    return entries, int(failed)
