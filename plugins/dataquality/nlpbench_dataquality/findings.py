"""A finding as the audit hands it to the core: one entry of results.json ``audits``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def finding(
    check: str,
    measure: str | None,
    value: float | None,
    n: int,
    *,
    ids: Sequence[str] | None = None,
    max_ids: int = 20,
    group: str | None = None,
    reason: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """``ids``: every example the finding involves (``n_affected`` counts them; the first
    ``max_ids`` are listed as ``example_ids``)."""
    entry: dict[str, Any] = {"check": check, "group": group, "measure": measure, "value": value, "n": n}
    if ids is not None:
        entry["n_affected"] = len(ids)
        entry["example_ids"] = list(ids[:max_ids])
    entry["reason"] = reason
    entry.update(extra)
    return entry


def not_computed(check: str, measure: str | None, n: int, why: str, **extra: Any) -> dict[str, Any]:
    return finding(check, measure, None, n, reason=f"not computed: {why}", **extra)
