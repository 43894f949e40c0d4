"""The report's judgements panel: each pair of models a judge compared, both orders asked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _number(value: Any, digits: int = 3) -> str:
    return "n/a" if value is None else f"{float(value):.{digits}f}"


def judgement_rows(results: Mapping[str, Any]) -> list[dict[str, str]]:
    """One row per pairwise judgement of results.json, its numbers as the page shows them."""
    rows = []
    for entry in results.get("judgements") or []:
        low, high = entry.get("ci_low"), entry.get("ci_high")
        inconsistent = entry.get("inconsistent")
        rows.append({
            "task": str(entry.get("task", "")), "judge": str(entry.get("judge", "")),
            "judge_model": str(entry.get("judge_model", "")), "a": str(entry.get("a", "")),
            "b": str(entry.get("b", "")), "win_rate": _number(entry.get("win_rate")),
            "interval": f"[{_number(low)}, {_number(high)}]" if low is not None and high is not None else "",
            "record": f"{entry.get('wins_a', 0)} / {entry.get('ties', 0)} / {entry.get('wins_b', 0)}",
            "inconsistent": "n/a" if inconsistent is None else f"{100 * float(inconsistent):.0f}%",
            "n": str(entry.get("n", 0)), "unparsed": str(entry.get("unparsed", 0)),
            "reason": str(entry.get("reason") or ""),
        })  # fmt: skip
    return rows
