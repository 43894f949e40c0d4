"""The geometry of the page's SVG charts: one row per model (or model · group), a bar
or a dot, whiskers for the interval, a labelled axis. The templates draw what this
module measures, so every chart is laid out the same way."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlpbench.report.leaderboard import Board, model_label
from nlpbench.report.page.axes import Axis, fit_axis
from nlpbench.report.page.formatting import number_or_none, p_text, value_of

ROW_HEIGHT = 22
TOP = 8


@dataclass(frozen=True)
class Row:
    """One row of a chart: ``label`` at the left, a ``bar`` (x, width) and/or a ``dot``
    (x), a ``whisker`` (x from, x to), ``note`` at the right; ``missing`` says why a row
    has no mark (a measure not computed)."""

    label: str
    title: str
    mid: float
    note: str = ""
    bar: tuple[float, float] | None = None
    dot: float | None = None
    whisker: tuple[float, float] | None = None
    missing: bool = False


@dataclass(frozen=True)
class Chart:
    """An SVG chart: rows, an axis at the bottom with ``ticks`` (x, label), dashed ``guides`` (x)."""

    id: str
    label: str
    width: int
    height: int
    left: int
    plot_width: int
    rows: tuple[Row, ...]
    ticks: tuple[tuple[float, str], ...]
    guides: tuple[float, ...] = ()
    bar_colour: str = "#9ec5e8"
    caption: str = ""

    @property
    def top(self) -> int:
        return TOP

    @property
    def axis_y(self) -> float:
        return TOP + ROW_HEIGHT * len(self.rows) + 4

    @property
    def plot_bottom(self) -> float:
        return TOP + ROW_HEIGHT * len(self.rows)


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _mid(index: int) -> float:
    return TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2


def _height(rows: int) -> int:
    return TOP + ROW_HEIGHT * rows + 28


def tick_label(value: float, fmt: str = ".4g") -> str:
    """A tick's label: thousands written out (50,000, not 5e+04), the rest in ``fmt``."""
    return f"{value:,.0f}" if abs(value) >= 1000 else format(value, fmt)


def _tick_marks(axis: Axis, left: int, width: int, fmt: str) -> tuple[tuple[float, str], ...]:
    return tuple((axis.position(t, left, width), tick_label(t, fmt)) for t in axis.ticks)


def score_chart(chart_id: str, board: Board, metric: str) -> Chart | None:
    """Each ok model's score on ``metric`` as a bar from zero, its interval as whiskers,
    on an axis fitted to the data (see :mod:`.axes`); None when no model has a score."""
    cells = [c for c in board.rows if c.get("status") == "ok" and value_of(c, metric) is not None]
    if not cells:
        return None
    points = [v for c in cells for k in ("value", "ci_low", "ci_high") if (v := value_of(c, metric, k)) is not None]
    # a bounded scale (accuracy's 0–1) is kept when the data fill a good part of it; an open one is not
    scales = [(c.get("metrics") or {}).get(metric, {}).get("scale") or () for c in cells]
    scale = next((tuple(number_or_none(b) for b in s) for s in scales if len(s) == 2), ())
    axis = fit_axis(points, scale)
    left, width = 170, 280  # two charts side by side in the page's 72rem

    def x(v: float) -> float:
        return axis.position(v, left, width)

    rows = []
    for i, cell in enumerate(cells):
        label = model_label(cell)
        value = value_of(cell, metric)
        assert value is not None
        low, high = value_of(cell, metric, "ci_low"), value_of(cell, metric, "ci_high")
        interval = f" [{low:.4g}, {high:.4g}]" if low is not None and high is not None else ""
        start, end = sorted((x(0.0), x(value)))
        rows.append(
            Row(
                label=_short(label, 26),
                title=f"{label}: {value:.4g}{interval}",
                mid=_mid(i),
                note=f"{value:.4g}",
                bar=(start, max(end - start, 0.5)),
                dot=x(value),
                whisker=(x(low), x(high)) if low is not None and high is not None else None,
            )
        )
    arrow = "↑" if board.directions.get(metric, True) else "↓"
    return Chart(
        id=chart_id,
        label=f"{board.task} {metric}",
        caption=f"{metric} {arrow}",
        width=left + width + 90,
        height=_height(len(rows)),
        left=left,
        plot_width=width,
        rows=tuple(rows),
        ticks=_tick_marks(axis, left, width, ".4g"),
    )


def interval_of(entry: Mapping[str, Any]) -> tuple[float | None, float | None]:
    low, high = number_or_none(entry.get("ci_low")), number_or_none(entry.get("ci_high"))
    return (low, high) if low is not None and high is not None else (None, None)


def audit_label(entry: Mapping[str, Any]) -> str:
    return f"{entry.get('model')} · {entry.get('group')}"


def forest_chart(chart_id: str, measure: str, entries: Sequence[Mapping[str, Any]]) -> Chart:
    """Shifts (or per-group levels) of one audit measure: a dot at each estimate, whiskers
    for its interval, a dashed line at zero, on an axis fitted to the data and zero."""
    points = [v for e in entries for v in (number_or_none(e.get("value")), *interval_of(e)) if v is not None]
    axis = fit_axis(points)
    left, width = 190, 280

    def x(v: float) -> float:
        return axis.position(v, left, width)

    rows = []
    for i, entry in enumerate(entries):
        label = audit_label(entry)
        value = number_or_none(entry.get("value"))
        low, high = interval_of(entry)
        if value is None:
            why = str(entry.get("reason") or "not computed")
            rows.append(Row(_short(label, 30), f"{label}: {why}", _mid(i), "not computed", missing=True))
            continue
        interval = f" [{low:+.4g}, {high:+.4g}]" if low is not None and high is not None else ""
        extra = f", n {entry.get('n')}" + (
            f", p {p_text(number_or_none(entry.get('p_value')))}" if "p_value" in entry else ""
        )
        rows.append(
            Row(
                label=_short(label, 30),
                title=f"{label}: {value:+.4g}{interval}{extra}",
                mid=_mid(i),
                note=f"{value:+.3g} {interval.strip() or 'no interval'}",
                dot=x(value),
                whisker=(x(low), x(high)) if low is not None and high is not None else None,
            )
        )
    return Chart(
        id=chart_id,
        label=measure,
        caption=measure,
        width=left + width + 200,
        height=_height(len(rows)),
        left=left,
        plot_width=width,
        rows=tuple(rows),
        ticks=_tick_marks(axis, left, width, ".3g"),
        guides=(x(0.0),),
    )


def proportion_chart(chart_id: str, measure: str, entries: Sequence[Mapping[str, Any]]) -> Chart:
    """Rates on their 0–1 scale (flips: the share of perturbed examples whose prediction
    changed): bars from 0, the exact interval as whiskers, k/m beside, and the null a
    proportion is tested against as a dashed line."""
    axis = Axis(0.0, 1.0, (0.0, 0.5, 1.0))
    left, width = 190, 240

    def x(v: float) -> float:
        return axis.position(min(max(v, 0.0), 1.0), left, width)

    nulls = sorted({v for e in entries if (v := number_or_none(e.get("null"))) is not None and 0.0 <= v <= 1.0})
    rows = []
    for i, entry in enumerate(entries):
        label = audit_label(entry)
        value = number_or_none(entry.get("value"))
        if value is None:
            why = str(entry.get("reason") or "not computed")
            rows.append(Row(_short(label, 30), f"{label}: {why}", _mid(i), "not computed", missing=True))
            continue
        low, high = interval_of(entry)
        counts = f"{entry.get('k')}/{entry.get('m')}" if "k" in entry and "m" in entry else f"n {entry.get('n')}"
        interval = f" [{low:.3f}, {high:.3f}]" if low is not None and high is not None else ""
        test = (
            f"; p {p_text(number_or_none(entry.get('p_value')))} against {entry.get('null')}" if "null" in entry else ""
        )
        rows.append(
            Row(
                label=_short(label, 30),
                title=f"{label}: {value:.3f}{interval} ({counts}){test}",
                mid=_mid(i),
                note=f"{counts} = {value:.2f}{interval}",
                bar=(left, max(x(value) - left, 0.5)),
                whisker=(x(low), x(high)) if low is not None and high is not None else None,
            )
        )
    return Chart(
        id=chart_id,
        label=measure,
        caption=measure,
        width=left + width + 230,
        height=_height(len(rows)),
        left=left,
        plot_width=width,
        rows=tuple(rows),
        ticks=_tick_marks(axis, left, width, "g"),
        guides=tuple(x(v) for v in nulls),
        bar_colour="#f0b27a",
    )
