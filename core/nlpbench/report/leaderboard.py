"""The leaderboard: per task, models ranked by the task's primary metric (the first
listed), each score with its confidence interval and the primary metric's tie groups.
Printed on the terminal and reused by the HTML report."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Board:
    """One task's leaderboard, or a group's (``members`` names its tasks; each row is
    the group's micro mean, with the macro mean beside it). ``group`` is the group a
    task's board belongs to."""

    task: str
    metrics: list[str]
    directions: dict[str, bool]
    rows: list[Mapping[str, Any]]  # cells, ranked: ok cells first, best first
    members: tuple[str, ...] = ()
    group: str | None = None


#: How a group's board names the macro mean of a metric beside its micro mean.
MACRO = "{} (macro)"


def boards(results: Mapping[str, Any], members: bool = True) -> list[Board]:
    """A board per task, in the order tasks first appear in the results; a group's board
    comes where its first member would, followed by its members' boards unless
    ``members`` is false (a group is then one row per model)."""
    tasks: dict[str, list[Mapping[str, Any]]] = {}
    for cell in results.get("cells", []):
        tasks.setdefault(cell["task"], []).append(cell)
    group_of = {
        member: name for name, group in (results.get("task_groups") or {}).items() for member in group["members"]
    }
    group_rows: dict[str, list[Mapping[str, Any]]] = {}
    for entry in results.get("groups") or []:
        group_rows.setdefault(entry["group"], []).append(_group_row(entry, tasks))
    out = []
    for task, cells in tasks.items():
        group = group_of.get(task)
        if group is not None and group in group_rows:
            rows = group_rows.pop(group)
            out.append(_board(group, rows, tuple(results["task_groups"][group]["members"])))
        if group is None or members:
            out.append(_board(task, cells, group=group, primary=primary_metric(results, task)))
    return out


def primary_metric(results: Mapping[str, Any], task: str) -> str | None:
    """The task's primary metric: the one results record (``tasks[task].primary_metric``),
    or, in results written before it was recorded, the first of the task's metrics."""
    record = (results.get("tasks") or {}).get(task) or {}
    if record.get("primary_metric"):
        return str(record["primary_metric"])
    return next(iter(record.get("metrics") or {}), None)


def _board(
    task: str,
    cells: list[Mapping[str, Any]],
    members: tuple[str, ...] = (),
    group: str | None = None,
    primary: str | None = None,
) -> Board:
    metrics: list[str] = []
    directions: dict[str, bool] = {}
    for cell in cells:
        for name, score in cell.get("metrics", {}).items():
            if name not in metrics:
                metrics.append(name)
                directions[name] = bool(score.get("higher_is_better", True))
    if primary in metrics:  # the primary metric ranks the board and its tie groups are shown: first
        metrics.remove(primary)
        metrics.insert(0, primary)
    ranked = _rank(cells, metrics[0] if metrics else None, directions)
    return Board(task, metrics, directions, ranked, members, group)


def _group_row(entry: Mapping[str, Any], tasks: Mapping[str, list[Mapping[str, Any]]]) -> dict[str, Any]:
    """A group's entry for one model as a leaderboard row: each metric's micro mean, and its macro mean."""
    metrics: dict[str, Any] = {}
    for name, score in (entry.get("metrics") or {}).items():
        direction = {"higher_is_better": score.get("higher_is_better", True)}
        metrics[name] = {**score["micro"], **direction}
        metrics[MACRO.format(name)] = {**score["macro"], **direction}
    first = next((c for member in entry["members"] for c in tasks.get(member, []) if c["model"] == entry["model"]), {})
    return {
        "model": entry["model"],
        "task": entry["group"],
        "status": entry["status"],
        "n": entry.get("n") or 0,
        "metrics": metrics,
        "reason": entry.get("reason"),
        "error": entry.get("reason"),
        **({"model_info": first["model_info"]} if first.get("model_info") else {}),
    }


def _rank(
    cells: Sequence[Mapping[str, Any]], metric: str | None, directions: Mapping[str, bool]
) -> list[Mapping[str, Any]]:
    order = {"ok": 0, "failed": 1, "incomplete": 1, "not_applicable": 2}

    def key(cell: Mapping[str, Any]) -> tuple[int, float, str]:
        value = cell.get("metrics", {}).get(metric, {}).get("value") if metric else None
        if value is None:
            return (order.get(cell["status"], 3) + (1 if cell["status"] == "ok" else 0), 0.0, cell["model"])
        signed = -value if directions.get(metric or "", True) else value
        return (order.get(cell["status"], 3), signed, cell["model"])

    return sorted(cells, key=key)


def model_label(cell: Mapping[str, Any]) -> str:
    """The model's name, marked when its weights were never trained (built from a config),
    so nobody mistakes an untrained model's score for a checkpoint's."""
    info = cell.get("model_info") or {}
    return f"{cell['model']} (untrained)" if info.get("trained") is False else str(cell["model"])


def format_score(score: Mapping[str, Any] | None, number: Callable[[float], str] | None = None) -> str:
    """A score and its interval, ``value [low, high]``, each written by ``number`` (by
    default the leaderboard's three decimals); a dash when there is no value."""
    written = number or _number
    if not score or score.get("value") is None:
        return "—"
    text = written(score["value"])
    if score.get("ci_low") is not None and score.get("ci_high") is not None:
        text += f" [{written(score['ci_low'])}, {written(score['ci_high'])}]"
    return text


def _number(value: float) -> str:
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.2f}"


def render_text(results: Mapping[str, Any], members: bool = False) -> str:
    """The leaderboard as plain-text tables; a group is one table of its means unless
    ``members`` asks for each member's too."""
    lines: list[str] = []
    confidence = results.get("bootstrap", {}).get("confidence", 0.95)
    for board in boards(results, members=members):
        if board.members:
            lines.append(
                f"group {board.task}: {len(board.members)} tasks; micro mean (examples pooled), macro mean (tasks equal)"
                + ("" if members else "; `nlpbench leaderboard RUN --members` shows each")
            )
        arrows = ", ".join(f"{m} {'↑' if board.directions[m] else '↓'}" for m in board.metrics)
        first = board.metrics[0] if board.metrics else None
        # tie groups of the ranking metric: models in one group are not significantly different
        ties = first is not None and any("tie_group" in (c.get("metrics", {}).get(first) or {}) for c in board.rows)
        tied = f"; tie: groups by {first}, not significantly different within one" if ties else ""
        lines.append(f"{board.task}" + (f"  ({arrows}; {confidence:.0%} CI{tied})" if arrows else ""))
        header = ["#", *(["tie"] if ties else []), "model", *board.metrics, "n", "status"]
        table = [header]
        rank = 0
        for cell in board.rows:
            if cell["status"] == "ok":
                rank += 1
            status = (
                cell["status"]
                if cell["status"] == "ok"
                else (f"{cell['status']}: {cell.get('error') or cell.get('reason') or ''}")
            )
            table.append(
                [
                    str(rank) if cell["status"] == "ok" else "-",
                    *([str((cell.get("metrics", {}).get(first) or {}).get("tie_group", "-"))] if ties else []),
                    model_label(cell),
                    *(format_score(cell.get("metrics", {}).get(m)) for m in board.metrics),
                    str(cell.get("n", 0)),
                    _clip(status, 70),
                ]
            )
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        for row in table:
            lines.append("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
