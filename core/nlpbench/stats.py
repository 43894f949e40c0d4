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

__all__ = [
    "Estimate",
    "binomial_cdf",
    "bootstrap",
    "clopper_pearson",
    "derived_seed",
    "percentile_interval",
    "resample_indices",
]


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


def percentile_interval(replicates: Any, confidence: float) -> tuple[float | None, float | None]:
    """The percentile interval of bootstrap ``replicates`` at ``confidence``: their
    α/2 and 1 − α/2 quantiles, non-finite replicates left out; (None, None) when none is finite."""
    finite = np.asarray(replicates, dtype=np.float64).ravel()
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return None, None
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(finite, [alpha, 1.0 - alpha])
    return float(low), float(high)


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
    low, high = percentile_interval(scores, confidence)
    return Estimate(value, low, high)


def _binomial_log_pmf(k: int, n: int, p: float) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(p) + (n - k) * math.log1p(-p)


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), summed in log space (exact enough for any n a run has)."""
    if k < 0:
        return 0.0
    if k >= n or p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    return min(1.0, sum(math.exp(_binomial_log_pmf(i, n, p)) for i in range(k + 1)))


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper-Pearson) interval of a proportion ``k / n``: the ``p`` at which
    seeing ``k`` or more (for the low end), or ``k`` or fewer (for the high end), has
    probability ``(1 - confidence) / 2``. Found by bisection on the binomial CDF, so no
    beta quantiles (and no SciPy) are needed. It never undercovers."""
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n > 0, not k={k}, n={n}")
    alpha = (1.0 - confidence) / 2.0

    def solve(target: Callable[[float], float]) -> float:
        low, high = 0.0, 1.0  # target is increasing in p
        for _ in range(80):
            middle = (low + high) / 2.0
            if target(middle) < 0:
                low = middle
            else:
                high = middle
        return (low + high) / 2.0

    lower = 0.0 if k == 0 else solve(lambda p: (1.0 - binomial_cdf(k - 1, n, p)) - alpha)
    upper = 1.0 if k == n else solve(lambda p: alpha - binomial_cdf(k, n, p))
    return lower, upper
