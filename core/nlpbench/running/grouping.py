"""Grouping audits: a cell's own predictions broken down by a group each example carries
(a speaker's gender kept with ``data.keep``, say). Nothing is asked of the model again.

Per group, each of the audit's own measures (a proportion gets the exact
Clopper–Pearson interval, a mean a percentile bootstrap) and each of the cell's
metrics (``metric:<name>``, the metric's own aggregate over the group's rows, with a
percentile bootstrap). Across groups, for each of them: the gap (``gap:<measure>``, the
largest group value minus the smallest) and every pairwise difference
(``difference:<measure>``, group ``a - b``), each with an interval from a stratified
bootstrap: every group resampled on its own, with the same draws for every measure of
that group, so the gap's interval is that of the groups' own estimates.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlpbench.contracts.components import Example
from nlpbench.contracts.errors import AuditError, NlpbenchError, one_line
from nlpbench.running.auditing import AuditSettings, accepts, failed_entry, with_info
from nlpbench.statistics.bootstrap import clopper_pearson, derived_seed, percentile_interval, resample_indices

#: How many groups at most get pairwise differences (k groups give k(k-1)/2 of them).
MAX_PAIRWISE_GROUPS = 8


@dataclass
class _Series:
    """One measure in one group: its value and its bootstrap replicates."""

    value: float | None
    resampled: Any  # (resamples,) floats; empty when there are none
    n: int
    k: int | None = None  # events, for a proportion


def run_grouped_audit(
    name: str,
    audit: Any,
    model: str,
    task: str,
    examples: Sequence[Example],
    predictions: Sequence[Any],
    settings: AuditSettings,
    metrics: Sequence[tuple[str, Any, Sequence[Sequence[float]]]] = (),
    labels: Sequence[str] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The audit's entries for ``results.json`` and its lines for ``samples.jsonl``.

    ``audit.partition(example)`` names each example's group (None: it has none and is
    left out); the optional ``audit.measure_example(example, prediction)`` gives the
    audit's own per-example values (it gets the task's ``labels`` too where it takes
    that keyword: a classification task's label names, else None). ``metrics`` are the
    cell's metrics with each example's statistics rows."""
    members: dict[str, list[int]] = {}
    own: dict[str, dict[int, float]] = {}  # measure → example index → value
    lines = []
    measure_example = getattr(audit, "measure_example", None)
    extra = {"labels": tuple(labels) if labels is not None else None} if accepts(measure_example, "labels") else {}
    for index, (example, prediction) in enumerate(zip(examples, predictions, strict=True)):
        try:
            group = audit.partition(example)
            measured = dict(measure_example(example, prediction, **extra)) if callable(measure_example) else {}
        except NlpbenchError:
            raise
        except Exception as error:
            raise AuditError(f"example '{example.id}': {one_line(error)}") from error
        if group is None:
            continue
        group = str(group)
        members.setdefault(group, []).append(index)
        for measure, value in measured.items():
            own.setdefault(measure, {})[index] = float(value)
        lines.append({
            "model": model, "task": task, "audit": name, "id": example.id, "group": group,
            "prediction": prediction, "references": list(example.references), "scores": measured,
        })  # fmt: skip
    base = {"audit": name, "model": model, "task": task, "n_examples": len(examples)}
    unlabelled = len(examples) - sum(len(v) for v in members.values())
    declared = tuple(getattr(audit, "measures", ()))
    if len(members) < 2:
        found = ", ".join(sorted(members)) or "none"
        reason = f"not computed: the examples carry fewer than two groups (found: {found}; {unlabelled} without one)"
        return [{**failed_entry(name, model, task, reason), **base, "measure": m} for m in declared or (None,)], lines
    order = sorted(members)
    draws = {g: resample_indices(len(members[g]), settings.resamples, derived_seed(settings.seed, task, name, g))
             for g in order}  # fmt: skip
    kinds: Mapping[str, str] = getattr(audit, "measure_kinds", None) or {}
    entries: list[dict[str, Any]] = []
    for measure in declared:
        if measure not in own:
            reason = f"not computed: no example of this task gives '{measure}'"
            entries.append({**failed_entry(name, model, task, reason), **base, "measure": measure})
    for measure, by_example in own.items():
        proportion = kinds.get(measure) == "proportion"
        series = {
            g: _own_series(np.array([by_example.get(i, np.nan) for i in members[g]]), draws[g], proportion)
            for g in order
        }
        entries += _entries(base, measure, series, settings, proportion, unlabelled)
    for metric_name, metric, rows in metrics:
        table = np.asarray(rows, dtype=np.float64)
        try:
            series = {g: _metric_series(metric, table[members[g]], draws[g]) for g in order}
        except Exception as error:
            reason = f"failed: metric '{metric_name}': {one_line(error)}"
            entries.append({**failed_entry(name, model, task, reason), **base, "measure": f"metric:{metric_name}"})
            continue
        entries += _entries(base, f"metric:{metric_name}", series, settings, False, unlabelled)
    return with_info(audit, entries), lines


def _own_series(values: Any, draws: Any, proportion: bool) -> _Series | None:
    """A measure the audit gave for some of a group's examples (a true-positive rate
    counts only the positives; NaN marks the others): each replicate is the mean over
    the drawn examples that have a value, so it is resampled with the group's own draws."""
    present = values[~np.isnan(values)]
    if not present.size:
        return None
    if proportion and np.any((present != 0.0) & (present != 1.0)):
        raise AuditError("a proportion's value is neither 0 nor 1")
    if len(draws):
        drawn = values[draws]
        counts = (~np.isnan(drawn)).sum(axis=1)
        sums = np.nansum(drawn, axis=1)
        resampled = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    else:
        resampled = np.zeros(0)
    return _Series(float(present.mean()), resampled, int(present.size), int(present.sum()) if proportion else None)


def _metric_series(metric: Any, rows: Any, draws: Any) -> _Series:
    value = float(metric.aggregate(rows))
    many: Callable[[Any, Any], Any] | None = getattr(metric, "aggregate_resamples", None)
    if not len(draws):
        resampled = np.zeros(0)
    elif callable(many):
        resampled = np.asarray(many(rows, draws), dtype=np.float64)
    else:
        resampled = np.array([metric.aggregate(rows[row]) for row in draws], dtype=np.float64)
    return _Series(value if np.isfinite(value) else None, resampled, len(rows))


def _entries(
    base: Mapping[str, Any],
    measure: str,
    series: Mapping[str, _Series | None],
    settings: AuditSettings,
    proportion: bool,
    unlabelled: int,
) -> list[dict[str, Any]]:
    """Per group, then the gap and the pairwise differences of the groups that have a value."""
    entries: list[dict[str, Any]] = []
    for group, one in series.items():
        entry = {**base, "group": group, "measure": measure, "reason": None}
        if one is None or one.value is None:
            why = "no example of this group gives it" if one is None else "the metric is undefined on this group"
            entries.append({**entry, "value": None, "ci_low": None, "ci_high": None, "n": 0, "n_affected": 0,
                            "reason": f"not computed: {why}"})  # fmt: skip
            continue
        entry.update(value=one.value, n=one.n, n_affected=one.n)
        if proportion and one.k is not None:
            exact = clopper_pearson(one.k, one.n, settings.confidence)
            entry.update(ci_low=exact[0], ci_high=exact[1], k=one.k, m=one.n, interval="exact-binomial")
        else:
            bounds = percentile_interval(one.resampled, settings.confidence)
            entry.update(ci_low=bounds[0], ci_high=bounds[1], interval="bootstrap")
        entries.append(entry)
    have = {g: s for g, s in series.items() if s is not None and s.value is not None}
    across = {**base, "n": sum(s.n for s in have.values()), "n_affected": sum(s.n for s in have.values()),
              "n_unlabelled": unlabelled, "interval": "stratified-bootstrap", "reason": None}  # fmt: skip
    if len(have) < 2:
        entries.append({**across, "group": "all", "measure": f"gap:{measure}", "value": None, "ci_low": None,
                        "ci_high": None, "reason": "not computed: fewer than two groups have a value"})  # fmt: skip
        return entries
    names = list(have)
    values = np.array([have[g].value for g in names], dtype=np.float64)
    width = min(len(have[g].resampled) for g in names)
    replicates = np.stack([np.asarray(have[g].resampled[:width], dtype=np.float64) for g in names], axis=1)
    top, bottom = int(np.argmax(values)), int(np.argmin(values))
    low, high = percentile_interval(replicates.max(axis=1) - replicates.min(axis=1), settings.confidence)
    entries.append({**across, "group": "all", "measure": f"gap:{measure}", "value": float(values[top] - values[bottom]),
                    "ci_low": low, "ci_high": high, "highest": names[top], "lowest": names[bottom]})  # fmt: skip
    if len(names) <= MAX_PAIRWISE_GROUPS:
        for a, b in itertools.combinations(range(len(names)), 2):
            low, high = percentile_interval(replicates[:, a] - replicates[:, b], settings.confidence)
            n = have[names[a]].n + have[names[b]].n
            entries.append({**across, "group": f"{names[a]} - {names[b]}", "measure": f"difference:{measure}",
                            "value": float(values[a] - values[b]), "ci_low": low, "ci_high": high,
                            "n": n, "n_affected": n})  # fmt: skip
    return entries
