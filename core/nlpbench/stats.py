"""Confidence intervals by a seeded bootstrap over examples.

Every metric's interval comes from the same resamples of the task's examples (the
seed depends on the suite's seed and the task, not on the model), so two models
scored on the same examples are resampled identically: the basis of paired tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .seeds import derived_seed

__all__ = ["Estimate", "bootstrap", "derived_seed", "resample_indices"]


def resample_indices(n: int, resamples: int, seed: int) -> npt.NDArray[np.int64]:
    """``resamples`` rows of ``n`` example indices drawn with replacement."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, n, size=(resamples, n), dtype=np.int64)


@dataclass(frozen=True)
class Estimate:
    """A score and its percentile bootstrap interval (None when it can't be computed)."""

    value: float | None
    ci_low: float | None
    ci_high: float | None


def _finite(value: Any) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def bootstrap(
    stats: npt.NDArray[np.float64],
    aggregate: Callable[[npt.NDArray[np.float64]], float],
    *,
    resamples: int,
    confidence: float,
    seed: int,
    aggregate_resamples: Callable[[npt.NDArray[np.float64], npt.NDArray[np.int64]], Any] | None = None,
) -> Estimate:
    """The aggregate of ``stats`` and its ``confidence`` interval from ``resamples`` resamples.

    With no examples, or no resamples, only the value (or nothing) is returned.
    """
    n = len(stats)
    if n == 0:
        return Estimate(None, None, None)
    value = _finite(aggregate(stats))
    if resamples == 0 or n == 1:
        return Estimate(value, None, None)
    indices = resample_indices(n, resamples, seed)
    if aggregate_resamples is not None:
        scores = np.asarray(aggregate_resamples(stats, indices), dtype=np.float64)
    else:
        scores = np.array([aggregate(stats[row]) for row in indices], dtype=np.float64)
    scores = scores[np.isfinite(scores)]
    if scores.size == 0:
        return Estimate(value, None, None)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(scores, [alpha, 1.0 - alpha])
    return Estimate(value, _finite(low), _finite(high))
