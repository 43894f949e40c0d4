"""Comparing the models of a run (or of several): every pair that answered a task, on
each of its metrics, from the per-example statistics the runner kept or the store holds.
The statistics themselves are in :mod:`nlpbench.statistics.significance`; docs/comparing.md says
what they mean."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from nlpbench.contracts.errors import one_line
from nlpbench.statistics.bootstrap import derived_seed

#: (model, task) → (example ids, {metric: statistics rows})
CellStats = Mapping[tuple[str, str], tuple[Sequence[str], Mapping[str, Sequence[Sequence[float]]]]]


def compare_cells(
    metrics: Mapping[str, Sequence[tuple[str, Any]]],
    cell_stats: CellStats,
    *,
    suite_seed: int,
    resamples: int,
    confidence: float,
    correction: str,
    alpha: float,
    family: str = "metric",
    log: Callable[[str], None] = lambda _: None,
) -> list[dict[str, Any]]:
    """The comparison entries of every task (``metrics``: task → its (name, metric) pairs)
    and pair of models that has statistics for it, each corrected within its ``family``
    (:data:`nlpbench.statistics.significance.FAMILIES`; :func:`nlpbench.statistics.significance.family_name`).

    Each task's bootstrap is seeded as the runner seeds its intervals, so a pair that
    shares every example is resampled exactly as each model's own interval was. Each
    family's randomization trials are enough for its smallest p-value to survive the
    correction, and depend on nothing outside the family, so a family compared alone
    (``nlpbench compare --metrics``) gets the p-values it got in the run."""
    from nlpbench.statistics.significance import adjust_family, compare_models, family_name, randomization_trials

    family_name(family, "", "")  # an unknown family is a ConfigError before any work
    sizes: dict[str, int] = {}
    for task, named in metrics.items():
        for metric_name, _ in named:
            count = sum(1 for (_, name), (_, stats) in cell_stats.items() if name == task and metric_name in stats)
            key = family_name(family, task, metric_name)
            sizes[key] = sizes.get(key, 0) + count * (count - 1) // 2
    entries: list[dict[str, Any]] = []
    for task, named in metrics.items():
        models = [model for (model, name) in cell_stats if name == task]
        if len(models) < 2:
            continue
        for metric_name, metric in named:
            per_model = {
                model: (list(ids), np.asarray(stats[metric_name], dtype=np.float64))
                for model in models
                for ids, stats in [cell_stats[(model, task)]]
                if metric_name in stats
            }
            if len(per_model) < 2:
                continue
            try:
                entries += compare_models(
                    per_model,
                    metric,
                    task=task,
                    metric_name=metric_name,
                    resamples=resamples,
                    trials=randomization_trials(sizes[family_name(family, task, metric_name)], alpha=alpha),
                    seed=derived_seed(suite_seed, task, "bootstrap"),
                    confidence=confidence,
                    correction=correction,
                    accuracy_like=bool(getattr(metric, "binary_outcomes", False)),
                    alpha=alpha,
                )
            except Exception as error:  # a comparison that cannot be made is a warning, not lost results
                log(f"warning: comparing models on {task} {metric_name}: {one_line(error)}")
    return adjust_family(entries, correction, alpha=alpha, family=family)


def mark_tie_groups(cells: list[dict[str, Any]], entries: Sequence[Mapping[str, Any]], alpha: float) -> None:
    """Number each ok cell's place in its task's tie groups, per metric: models that are not
    significantly different from the best of their group share a group (1 is the best)."""
    from nlpbench.statistics.significance import significance_from, tie_groups

    by_task: dict[str, list[dict[str, Any]]] = {}
    for cell in cells:
        if cell["status"] == "ok":
            by_task.setdefault(cell["task"], []).append(cell)
    for task, members in by_task.items():
        if len(members) < 2:
            continue
        for metric in sorted({m for cell in members for m in cell["metrics"]}):
            scored = [c for c in members if (c["metrics"].get(metric) or {}).get("value") is not None]
            if len(scored) < 2:
                continue
            higher = bool(scored[0]["metrics"][metric].get("higher_is_better", True))
            ranked = sorted(scored, key=lambda c: c["metrics"][metric]["value"], reverse=higher)
            significant = significance_from(list(entries), task=task, metric=metric, alpha=alpha)
            for cell, group in zip(ranked, tie_groups([c["model"] for c in ranked], significant), strict=True):
                cell["metrics"][metric]["tie_group"] = group
