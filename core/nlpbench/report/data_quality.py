"""Data-quality entries (a data-only audit's findings: duplicates, leakage,
contamination, label balance, lengths, clean-subset scores) as rows per task: the
report page's data-quality panel and ``nlpbench data audit``'s table both read them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Entry = Mapping[str, Any]

#: How many example ids a row shows (results keep up to 20).
SHOWN_IDS = 20


def is_data_quality(entry: Entry) -> bool:
    """A data-only audit's entry (it names its ``check``), not a bias audit's."""
    return entry.get("check") is not None


@dataclass(frozen=True)
class CheckRow:
    """One finding, as text."""

    check: str
    measure: str
    group: str
    model: str
    value: str
    n: str
    affected: str
    example_ids: tuple[str, ...]
    more_ids: int
    reason: str | None
    failed: bool


@dataclass(frozen=True)
class TaskChecks:
    """Every finding of one task, in the order the audit gave them."""

    task: str
    rows: tuple[CheckRow, ...]
    flagged: int


def _number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def value_text(entry: Entry) -> str:
    """The value, its interval when it has one, and a length's spread."""
    text = _number(entry.get("value"))
    if entry.get("ci_low") is not None and entry.get("ci_high") is not None:
        text += f" [{_number(entry['ci_low'])}, {_number(entry['ci_high'])}]"
    spread = [f"{key} {_number(entry[key])}" for key in ("min", "p95", "max") if entry.get(key) is not None]
    if spread:
        text += f" ({', '.join(spread)})"
    if entry.get("full_value") is not None and entry.get("clean_value") is not None:
        text += f" (full {_number(entry['full_value'])} → clean {_number(entry['clean_value'])})"
    return text


def _row(entry: Entry) -> CheckRow:
    ids = [str(i) for i in entry.get("example_ids") or ()]
    affected = entry.get("n_affected")
    reason = entry.get("reason")
    return CheckRow(
        check=str(entry.get("check")),
        measure=str(entry.get("measure") or "—"),
        group=str(entry.get("group")) if entry.get("group") is not None else "",
        model=str(entry.get("model")) if entry.get("model") is not None else "",
        value=value_text(entry) if entry.get("value") is not None else "",
        n=_number(entry.get("n")),
        affected=_number(affected) if affected else "",
        example_ids=tuple(ids[:SHOWN_IDS]),
        more_ids=max(int(affected or 0) - min(len(ids), SHOWN_IDS), 0) if ids else 0,
        reason=str(reason) if reason else None,
        failed=bool(reason) and str(reason).startswith("failed"),
    )


def task_checks(entries: Iterable[Entry]) -> list[TaskChecks]:
    """The data-quality entries grouped by task, tasks in the order they first come."""
    by_task: dict[str, list[CheckRow]] = {}
    for entry in entries:
        if is_data_quality(entry):
            by_task.setdefault(str(entry.get("task")), []).append(_row(entry))
    return [
        TaskChecks(task, tuple(rows), sum(1 for r in rows if r.example_ids and r.check != "clean-subset"))
        for task, rows in by_task.items()
    ]


def entries_text(entries: Sequence[Entry]) -> str:
    """``nlpbench data audit``'s table: per task, one line per finding."""
    lines = []
    for section in task_checks(entries):
        lines.append(f"{section.task}")
        for row in section.rows:
            what = " ".join(part for part in (row.check, row.measure, row.group and f"[{row.group}]") if part)
            who = f" {row.model}:" if row.model else ""
            if row.reason and not row.value:
                lines.append(f"  {what}:{who} {row.reason}")
                continue
            counted = f" (n={row.n}" + (f", {row.affected} flagged" if row.affected else "") + ")"
            ids = ""
            if row.example_ids:
                more = f" +{row.more_ids} more" if row.more_ids else ""
                ids = f"  ids: {', '.join(row.example_ids[:5])}" + (
                    f" … ({len(row.example_ids) - 5} more shown in --json{more})" if len(row.example_ids) > 5 else more
                )
            lines.append(f"  {what}:{who} {row.value}{counted}{ids}")
    return "\n".join(lines) + "\n" if lines else "no data-quality entries\n"
