"""The pairwise significance matrices: per task and metric, each pair's difference and
adjusted p-value, coloured by who is significantly better after correction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nlpbench.report.leaderboard import Board
from nlpbench.report.page.formatting import number_or_none, p_text, signed
from nlpbench.report.page.pairs import Entry, better_side


@dataclass(frozen=True)
class MatrixCell:
    """``kind``: ``win`` (the row's model is significantly better), ``loss``, ``tie``,
    ``self`` (the diagonal) or ``none`` (the pair was not compared)."""

    kind: str
    delta: str = ""
    p: str = ""
    title: str = ""


@dataclass(frozen=True)
class Matrix:
    index: int
    task: str
    metric: str
    primary: bool
    family: str | None
    family_size: int | None
    models: tuple[str, ...]
    rows: tuple[tuple[str, tuple[MatrixCell, ...]], ...]


def matrices(entries: Sequence[Entry], all_boards: Sequence[Board], primary: Mapping[str, str | None]) -> list[Matrix]:
    """One matrix per (task, metric) compared, models in leaderboard order, numbered in
    the order the entries come."""
    order = {board.task: [str(c["model"]) for c in board.rows] for board in all_boards}
    groups: dict[tuple[str, str], list[Entry]] = {}
    for entry in entries:
        groups.setdefault((str(entry.get("task")), str(entry.get("metric"))), []).append(entry)
    found = []
    for index, ((task, metric), group) in enumerate(groups.items()):
        present = {str(x) for entry in group for x in (entry.get("a"), entry.get("b"))}
        models = [m for m in order.get(task, []) if m in present]
        models += sorted(present - set(models))
        pairs = {(str(entry.get("a")), str(entry.get("b"))): entry for entry in group}
        family = group[0].get("family")
        size = group[0].get("family_size")
        found.append(
            Matrix(
                index=index,
                task=task,
                metric=metric,
                primary=primary.get(task) == metric,
                family=str(family) if family is not None else None,
                family_size=size if isinstance(size, int) and not isinstance(size, bool) else None,
                models=tuple(models),
                rows=tuple((row, tuple(_cell(row, column, pairs) for column in models)) for row in models),
            )
        )
    return found


def _cell(row: str, column: str, pairs: Mapping[tuple[str, str], Entry]) -> MatrixCell:
    if row == column:
        return MatrixCell("self")
    entry, flipped = pairs.get((row, column)), False
    if entry is None:
        entry, flipped = pairs.get((column, row)), True
    if entry is None:
        return MatrixCell("none")
    delta = number_or_none(entry.get("delta"))
    low, high = number_or_none(entry.get("ci_low")), number_or_none(entry.get("ci_high"))
    if flipped:  # the entry is column − row: the row's view is its negation
        delta = -delta if delta is not None else None
        low, high = (-high if high is not None else None), (-low if low is not None else None)
    side = better_side(entry)
    winner = {"a": column if flipped else row, "b": row if flipped else column}.get(side or "")
    kind = "win" if winner == row else "loss" if winner == column else "tie"
    p_adjusted, p_value = number_or_none(entry.get("p_adjusted")), number_or_none(entry.get("p_value"))
    interval = f" [{signed(low)}, {signed(high)}]" if low is not None and high is not None else ""
    title = (
        f"{row} − {column}: Δ {signed(delta)}{interval}; p {p_text(p_value)}, adjusted {p_text(p_adjusted)} "
        f"({entry.get('correction') or 'no correction named'}); test {entry.get('test') or '?'}; n {entry.get('n', '?')}"
        + (f" ({entry.get('n_dropped')} dropped)" if entry.get("n_dropped") else "")
        + (f"; better: {winner}" if winner else "; no significant difference")
    )
    return MatrixCell(kind, signed(delta), p_text(p_adjusted), title)
