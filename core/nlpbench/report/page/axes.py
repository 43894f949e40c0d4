"""Axes that fit the data: a BLEU of 0.44 on sacrebleu's 0–100 scale gets an axis from 0
to 0.5, not one on which its bar is a pixel wide.

A metric's whole scale is kept when the data spans a good part of it (accuracies from
0.5 to 0.9 are drawn on 0–1, so a glance compares them with the possible range);
otherwise the axis is the data's own range rounded out to the next round ticks.
Zero is always on a bar chart's axis, since bars start there."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: The data must span this share of a bounded scale for the whole scale to be drawn.
WHOLE_SCALE_SHARE = 0.25
#: About how many intervals between ticks.
TICKS = 4


@dataclass(frozen=True)
class Axis:
    """A linear axis from ``low`` to ``high`` with labelled ``ticks``."""

    low: float
    high: float
    ticks: tuple[float, ...]

    def position(self, value: float, left: float, width: float) -> float:
        """Where ``value`` falls on a plot from ``left`` spanning ``width`` pixels."""
        return left + (value - self.low) / (self.high - self.low) * width


def nice_step(span: float, intervals: int = TICKS) -> float:
    """A round tick spacing (1, 2, 2.5 or 5 times a power of ten) giving about ``intervals`` intervals."""
    raw = span / intervals
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * magnitude >= raw * (1 - 1e-9))


def _ticks(low: float, high: float, step: float) -> tuple[float, ...]:
    """The multiples of ``step`` from ``low`` to ``high`` (rounded, so 0.1 × 3 reads 0.3)."""
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    return tuple(round(i * step, 12) + 0.0 for i in range(first, last + 1))


def fit_axis(values: Iterable[float], scale: Sequence[float | None] = (), *, zero: bool = True) -> Axis:
    """The axis for ``values`` (scores and interval bounds) of a metric whose range is
    ``scale`` (``(low, high)``, an unbounded end None or infinite); ``zero`` keeps 0 on it."""
    points = [v for v in values if math.isfinite(v)]
    if zero or not points:
        points.append(0.0)
    low, high = min(points), max(points)
    bounds = [b for b in scale if b is not None and math.isfinite(b)]
    if len(bounds) == 2 and bounds[0] < bounds[1]:
        scale_low, scale_high = bounds
        if scale_low <= low and high <= scale_high and high - low >= WHOLE_SCALE_SHARE * (scale_high - scale_low):
            return Axis(scale_low, scale_high, _ticks(scale_low, scale_high, nice_step(scale_high - scale_low)))
    if high - low <= 0:  # one value, or all alike: a unit axis from it
        return Axis(low, low + 1.0, _ticks(low, low + 1.0, 0.25))
    step = nice_step(high - low)
    # rounded out to whole steps, which leaves room; never past a bound of the scale the data respects
    rounded_low = round(math.floor(low / step + 1e-9) * step, 12)
    rounded_high = round(math.ceil(high / step - 1e-9) * step, 12)
    if len(bounds) == 2:
        rounded_low = max(rounded_low, min(bounds[0], low))
        rounded_high = min(rounded_high, max(bounds[1], high))
    return Axis(rounded_low, rounded_high, _ticks(rounded_low, rounded_high, step))
