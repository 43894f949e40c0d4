"""Ranking models across tasks: each model's rank on each task's primary metric, its
mean rank over the tasks it was ranked on with a bootstrap interval, and a win matrix
(on how many tasks one model is significantly better than another). Written to
results.json as ``ranking``; the report and the Python API read it. docs/comparing.md
says what it means."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from nlpbench.statistics.bootstrap import derived_seed, percentile_interval, resample_scores

#: (model, task) → (example ids, {metric: statistics rows}), as comparing.CellStats
CellStats = Mapping[tuple[str, str], tuple[Sequence[str], Mapping[str, Sequence[Sequence[float]]]]]


def primary_metrics(metrics: Mapping[str, Sequence[tuple[str, Any]]]) -> dict[str, str]:
    """Each task's primary metric: the first listed for it (tasks without metrics have none)."""
    return {task: named[0][0] for task, named in metrics.items() if named}


def ranks_of(scores: npt.NDArray[np.float64], higher_is_better: bool) -> npt.NDArray[np.float64]:
    """The rank (1 = best) of each row of ``scores`` (models × columns), column by column;
    tied scores share the mean of their places (2.5 for two tied for second), and a
    non-finite score (a resample the metric cannot score) ranks below every finite one."""
    signed = np.where(np.isfinite(scores), scores if higher_is_better else -scores, -np.inf)
    above = (signed[None, :, :] > signed[:, None, :]).sum(axis=1)  # models strictly better than each
    tied = (signed[None, :, :] == signed[:, None, :]).sum(axis=1) - 1  # others with the same score
    return np.asarray(1.0 + above + tied / 2.0, dtype=np.float64)


def _aligned(members: Sequence[str], task: str, cell_stats: CellStats, metric: str) -> dict[str, npt.NDArray[Any]]:
    """Each model's statistics rows on the examples every model answered, in the first
    model's order: within a run, every row of every model, so each model's resamples are
    those of its own interval."""
    ids = {model: list(cell_stats[(model, task)][0]) for model in members}
    common = set.intersection(*(set(found) for found in ids.values()))
    order = [example for example in ids[members[0]] if example in common]
    out = {}
    for model in members:
        row_of = {example: row for row, example in enumerate(ids[model])}
        stats = np.asarray(cell_stats[(model, task)][1][metric], dtype=np.float64)
        stats = stats[:, None] if stats.ndim == 1 else stats
        out[model] = stats[[row_of[example] for example in order]]
    return out


def rank_models(
    metrics: Mapping[str, Sequence[tuple[str, Any]]],
    cell_stats: CellStats,
    entries: Sequence[Mapping[str, Any]],
    *,
    suite_seed: int,
    resamples: int,
    confidence: float,
    cells: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The cross-task ranking of a run (``metrics``: task → its (name, metric) pairs, the
    first the task's primary metric; ``cell_stats``: each ok cell's per-example statistics;
    ``entries``: the run's comparisons, for the win matrix; ``cells``: the run's cells, to
    say which were left out and why).

    Each task's models are ranked on its primary metric, and ranked again on each of
    ``resamples`` resamples of the task's examples: the runner's own resamples
    (``derived_seed(suite_seed, task, "bootstrap")``), so each model's resampled scores
    are those of its interval. A model's mean rank is the mean of its ranks over the tasks
    it was ranked on, its interval the percentile interval of that mean over the
    resamples (tasks resampled independently). ``wins[a][b]`` counts the tasks on which
    ``a`` is significantly better than ``b`` on the primary metric (the comparison's
    ``better``, corrected in its family); ``shared[a][b]`` the tasks both were compared on.
    """
    primary = primary_metrics(metrics)
    left_out: list[dict[str, str]] = []
    for cell in cells:
        task, model = str(cell.get("task")), str(cell.get("model"))
        if task not in primary:
            continue
        if cell.get("status") != "ok":
            left_out.append({"model": model, "task": task, "reason": str(cell.get("status"))})
        elif primary[task] not in (cell_stats.get((model, task), ((), {}))[1]):
            left_out.append({"model": model, "task": task, "reason": f"{primary[task]} not computed"})
    metric_by_task: dict[str, str] = {}
    ranks: dict[str, dict[str, float]] = {}  # model → task → rank
    resampled: dict[str, list[npt.NDArray[np.float64]]] = {}  # model → each task's ranks per resample
    sizes: dict[str, int] = {}
    for task, name in primary.items():
        members = [model for (model, of) in cell_stats if of == task and name in cell_stats[(model, of)][1]]
        if not members:
            continue
        metric = dict(metrics[task])[name]
        higher = bool(getattr(metric, "higher_is_better", True))
        stats = _aligned(members, task, cell_stats, name)
        seed = derived_seed(suite_seed, task, "bootstrap")
        observed = np.array([[float(metric.aggregate(stats[model]))] for model in members])
        scored = [
            resample_scores(
                stats[model],
                metric.aggregate,
                resamples=resamples,
                seed=seed,
                aggregate_resamples=getattr(metric, "aggregate_resamples", None),
            )
            for model in members
        ]
        metric_by_task[task] = name
        sizes[task] = len(members)
        task_ranks = ranks_of(observed, higher)[:, 0]
        replicate_ranks = ranks_of(np.stack(scored), higher) if resamples > 0 and len(stats[members[0]]) > 1 else None
        for index, model in enumerate(members):
            ranks.setdefault(model, {})[task] = float(task_ranks[index])
            if replicate_ranks is not None:
                resampled.setdefault(model, []).append(replicate_ranks[index])
    models = []
    for model, by_task in ranks.items():
        low, high = (None, None)
        if len(resampled.get(model, [])) == len(by_task):  # every task of the model could be resampled
            low, high = percentile_interval(np.mean(resampled[model], axis=0), confidence)
        models.append(
            {
                "model": model,
                "mean_rank": float(np.mean(list(by_task.values()))),
                "ci_low": low,
                "ci_high": high,
                "ranks": by_task,
                "tasks": len(by_task),
            }
        )
    models.sort(key=lambda entry: (entry["mean_rank"], entry["model"]))
    names = [entry["model"] for entry in models]
    wins = {a: {b: 0 for b in names if b != a} for a in names}
    shared = {a: {b: 0 for b in names if b != a} for a in names}
    for comparison in entries:
        a, b = str(comparison.get("a")), str(comparison.get("b"))
        on_primary = metric_by_task.get(str(comparison.get("task"))) == comparison.get("metric")
        if not on_primary or a not in wins or b not in wins or a == b:
            continue
        if comparison.get("p_adjusted") is not None:
            shared[a][b] += 1
            shared[b][a] += 1
        if comparison.get("better") == "a":
            wins[a][b] += 1
        elif comparison.get("better") == "b":
            wins[b][a] += 1
    return {
        "metric_by_task": metric_by_task,
        "models_by_task": sizes,
        "confidence": confidence,
        "resamples": resamples,
        "models": models,
        "wins": wins,
        "shared": shared,
        "left_out": left_out,
        "note": _note(models, metric_by_task, left_out, confidence),
    }


def _note(
    models: Sequence[Mapping[str, Any]],
    metric_by_task: Mapping[str, str],
    left_out: Sequence[Mapping[str, str]],
    confidence: float,
) -> str:
    """One paragraph saying how to read the ranking, and what it leaves out."""
    text = (
        "Ranks on each task's primary metric (1 = best; tied scores share the mean of their places); "
        f"mean rank over the tasks a model was ranked on, with a {confidence:.0%} bootstrap interval "
        "(each task's examples resampled); wins: tasks on which the row's model is significantly better."
    )
    partial = [m for m in models if m["tasks"] < len(metric_by_task)]
    if partial:
        text += (
            f" {len(partial)} of {len(models)} models were ranked on only some of the {len(metric_by_task)} tasks: "
            "mean ranks over different tasks are not directly comparable."
        )
    if left_out:
        listed = ", ".join(f"{e['model']} on {e['task']} ({e['reason']})" for e in left_out)
        text += f" Left out: {listed}."
    return text
