"""The bias audits, summary first: a table of the largest effects the run can tell from
noise, then each (audit, task)'s charts on demand, then every entry.

An effect is a shift (a metric's change under a group's perturbation, or an audit's own
averaged measure) or a proportion tested against a null (a likelihood preference
against 0.5). It is significant when its test's p-value is below alpha or, for a
measure without a test, when its interval excludes zero; audits are not corrected for
multiple comparisons, and the summary says so."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlpbench.report.leaderboard import format_score
from nlpbench.report.page.charts import Chart, forest_chart, interval_of, proportion_chart
from nlpbench.report.page.formatting import number_or_none, p_text, plain
from nlpbench.report.page.pairs import ALPHA

#: How many effects the summary lists; the full table has every entry.
MOST_EFFECTS = 10

Entry = Mapping[str, Any]


def audit_entries(results: Mapping[str, Any]) -> list[Entry]:
    audits = results.get("audits")
    return [a for a in audits if isinstance(a, Mapping)] if isinstance(audits, list) else []


def is_proportion(entry: Entry) -> bool:
    return entry.get("interval") == "exact-binomial"


def is_shift(entry: Entry) -> bool:
    """A mean that belongs on the forest plot: a metric's shift, or an audit's own averaged measure."""
    measure = str(entry.get("measure"))
    if entry.get("group") is None or is_proportion(entry) or measure.startswith("worst-case:"):
        return False
    return measure.startswith("metric:") or entry.get("interval") in ("bootstrap", "stratified-bootstrap")


@dataclass(frozen=True)
class Effect:
    audit: str
    model: str
    task: str
    group: str
    measure: str
    score: str
    evidence: str
    size: float


def _effect(entry: Entry, alpha: float) -> Effect | None:
    """The entry as a significant effect, or None (not an effect, or not significant)."""
    value = number_or_none(entry.get("value"))
    if value is None:
        return None
    p = number_or_none(entry.get("p_value"))
    null = number_or_none(entry.get("null"))
    if is_proportion(entry):
        if null is None or p is None or p >= alpha:
            return None
        size, evidence = value - null, f"p {p_text(p)} against {null:g}"
    elif is_shift(entry):
        low, high = interval_of(entry)
        if p is not None:
            if p >= alpha:
                return None
            evidence = f"{entry.get('test') or 'test'}, p {p_text(p)}"
        elif low is not None and high is not None and (low > 0 or high < 0):
            evidence = "interval excludes 0"
        else:
            return None
        size = value
    else:
        return None
    return Effect(
        audit=str(entry.get("audit")),
        model=str(entry.get("model")),
        task=str(entry.get("task")),
        group=str(entry.get("group")),
        measure=str(entry.get("measure")),
        score=format_score(entry),
        evidence=evidence,
        size=size,
    )


def largest_effects(entries: Iterable[Entry], alpha: float = ALPHA) -> list[Effect]:
    """Every significant effect, largest first (by its distance from zero, or from the null)."""
    effects = [e for entry in entries if (e := _effect(entry, alpha)) is not None]
    return sorted(effects, key=lambda e: -abs(e.size))


@dataclass(frozen=True)
class Panel:
    """One audit on one task: its forest plots and proportion bars, shown on demand."""

    index: int
    audit: str
    task: str
    entries: int
    significant: int
    forest: tuple[Chart, ...]
    proportions: tuple[Chart, ...]
    forest_caption: str
    proportions_caption: str


def _by_measure(entries: Iterable[Entry]) -> dict[str, list[Entry]]:
    found: dict[str, list[Entry]] = {}
    for entry in entries:
        found.setdefault(str(entry.get("measure")), []).append(entry)
    return found


def panels(entries: Sequence[Entry], alpha: float = ALPHA) -> list[Panel]:
    """Per (audit, task), in the order entries come: one forest plot per shift measure
    (an accuracy shift and a probability change are not on one scale), one bar chart per proportion."""
    grouped: dict[tuple[str, str], list[Entry]] = {}
    for entry in entries:
        grouped.setdefault((str(entry.get("audit")), str(entry.get("task"))), []).append(entry)
    found = []
    for index, ((audit, task), group) in enumerate(grouped.items()):
        shifts = _by_measure(e for e in group if is_shift(e))
        proportions = _by_measure(e for e in group if is_proportion(e))
        # a perturbing audit's values are shifts; a group breakdown's are levels per group, with their gaps
        breakdown = any(m.startswith(("gap:", "difference:")) for m in shifts)
        found.append(
            Panel(
                index=index,
                audit=audit,
                task=task,
                entries=len(group),
                significant=sum(_effect(e, alpha) is not None for e in group),
                forest=tuple(
                    forest_chart(f"audit-forest-{index}-{mi}", measure, rows)
                    for mi, (measure, rows) in enumerate(shifts.items())
                ),
                proportions=tuple(
                    proportion_chart(f"audit-flips-{index}-{mi}", measure, rows)
                    for mi, (measure, rows) in enumerate(proportions.items())
                ),
                forest_caption="Per group, gaps and differences" if breakdown else "Shifts",
                proportions_caption="Flip rates" if set(proportions) == {"flip"} else "Proportions",
            )
        )
    return found


@dataclass(frozen=True)
class TableRow:
    """A row of the table of every entry; ``reason`` set when the measure was not computed."""

    cells: tuple[str, ...]
    score: str
    reason: str | None
    failed: bool
    beside: str
    test: str
    counts: tuple[str, ...]


def table_rows(entries: Iterable[Entry]) -> list[TableRow]:
    rows = []
    for a in entries:
        reason = None
        score = ""
        if a.get("value") is None:
            reason = str(a.get("reason") or "not computed")
        else:
            counts = f" ({a.get('k')}/{a.get('m')})" if is_proportion(a) and "k" in a and "m" in a else ""
            score = format_score(a) + counts
        original = number_or_none(a.get("original_value"))
        perturbed = number_or_none(a.get("perturbed_value"))
        if str(a.get("measure")).startswith("worst-case:"):
            beside = f"original {plain(original)}" if original is not None else ""
        elif original is not None or perturbed is not None:
            beside = f"{plain(original)} → {plain(perturbed)}"
        else:
            beside = ""
        rows.append(
            TableRow(
                cells=tuple(
                    str(a.get(k) if a.get(k) is not None else "—")
                    for k in ("audit", "model", "task", "group", "measure")
                ),
                score=score,
                reason=reason,
                failed=reason is not None and reason.startswith("failed"),
                beside=beside,
                test=f"{a.get('test')}, p {p_text(number_or_none(a.get('p_value')))}" if a.get("test") else "",
                counts=tuple(str(a.get(k, "")) for k in ("n", "n_affected", "n_examples")),
            )
        )
    return rows
