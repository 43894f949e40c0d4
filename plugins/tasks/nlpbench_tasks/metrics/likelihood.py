"""``target-perplexity``: exp of minus the mean log-likelihood of each example's target
continuation, lm-evaluation-harness's ``perplexity`` of a loglikelihood task (LAMBADA).

Unlike ``perplexity`` (pooled over a corpus's tokens), this averages whole targets'
log-likelihoods over examples, so a long target weighs as much as a short one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from nlpbench import MetricError, MetricExample, StatsArray

from .mean import MeanMetric, field

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class TargetPerplexityMetric(MeanMetric):
    """Perplexity of the targets: exp(-mean log-likelihood of each example's target continuation), lm-evaluation-harness's perplexity (lower is better)."""

    name: ClassVar[str] = "target-perplexity"
    higher_is_better: ClassVar[bool] = False
    scale: ClassVar[tuple[float, float]] = (1.0, math.inf)
    example: ClassVar[MetricExample] = MetricExample(
        (
            {"logprob": -1.0, "tokens": 1, "words": 1, "bytes": 4},
            {"logprob": -3.0, "tokens": 2, "words": 1, "bytes": 9},
        ),
        (("word",), ("longer",)),
        value=math.exp(2.0),
    )

    def value(self, prediction: Any, references: Sequence[Any]) -> float:
        logprob = field(prediction, "logprob", "target-perplexity needs the target's log-likelihood")
        if isinstance(logprob, bool) or not isinstance(logprob, (int, float)) or math.isnan(logprob) or logprob > 0:
            raise MetricError(f"'logprob' must be a log-probability, not {logprob!r}")
        return float(logprob)

    def aggregate(self, stats: StatsArray) -> float:
        if not len(stats):
            return float("nan")
        return _exp_minus(float(stats[:, 0].mean()))

    def aggregate_resamples(self, stats: StatsArray, indices: npt.NDArray[np.integer]) -> npt.NDArray[np.float64]:
        import numpy as np

        with np.errstate(over="ignore"):
            return np.exp(-super().aggregate_resamples(stats, indices))

    def example_score(self, row: StatsArray) -> float:
        return _exp_minus(float(row[0]))


def _exp_minus(logprob: float) -> float:
    """exp(-logprob), infinity where that overflows a float."""
    return math.exp(-logprob) if -logprob < 709 else math.inf
