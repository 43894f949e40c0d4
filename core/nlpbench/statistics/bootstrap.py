"""Confidence intervals by a seeded bootstrap over examples.

Every metric's interval comes from the same resamples of the task's examples (the
seed depends on the suite's seed and the task, not on the model), so two models
scored on the same examples are resampled identically: the basis of paired tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from nlpbench.contracts.seeds import derived_seed

__all__ = [
    "Estimate",
    "binomial_cdf",
    "bootstrap",
    "clopper_pearson",
    "derived_seed",
    "percentile_interval",
    "resample_blocks",
    "resample_indices",
    "resample_scores",
]

#: Resample rows are drawn and scored a block at a time, each block about this many
#: example indices (2 MB of int64, and a metric's gathers of them), so the working set
#: of a bootstrap stays the same whatever the number of examples: the whole matrix of
#: resamples × examples would be 70 MB for 8,720 examples and 1,000 resamples.
BLOCK_ELEMENTS = 1 << 18


def resample_indices(n: int, resamples: int, seed: int) -> npt.NDArray[np.int64]:
    """``resamples`` rows of ``n`` example indices drawn with replacement: the resamples
    every interval and paired test of a task shares. :func:`resample_blocks` gives the
    same rows a block at a time."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, n, size=(resamples, n), dtype=np.int64)


def block_rows(n: int, block_elements: int = BLOCK_ELEMENTS) -> int:
    """How many rows of ``n`` indices make a block of about ``block_elements`` (at least one)."""
    return max(1, block_elements // max(n, 1))


def resample_blocks(
    n: int, resamples: int, seed: int, *, block_elements: int = BLOCK_ELEMENTS
) -> Iterator[npt.NDArray[np.int64]]:
    """The rows of :func:`resample_indices` ``(n, resamples, seed)``, in consecutive blocks
    of about ``block_elements`` indices: the same values to the last bit, as one generator
    draws them in the same order (numpy's PCG64 keeps a half-used 64-bit draw in its
    state, so a block boundary never skips one; a test holds this)."""
    rng = np.random.default_rng(seed)
    rows = block_rows(n, block_elements)
    for start in range(0, resamples, rows):
        yield rng.integers(0, n, size=(min(rows, resamples - start), n), dtype=np.int64)


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
    block_elements: int = BLOCK_ELEMENTS,
) -> Estimate:
    """The aggregate of ``stats`` and its ``confidence`` interval from ``resamples`` resamples.

    The resamples are :func:`resample_indices` ``(len(stats), resamples, seed)``, drawn
    and scored a block of about ``block_elements`` indices at a time (the interval is the
    same whatever the block: only the memory differs). With no examples, or no
    resamples, only the value (or nothing) is returned.
    """
    n = len(stats)
    if n == 0:
        return Estimate(None, None, None)
    value = _finite(aggregate(stats))
    if resamples == 0 or n == 1:
        return Estimate(value, None, None)
    scores = resample_scores(
        stats, aggregate, resamples=resamples, seed=seed, aggregate_resamples=aggregate_resamples,
        block_elements=block_elements,
    )  # fmt: skip
    low, high = percentile_interval(scores, confidence)
    return Estimate(value, low, high)


def resample_scores(
    stats: npt.NDArray[np.float64],
    aggregate: Callable[[npt.NDArray[np.float64]], float],
    *,
    resamples: int,
    seed: int,
    aggregate_resamples: Callable[[npt.NDArray[np.float64], npt.NDArray[np.int64]], Any] | None = None,
    block_elements: int = BLOCK_ELEMENTS,
) -> npt.NDArray[np.float64]:
    """The aggregate of ``stats`` on each resample of :func:`resample_indices`
    ``(len(stats), resamples, seed)``, drawn and scored a block at a time (with
    ``aggregate_resamples`` when given, which scores a block of index rows at once)."""
    blocks = [
        np.asarray(aggregate_resamples(stats, rows), dtype=np.float64).reshape(-1)
        if aggregate_resamples is not None
        else np.array([aggregate(stats[row]) for row in rows], dtype=np.float64)
        for rows in resample_blocks(len(stats), resamples, seed, block_elements=block_elements)
    ]
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float64)


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
