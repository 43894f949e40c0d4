"""The leaderboards and the efficiency table, as rows the templates lay out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlpbench.report.leaderboard import Board, format_score, model_label
from nlpbench.report.page.formatting import plain

_PARAMETER_KEYS = ("parameters", "parameter_count", "num_parameters", "n_parameters")


def from_store(cell: Mapping[str, Any]) -> str | None:
    """How much of an ok cell the store served: ``"all"``, ``"K of N"``, or None (none of it)."""
    cached, n = cell.get("cached"), cell.get("n")
    if cell.get("status") != "ok" or not isinstance(cached, int) or isinstance(cached, bool) or cached <= 0:
        return None
    if isinstance(n, int) and cached >= n:
        return "all"
    return f"{cached} of {n}"


@dataclass(frozen=True)
class Score:
    text: str
    tie_group: int | None


@dataclass(frozen=True)
class BoardRow:
    rank: str
    label: str
    status: str
    detail: str
    scores: tuple[Score, ...]
    n: str
    strategy: str
    seconds: str
    stored: str | None


@dataclass(frozen=True)
class BoardView:
    index: int
    task: str
    group: str | None
    members: int
    metrics: tuple[tuple[str, str], ...]  # (metric, arrow)
    rows: tuple[BoardRow, ...]


def _score(score: Any) -> Score:
    group = score.get("tie_group") if isinstance(score, Mapping) else None
    tie = group if isinstance(group, int) and not isinstance(group, bool) else None
    return Score(format_score(score if isinstance(score, Mapping) else None), tie)


def leaderboards(all_boards: Sequence[Board]) -> list[BoardView]:
    views = []
    for index, board in enumerate(all_boards):
        rows = []
        rank = 0
        for cell in board.rows:
            ok = cell["status"] == "ok"
            rank += ok
            metrics = cell.get("metrics") or {}
            rows.append(
                BoardRow(
                    rank=str(rank) if ok else "-",
                    label=model_label(cell),
                    status=str(cell["status"]),
                    detail=str(cell.get("error") or cell.get("reason") or ""),
                    scores=tuple(_score(metrics.get(m)) for m in board.metrics),
                    n=str(cell.get("n", 0)),
                    strategy=str(cell.get("strategy") or ""),
                    seconds=plain(cell.get("seconds")),
                    stored=from_store(cell),
                )
            )
        views.append(
            BoardView(
                index=index,
                task=board.task,
                group=board.group,
                members=len(board.members),
                metrics=tuple((m, "↑" if board.directions[m] else "↓") for m in board.metrics),
                rows=tuple(rows),
            )
        )
    return views


def by_group(views: Sequence[BoardView]) -> list[tuple[str | None, list[BoardView]]]:
    """Consecutive boards of one group together (a group's members are shown on demand)."""
    runs: list[tuple[str | None, list[BoardView]]] = []
    for view in views:
        if runs and view.group is not None and runs[-1][0] == view.group:
            runs[-1][1].append(view)
        else:
            runs.append((view.group, [view]))
    return runs


def parameters(cell: Mapping[str, Any]) -> str:
    info = cell.get("model_info") or {}
    for key in _PARAMETER_KEYS:
        value = info.get(key) if isinstance(info, Mapping) else None
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
                if value >= size:
                    return f"{value / size:.1f} {unit}"
            return str(int(value))
    return "—"


@dataclass(frozen=True)
class Speed:
    """A speed figure, and how much of the cell the store served (see :func:`from_store`)."""

    text: str
    stored: str | None


@dataclass(frozen=True)
class EfficiencyRow:
    label: str
    task: str
    status: str
    n: str
    seconds: str
    examples_per_second: Speed
    tokens_per_second: Speed
    memory: str
    gpu_memory: str
    parameters: str
    #: what a served model's cell used (its ``usage``): tokens in and out, and the cost
    tokens_in: str = "—"
    tokens_out: str = "—"
    cost: str = "—"


@dataclass(frozen=True)
class Efficiency:
    rows: tuple[EfficiencyRow, ...]
    tokens: bool
    gpu: bool
    #: whether some cell counted the tokens it used, and whether some cell has a cost
    usage: bool = False
    cost: bool = False


def efficiency(results: Mapping[str, Any]) -> Efficiency:
    cells = [c for c in results.get("cells", []) if c.get("status") != "not_applicable"]
    rows = tuple(
        EfficiencyRow(
            label=model_label(cell),
            task=str(cell["task"]),
            status=str(cell.get("status")),
            n=str(cell.get("n", 0)),
            seconds=plain(cell.get("seconds")),
            examples_per_second=Speed(plain(cell.get("examples_per_second")), from_store(cell)),
            tokens_per_second=Speed(plain(cell.get("tokens_per_second")), from_store(cell)),
            memory=plain(cell.get("peak_memory_mb")),
            gpu_memory=plain(cell.get("peak_gpu_memory_mb")),
            parameters=parameters(cell),
            tokens_in=_used(cell, "input_tokens"),
            tokens_out=_used(cell, "output_tokens"),
            cost=_used(cell, "cost"),
        )
        for cell in cells
    )
    used = [c.get("usage") for c in cells if isinstance(c.get("usage"), Mapping)]
    return Efficiency(
        rows,
        tokens=any(c.get("tokens_per_second") is not None for c in cells),
        gpu=any(c.get("peak_gpu_memory_mb") is not None for c in cells),
        usage=any("input_tokens" in u or "output_tokens" in u for u in used),
        cost=any("cost" in u for u in used),
    )


def _used(cell: Mapping[str, Any], name: str) -> str:
    """One of a cell's ``usage`` counts: tokens whole, with thousands separated; a cost in
    three significant digits; a dash when the cell did not count it."""
    usage = cell.get("usage")
    value = usage.get(name) if isinstance(usage, Mapping) else None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "—"
    return plain(float(value)) if name == "cost" else f"{round(value):,}"
