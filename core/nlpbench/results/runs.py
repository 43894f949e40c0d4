"""Working with finished runs from their folders and stores, without loading any model:
``nlpbench rescore`` (metrics and intervals again from the stored predictions) and
``nlpbench compare`` (paired comparisons within and across runs)."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpbench.contracts.errors import ConfigError, DataError, MetricError, MetricNotComputed, NlpbenchError, one_line
from nlpbench.plugins.builtin.judges import is_judge
from nlpbench.plugins.host import PluginHost
from nlpbench.results.documents import RESULTS_FILE, jsonable, write_results
from nlpbench.results.store import STORE_FILE, Store
from nlpbench.running.scoring import corpus_only_flag, metric_stats, not_computed_entry
from nlpbench.statistics.bootstrap import bootstrap, derived_seed
from nlpbench.statistics.comparing import compare_cells, mark_tie_groups
from nlpbench.statistics.groups import group_entries
from nlpbench.statistics.ranking import rank_models
from nlpbench.suites.taskfiles import TaskGroup


@dataclass
class StoredRun:
    """A run folder: its results and where its per-example records are."""

    folder: Path
    results: dict[str, Any]
    store: Path
    run_id: int


def read_results(folder: Path) -> dict[str, Any]:
    """The results.json of the run in ``folder``; DataError (one line) when there is none."""
    path = folder / RESULTS_FILE
    if not path.is_file():
        raise DataError(f"{folder}: not a run folder (no {RESULTS_FILE})")
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(f"{path}: not readable results ({one_line(error)})") from None
    if not isinstance(results, dict) or not isinstance(results.get("cells"), list):
        raise DataError(f"{path}: not nlpbench results (no list of cells)")
    return results


def open_run(folder: Path) -> StoredRun:
    """The run in ``folder``; DataError (one line) when it is not a run or lacks its store."""
    path = folder / RESULTS_FILE
    results = read_results(folder)
    stored = results.get("store") or {}
    if "run_id" not in stored:
        raise DataError(f"{path}: this run kept no store (made by an nlpbench without one); run it again")
    store = Path(stored.get("path") or folder / STORE_FILE)
    if not store.is_file():
        local = folder / STORE_FILE
        store = local if local.is_file() else store
    if not store.is_file():
        raise DataError(f"{folder}: the run's store {store} is missing")
    return StoredRun(folder, results, store, int(stored["run_id"]))


def _metrics_for(run: StoredRun, host: PluginHost, task: str, names: Sequence[str] | None) -> list[tuple[str, Any]]:
    """The metric instances a task is scored with: ``names`` (default options), or the
    ones the run used, with their options."""
    used: Mapping[str, Mapping[str, Any]] = (run.results.get("tasks") or {}).get(task, {}).get("metrics") or {}
    wanted = {name: used.get(name, {}) for name in names} if names else dict(used)
    built = []
    for label, recorded in wanted.items():
        options = {k: v for k, v in recorded.items() if k != "name"}
        registered = host.metrics.get(str(recorded.get("name", label)))  # ConfigError with a suggestion for a typo
        try:
            built.append((label if "name" in recorded else registered.name, registered.component(**options)))
        except NlpbenchError as error:
            raise ConfigError(f"metric '{registered.name}': {error}") from error
    return built


def rescore(
    folder: Path, host: PluginHost, metrics: Sequence[str] | None = None, log: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    """Recompute every ok cell's metrics and intervals (and the run's comparisons) from
    the stored predictions, with the run's metrics or ``metrics``; rewrite results.json
    and the store's records. No model is loaded."""
    run = open_run(folder)
    results = run.results
    seed = int(results.get("suite", {}).get("seed", 0))
    settings = results.get("bootstrap") or {}
    resamples, confidence = int(settings.get("resamples", 1000)), float(settings.get("confidence", 0.95))
    comparing = results.get("comparing") or {}
    correction, alpha = str(comparing.get("correction", "holm")), float(comparing.get("alpha", 0.05))
    family = str(comparing.get("family", "metric"))
    tasks = sorted({cell["task"] for cell in results["cells"] if cell["status"] == "ok"})
    built = {task: _metrics_for(run, host, task, metrics) for task in tasks}
    cell_stats: dict[tuple[str, str], tuple[list[str], dict[str, list[list[float]]]]] = {}
    with Store(run.store, create=False) as store:
        for cell in results["cells"]:
            if cell["status"] != "ok":
                continue
            rows = store.cell_examples(run.run_id, cell["model"], cell["task"])
            if not rows:
                raise DataError(f"{folder}: the store has no examples of {cell['model']} × {cell['task']}")
            ids = [r[0] for r in rows]
            predictions = [r[1] for r in rows]
            references = [r[2] for r in rows]
            scores: dict[str, Any] = {}
            stats_by_metric: dict[str, list[list[float]]] = {}
            cell_key = _cell_key_of(store, run.run_id, cell)
            probabilities = store.cell_probabilities(cell_key, ids)
            for name, metric in built[cell["task"]]:
                if is_judge(metric):  # the judge's verdicts, not the predictions, are what it scores
                    kept = [r[3][name] for r in rows if r[3].get(name) is not None]
                    if name in cell["metrics"] and len(kept) == len(rows):
                        scores[name], stats_by_metric[name] = cell["metrics"][name], kept
                    else:
                        reason = "a judge's score comes from its verdicts in a run: run the suite again"
                        scores[name] = not_computed_entry(metric, reason)
                    continue
                try:
                    stats = metric_stats(metric, name, predictions, references, probabilities)
                except MetricNotComputed as error:
                    scores[name] = not_computed_entry(metric, str(error))
                    continue
                except MetricError as error:
                    raise MetricError(f"{cell['model']} × {cell['task']}: {error}") from error
                estimate = bootstrap(
                    stats,
                    metric.aggregate,
                    resamples=resamples,
                    confidence=confidence,
                    seed=derived_seed(seed, cell["task"], "bootstrap"),
                    aggregate_resamples=getattr(metric, "aggregate_resamples", None),
                )
                describe = getattr(metric, "describe", None)
                scores[name] = {
                    "value": estimate.value,
                    "ci_low": estimate.ci_low,
                    "ci_high": estimate.ci_high,
                    "higher_is_better": bool(metric.higher_is_better),
                    "scale": list(metric.scale),
                    **corpus_only_flag(metric),
                    **({"info": dict(describe())} if callable(describe) else {}),
                }
                stats_by_metric[name] = stats.tolist()
            cell["metrics"] = json.loads(json.dumps(jsonable(scores)))
            cell_stats[(cell["model"], cell["task"])] = (ids, stats_by_metric)
            store.save_cell(
                run.run_id,
                cell,
                cell_key,
                [
                    (i, p, r, {m: s[k] for m, s in stats_by_metric.items()})
                    for k, (i, p, r) in enumerate(zip(ids, predictions, references, strict=True))
                ],
            )
    # in the suite's order, as the runner compares and ranks them
    order = [task for task in results.get("tasks") or {} if task in built]
    named = {task: built[task] for task in [*order, *(task for task in tasks if task not in order)]}
    results["comparisons"] = compare_cells(
        named,
        cell_stats,
        suite_seed=seed,
        resamples=resamples,
        confidence=confidence,
        correction=correction,
        alpha=alpha,
        family=family,
        log=log,
    )
    results["comparing"] = {**comparing, "correction": correction, "alpha": alpha, "family": family}
    mark_tie_groups(results["cells"], results["comparisons"], alpha)
    for task, named_metrics in named.items():  # the first metric scored leads the leaderboard
        if named_metrics and task in (results.get("tasks") or {}):
            results["tasks"][task]["primary_metric"] = named_metrics[0][0]
    results["ranking"] = rank_models(
        named,
        cell_stats,
        results["comparisons"],
        suite_seed=seed,
        resamples=resamples,
        confidence=confidence,
        cells=results["cells"],
    )
    if results.get("task_groups"):
        groups = [TaskGroup(name, tuple(g["members"])) for name, g in results["task_groups"].items()]
        results["groups"] = group_entries(
            groups, results["cells"], named, cell_stats, suite_seed=seed, resamples=resamples, confidence=confidence
        )
    results["rescored"] = {"metrics": list(metrics) if metrics else None}
    write_results(folder, results)
    return results


def _cell_key_of(store: Store, run_id: int, cell: Mapping[str, Any]) -> str:
    row = store.db.execute(
        "SELECT cell_key FROM cells WHERE run_id = ? AND model = ? AND task = ?", (run_id, cell["model"], cell["task"])
    ).fetchone()
    return str(row[0]) if row else ""


def run_labels(folders: Sequence[Path]) -> list[str]:
    """Short names telling the run folders apart: the folder's name, with as many of its
    parents as it takes (``a/run`` and ``b/run``)."""
    parts = [folder.resolve().parts for folder in folders]
    for depth in range(1, max(len(p) for p in parts) + 1):
        labels = ["/".join(p[-depth:]) for p in parts]
        if len(set(labels)) == len(labels):
            return labels
    return [f"run{index + 1}" for index in range(len(folders))]  # the same folder twice


def model_labels(runs: Sequence[StoredRun]) -> list[dict[str, str]]:
    """Per run, each model's name in comparisons across ``runs``: its own, or, when
    another run has a model of that name, prefixed with its run's label (``a/run/wordlist``)."""
    labels = run_labels([run.folder for run in runs])
    models = [{cell["model"] for cell in run.results["cells"]} for run in runs]
    # a name is ambiguous only across runs: one model answering several tasks is still one model
    clash = {name for index, names in enumerate(models) for name in names if any(name in m for m in models[:index])}
    return [
        {name: f"{label}/{name}" if name in clash else name for name in names}
        for label, names in zip(labels, models, strict=True)
    ]


def compare_runs(
    folders: Sequence[Path],
    host: PluginHost,
    *,
    correction: str | None = None,
    alpha: float | None = None,
    family: str | None = None,
    metrics: Sequence[str] | None = None,
    tasks: Collection[str] | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> list[dict[str, Any]]:
    """Paired comparisons of every model of the runs in ``folders`` on the tasks they
    share (by task name; only ``tasks`` when given), from their stored statistics. Models
    of different runs that answered different examples are compared on the examples both
    answered; each entry says how many were dropped. A model name used by two runs is
    told apart by its run folder's name (:func:`model_labels`)."""
    runs = [open_run(folder) for folder in folders]
    first = runs[0].results
    correction = correction or str((first.get("comparing") or {}).get("correction", "holm"))
    alpha = alpha if alpha is not None else float((first.get("comparing") or {}).get("alpha", 0.05))
    # the run's family, so a (task, metric) compared here gets the run's verdict
    family = family or str((first.get("comparing") or {}).get("family", "metric"))
    seed = int(first.get("suite", {}).get("seed", 0))
    settings = first.get("bootstrap") or {}
    labels = model_labels(runs)
    cell_stats: dict[tuple[str, str], tuple[list[str], dict[str, list[list[float]]]]] = {}
    built: dict[str, list[tuple[str, Any]]] = {}
    for run, label_of in zip(runs, labels, strict=True):
        # read only: comparing writes nothing, so a run on a read-only filesystem compares too
        with Store(run.store, read_only=True) as store:
            for cell in run.results["cells"]:
                if cell["status"] != "ok" or (tasks is not None and cell["task"] not in tasks):
                    continue
                task = cell["task"]
                if task not in built:
                    built[task] = _metrics_for(run, host, task, metrics)
                rows = store.cell_examples(run.run_id, cell["model"], task)
                label = label_of[cell["model"]]
                ids = [r[0] for r in rows]
                stats = {name: [r[3][name] for r in rows] for name, _ in built[task] if rows and name in rows[0][3]}
                cell_stats[(label, task)] = (ids, stats)
    entries = compare_cells(
        built,
        cell_stats,
        suite_seed=seed,
        resamples=int(settings.get("resamples", 1000)),
        confidence=float(settings.get("confidence", 0.95)),
        correction=correction,
        alpha=alpha,
        family=family,
        log=log,
    )
    noted: set[tuple[str, str, str]] = set()
    for entry in entries:
        pair = (entry["task"], entry["a"], entry["b"])
        if entry.get("n_dropped") and pair not in noted:
            noted.add(pair)
            log(
                f"note: {entry['task']}: {entry['a']} and {entry['b']} are compared on the {entry['n']} examples both "
                f"answered ({entry['n_dropped']} dropped)"
            )
    return entries


def stored_statistics(
    folder: Path, host: PluginHost
) -> tuple[dict[str, list[tuple[str, Any]]], dict[tuple[str, str], tuple[list[str], dict[str, list[list[float]]]]]]:
    """The run's metrics per task (with its options) and each ok cell's example ids and
    per-example statistics rows, as the store kept them: what a data audit's clean-subset
    rescoring of a finished run reads (``nlpbench data audit --run``). Read only."""
    run = open_run(folder)
    built: dict[str, list[tuple[str, Any]]] = {}
    cell_stats: dict[tuple[str, str], tuple[list[str], dict[str, list[list[float]]]]] = {}
    with Store(run.store, read_only=True) as store:
        for cell in run.results["cells"]:
            if cell["status"] != "ok":
                continue
            task = cell["task"]
            if task not in built:
                built[task] = _metrics_for(run, host, task, None)
            rows = store.cell_examples(run.run_id, cell["model"], task)
            stats = {name: [r[3][name] for r in rows] for name, _ in built[task] if rows and name in rows[0][3]}
            cell_stats[(cell["model"], task)] = ([r[0] for r in rows], stats)
    return built, cell_stats
