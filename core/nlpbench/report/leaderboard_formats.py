"""The leaderboard as data other tools read: records (``nlpbench leaderboard --format
json`` and ``Run.leaderboard``), CSV and Markdown. The boards and their order are
:mod:`nlpbench.report.leaderboard`'s, so every format ranks as the terminal table does."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from nlpbench.report.leaderboard import Board, boards, format_score, model_label

#: The columns of ``--format csv``: one row per (task, model, metric).
CSV_COLUMNS = ("task", "rank", "model", "run", "metric", "value", "ci_low", "ci_high", "tie_group", "n", "status")


def board_record(board: Board) -> dict[str, Any]:
    """One board as plain data: the metric it is ranked by and its rows, best first.

    Each row: ``rank`` (among ok cells, null otherwise), ``model``, ``run`` (when the
    results combine runs), the ranking metric's ``value``, ``ci_low``, ``ci_high`` and
    ``tie_group``, ``n``, ``status``, ``note`` (a failed cell's error, a not-applicable
    cell's reason) and ``metrics`` (every metric's value, interval and tie group)."""
    first = board.metrics[0] if board.metrics else None
    rows = []
    rank = 0
    for cell in board.rows:
        ok = cell["status"] == "ok"
        rank += ok
        scores = cell.get("metrics") or {}
        primary = (scores.get(first) or {}) if first else {}
        rows.append(
            {
                "rank": rank if ok else None,
                "model": cell["model"],
                **({"run": cell["run"]} if "run" in cell else {}),
                "value": primary.get("value"),
                "ci_low": primary.get("ci_low"),
                "ci_high": primary.get("ci_high"),
                "tie_group": primary.get("tie_group"),
                "n": cell.get("n") or 0,
                "status": cell["status"],
                "note": None if ok else (cell.get("error") or cell.get("reason")),
                "trained": (cell.get("model_info") or {}).get("trained") is not False,
                "metrics": {
                    name: {key: score.get(key) for key in ("value", "ci_low", "ci_high", "tie_group")}
                    for name, score in scores.items()
                },
            }
        )
    return {
        "task": board.task,
        "metric": first,
        "higher_is_better": board.directions.get(first, True) if first else None,
        "metrics": list(board.metrics),
        **({"members": list(board.members)} if board.members else {}),
        **({"group": board.group} if board.group else {}),
        "rows": rows,
    }


def leaderboard_json(results: Mapping[str, Any], members: bool = False) -> dict[str, Any]:
    """The document ``--format json`` prints: ``runs`` (label, path) and ``tasks``, a
    :func:`board_record` per board."""
    return {
        "runs": [{"label": run["label"], "path": run["path"]} for run in results.get("runs") or []],
        "confidence": (results.get("bootstrap") or {}).get("confidence", 0.95),
        "tasks": [board_record(board) for board in boards(results, members=members)],
    }


def leaderboard_csv(results: Mapping[str, Any], members: bool = False) -> str:
    """One row per (task, model, metric) of :data:`CSV_COLUMNS`; a cell without scores
    (failed, not applicable) is one row with an empty metric. Numbers at full precision."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for board in boards(results, members=members):
        for row in board_record(board)["rows"]:
            scores = row["metrics"] or {"": {}}
            for metric, score in scores.items():
                values = {**row, "task": board.task, "metric": metric, **score}
                writer.writerow(["" if values.get(key) is None else values[key] for key in CSV_COLUMNS])
    return buffer.getvalue()


def leaderboard_markdown(results: Mapping[str, Any], members: bool = False) -> str:
    """A Markdown table per board, ranked by its first metric, with tie groups."""
    confidence = (results.get("bootstrap") or {}).get("confidence", 0.95)
    combined = any("run" in cell for cell in results.get("cells", []))  # several runs: say whose each model is
    parts = []
    for board in boards(results, members=members):
        record = board_record(board)
        arrows = ", ".join(f"{m} {'↑' if board.directions[m] else '↓'}" for m in board.metrics)
        header = ["#", "tie", "model", *(["run"] if combined else []), *board.metrics, "n", "status"]
        lines = [f"### {_cell(board.task)}", ""]
        if arrows:
            lines += [f"{_cell(arrows)}; {confidence:.0%} CI; tie groups by {_cell(str(record['metric']))}", ""]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for cell, row in zip(board.rows, record["rows"], strict=True):
            status = row["status"] if row["note"] is None else f"{row['status']}: {row['note']}"
            values = [
                "-" if row["rank"] is None else str(row["rank"]),
                "-" if row["tie_group"] is None else str(row["tie_group"]),
                model_label(cell),
                *([cell["run"]] if combined else []),
                *(format_score((cell.get("metrics") or {}).get(m)) for m in board.metrics),
                str(row["n"]),
                status,
            ]
            lines.append("| " + " | ".join(_cell(value) for value in values) + " |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
