"""The cross-task view, for people who compare models across tasks: each model's rank
on each task's primary metric, its mean rank with a bootstrap interval, and on how many
tasks each model is significantly better than each other one. The numbers are
results.json's ``ranking`` block (:mod:`nlpbench.statistics.ranking`, see docs/comparing.md); the
page only lays them out, and leaves the view out for results that have none."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nlpbench.report.page.formatting import number_or_none


@dataclass(frozen=True)
class RankRow:
    model: str
    mean_rank: str
    interval: str
    ranks: tuple[str, ...]
    tasks: str


@dataclass(frozen=True)
class CrossTask:
    """``columns``: (task, metric) in order; ``wins``: per model, against each model in
    ``models`` order, its wins (``"2 of 3"``: significantly better on 2 of the 3 tasks
    both were compared on; None on the diagonal); ``note``: how to read it, as the
    ranking says."""

    columns: tuple[tuple[str, str], ...]
    rows: tuple[RankRow, ...]
    models: tuple[str, ...]
    wins: tuple[tuple[str, tuple[str | None, ...]], ...]
    note: str
    out_of_shared: bool


def _rank(value: Any) -> str:
    number = number_or_none(value)
    if number is None:
        return "—"
    return str(int(number)) if number == int(number) else f"{number:.1f}"


def _mean(value: Any) -> str:
    number = number_or_none(value)
    return "—" if number is None else f"{number:.2f}"


def cross_task(results: Mapping[str, Any]) -> CrossTask | None:
    ranking = results.get("ranking")
    if not isinstance(ranking, Mapping) or not isinstance(ranking.get("models"), list):
        return None
    entries = [m for m in ranking["models"] if isinstance(m, Mapping) and m.get("model") is not None]
    if not entries:
        return None
    metric_by_task = _table(ranking.get("metric_by_task"))
    tasks = [str(t) for t in metric_by_task]
    for entry in entries:  # tasks the ranks name that the metric map does not
        tasks += [str(t) for t in _table(entry.get("ranks")) if str(t) not in tasks]
    rows = []
    for entry in entries:
        ranks = _table(entry.get("ranks"))
        low, high = number_or_none(entry.get("ci_low")), number_or_none(entry.get("ci_high"))
        rows.append(
            RankRow(
                model=str(entry["model"]),
                mean_rank=_mean(entry.get("mean_rank")),
                interval=f"[{_mean(low)}, {_mean(high)}]" if low is not None and high is not None else "",
                ranks=tuple(_rank(ranks.get(task)) for task in tasks),
                tasks=str(entry.get("tasks", sum(t in ranks for t in tasks))),
            )
        )
    models = tuple(row.model for row in rows)
    wins_of, shared_of = _table(ranking.get("wins")), _table(ranking.get("shared"))
    wins = []
    for model in models:
        won, shared = _table(wins_of.get(model)), _table(shared_of.get(model))
        wins.append(
            (model, tuple(None if other == model else _wins(won, shared, other, bool(shared_of)) for other in models))
        )
    note = ranking.get("note")
    return CrossTask(
        columns=tuple((task, str(metric_by_task.get(task, ""))) for task in tasks),
        rows=tuple(rows),
        models=models,
        wins=tuple(wins) if wins_of else (),
        note=note if isinstance(note, str) else "",
        out_of_shared=bool(shared_of),
    )


def _table(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _wins(won: Mapping[str, Any], shared: Mapping[str, Any], other: str, counted: bool) -> str:
    """``"2 of 3"`` when the ranking ``counted`` the tasks each pair shares (``"—"`` for
    none: the two were never compared), else ``"2"``."""
    count = _rank(won.get(other, 0))
    if not counted:
        return count
    tasks = shared.get(other, 0)
    return "—" if number_or_none(tasks) in (None, 0.0) else f"{count} of {_rank(tasks)}"
