"""How the report writes numbers: one place, so a sentence, a table and a chart agree."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from nlpbench.report.leaderboard import format_score

__all__ = ["format_score", "number_or_none", "p_text", "plain", "signed", "value_of"]


def number_or_none(value: Any) -> float | None:
    """A finite float, or None for anything else (booleans, NaN, text)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def value_of(cell: Mapping[str, Any], metric: str, key: str = "value") -> float | None:
    """A cell's ``key`` (value, ci_low, ci_high) of ``metric``, when it is a finite number."""
    score = (cell.get("metrics") or {}).get(metric) or {}
    return number_or_none(score.get(key)) if isinstance(score, Mapping) else None


def plain(value: Any) -> str:
    """Seconds, memory, counts: three significant digits, thousands whole."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def signed(value: float | None) -> str:
    """A difference, with its sign."""
    if value is None:
        return "—"
    return f"{value:+.3f}" if abs(value) < 10 else f"{value:+.2f}"


def p_text(value: float | None) -> str:
    """A p-value as the report prints it: three decimals, or ``<0.001``."""
    if value is None:
        return "—"
    return "<0.001" if value < 0.001 else f"{value:.3f}"
