"""The deletion check of token attributions: remove the most attributed tokens and see the
explained value fall, against removing as many tokens at random (docs/attributions.md).

For one example with ``n`` deletable tokens, at each fraction ``q`` of :data:`FRACTIONS`
the first ``ceil(q · n)`` tokens of an order are removed; the *drop* is f(x) minus the
value without them. The deletion curve's area (the mean drop over the fractions, a
trapezoid on [0, 1] starting from no drop at q = 0) is computed for the attribution's
order (highest score first) and for random orders (seeded, averaged); a faithful
attribution's area is the larger. The difference per example is bootstrapped over the
examples, with the core's bootstrap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlpbench.statistics.bootstrap import bootstrap

#: The fractions of the deletable tokens removed, one deletion each.
FRACTIONS: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def attribution_order(scores: Sequence[float], deletable: Sequence[int]) -> list[int]:
    """The deletable positions, highest attribution first (ties: earlier position first)."""
    return sorted(deletable, key=lambda position: (-scores[position], position))


def random_orders(deletable: Sequence[int], count: int, seed: int) -> list[list[int]]:
    """``count`` seeded permutations of the deletable positions."""
    rng = np.random.default_rng(seed)
    return [[int(deletable[i]) for i in rng.permutation(len(deletable))] for _ in range(count)]


def removals(order: Sequence[int], fractions: Sequence[float] = FRACTIONS) -> list[tuple[int, ...]]:
    """For each fraction, the first ``ceil(fraction · n)`` positions of ``order`` (sorted)."""
    n = len(order)
    return [tuple(sorted(order[: math.ceil(round(q * n, 9))])) for q in fractions]


def curve_area(drops: Sequence[float], fractions: Sequence[float] = FRACTIONS) -> float:
    """The area under the deletion curve (fraction removed → drop), by trapezoids from
    (0, 0): the mean drop when the fractions are evenly spaced up to 1."""
    xs = [0.0, *fractions]
    ys = [0.0, *drops]
    return float(sum((xs[i + 1] - xs[i]) * (ys[i + 1] + ys[i]) / 2 for i in range(len(drops))))


@dataclass(frozen=True)
class ExampleDeletion:
    """One example's two deletion curves (the random one averaged over its orders)."""

    attributed: list[float]
    random: list[float]

    @property
    def attributed_area(self) -> float:
        return curve_area(self.attributed)

    @property
    def random_area(self) -> float:
        return curve_area(self.random)


def example_deletion(value: float, attributed: Sequence[float], randoms: Sequence[Sequence[float]]) -> ExampleDeletion:
    """The drops from ``value`` (f(x)) of the attributed order's values and the mean drops of the random orders'."""
    drops = [value - v for v in attributed]
    random_drops = np.mean([[value - v for v in order] for order in randoms], axis=0) if randoms else []
    return ExampleDeletion(drops, [float(d) for d in random_drops])


def faithfulness_summary(
    deletions: Sequence[ExampleDeletion], *, resamples: int, confidence: float, seed: int
) -> dict[str, Any]:
    """The areas under the attribution and random curves, and their difference, each with a
    bootstrap interval over the examples; the mean curves; whether the check passed (the
    difference's interval above 0, or with no interval its value)."""
    if not deletions:
        return {"examples": 0, "passed": None, "reason": "no example had a token to delete"}
    rows = np.array(
        [[d.attributed_area, d.random_area, d.attributed_area - d.random_area] for d in deletions], dtype=np.float64
    )

    def estimate(column: int) -> dict[str, float | None]:
        found = bootstrap(
            rows[:, [column]], lambda stats: float(np.mean(stats[:, 0])), resamples=resamples,
            confidence=confidence, seed=seed,
        )  # fmt: skip
        return {"value": found.value, "ci_low": found.ci_low, "ci_high": found.ci_high}

    difference = estimate(2)
    low, value = difference["ci_low"], difference["value"]
    passed = (low > 0) if low is not None else (value is not None and value > 0)
    return {
        "examples": len(deletions),
        "attribution_auc": estimate(0),
        "random_auc": estimate(1),
        "difference": difference,
        "passed": bool(passed),
        "fractions": list(FRACTIONS),
        "curve": {
            "attribution": [float(x) for x in np.mean([d.attributed for d in deletions], axis=0)],
            "random": [float(x) for x in np.mean([d.random for d in deletions], axis=0)],
        },
    }
