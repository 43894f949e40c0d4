"""A group's aggregate scores (MMLU over its 57 subjects): per model and metric, the
micro mean (members weighted by their examples: for a metric that is a mean over
examples, such as ``acc``, the mean over all the members' examples pooled) and the
macro mean (each member counts once), each with a bootstrap interval.

The interval resamples every member's examples with the very resamples that gave the
member its own interval (the same seed), and combines the members' replicates as it
combines their scores. Resampling each member within itself keeps every member in
every resample, so the macro mean is defined on each one; for a pooled mean it is the
stratified bootstrap over the pooled examples.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from nlpbench.contracts.seeds import derived_seed
from nlpbench.statistics.bootstrap import percentile_interval, resample_scores
from nlpbench.suites.taskfiles import TaskGroup

#: (model, task) → (example ids, {metric: statistics rows}), as the runner keeps them.
CellStats = Mapping[tuple[str, str], tuple[Sequence[str], Mapping[str, Sequence[Sequence[float]]]]]


def _replicates(metric: Any, stats: npt.NDArray[np.float64], resamples: int, seed: int) -> npt.NDArray[np.float64]:
    """The metric on each of the member's bootstrap resamples (as :func:`nlpbench.statistics.bootstrap.bootstrap` draws them)."""
    fast = getattr(metric, "aggregate_resamples", None)
    return resample_scores(
        stats, metric.aggregate, resamples=resamples, seed=seed, aggregate_resamples=fast if callable(fast) else None
    )


def _summary(value: float, replicates: npt.NDArray[np.float64] | None, confidence: float) -> dict[str, Any]:
    low, high = percentile_interval(replicates, confidence) if replicates is not None else (None, None)
    return {"value": value if np.isfinite(value) else None, "ci_low": low, "ci_high": high}


def group_entries(
    groups: Sequence[TaskGroup],
    cells: Sequence[Mapping[str, Any]],
    metrics: Mapping[str, Sequence[tuple[str, Any]]],
    cell_stats: CellStats,
    *,
    suite_seed: int,
    resamples: int,
    confidence: float,
) -> list[dict[str, Any]]:
    """One entry per group and model that answered any of its members: ``group``,
    ``model``, ``members``, ``n`` (examples over all members), ``status`` (``ok`` when
    every member's cell is ok, else ``incomplete`` with ``reason``) and ``metrics``:
    per metric every member has, ``micro`` and ``macro`` (each ``value``, ``ci_low``,
    ``ci_high``), ``higher_is_better`` and the members' own values."""
    entries = []
    by_cell = {(cell["model"], cell["task"]): cell for cell in cells}
    for group in groups:
        models = list(dict.fromkeys(cell["model"] for cell in cells if cell["task"] in group.members))
        shared = [name for name, _ in metrics.get(group.members[0], ())]
        for member in group.members[1:]:
            shared = [name for name in shared if name in {n for n, _ in metrics.get(member, ())}]
        for model in models:
            entry: dict[str, Any] = {"group": group.name, "model": model, "members": list(group.members)}
            missing = [m for m in group.members if (by_cell.get((model, m)) or {}).get("status") != "ok"]
            if missing:
                statuses = ", ".join(
                    f"{m} ({(by_cell.get((model, m)) or {}).get('status', 'not run')})" for m in missing
                )
                entries.append(
                    {
                        **entry,
                        "status": "incomplete",
                        "n": None,
                        "metrics": {},
                        "reason": f"not every member is ok: {statuses}",
                    }
                )
                continue
            sizes = np.array([len(cell_stats[(model, m)][0]) for m in group.members], dtype=np.float64)
            scores: dict[str, Any] = {}
            for name in shared:
                metric = dict(metrics[group.members[0]])[name]
                values, replicates = [], []
                for member in group.members:
                    rows = cell_stats[(model, member)][1].get(name)
                    if rows is None:  # not computed for this member (no probabilities)
                        break
                    stats = np.asarray(rows, dtype=np.float64)
                    member_metric = dict(metrics[member])[name]
                    values.append(float(member_metric.aggregate(stats)))
                    if resamples and len(stats) > 1:
                        seed = derived_seed(suite_seed, member, "bootstrap")
                        replicates.append(_replicates(member_metric, stats, resamples, seed))
                    elif resamples:  # one example resamples to itself: the member adds no spread
                        replicates.append(np.full(resamples, values[-1]))
                if len(values) != len(group.members):
                    continue
                member_values = np.array(values)
                stacked = np.vstack(replicates) if len(replicates) == len(values) else None
                scores[name] = {
                    "micro": _summary(
                        float(sizes @ member_values / sizes.sum()),
                        sizes @ stacked / sizes.sum() if stacked is not None else None,
                        confidence,
                    ),
                    "macro": _summary(
                        float(member_values.mean()), stacked.mean(axis=0) if stacked is not None else None, confidence
                    ),
                    "higher_is_better": bool(getattr(metric, "higher_is_better", True)),
                    "members": dict(zip(group.members, (v if np.isfinite(v) else None for v in values), strict=True)),
                }
            if not scores:
                reason = (
                    "its members share no metric to aggregate"
                    if not shared
                    else "no metric was computed for every member"
                )
                entries.append(
                    {**entry, "status": "incomplete", "n": int(sizes.sum()), "metrics": {}, "reason": reason}
                )
                continue
            entries.append({**entry, "status": "ok", "n": int(sizes.sum()), "metrics": scores, "reason": None})
    return entries
