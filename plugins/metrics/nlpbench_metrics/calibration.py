"""Calibration: how well a model's probabilities match how often it is right.

Both read each example's probabilities (``uses_probabilities``: the task's
``probabilities`` hook gives, per example, label or choice → probability) and the
example's first reference, whose key in that mapping is ``str(reference)``.

- ``brier``: the multi-class Brier score, per example ``sum_k (p_k - y_k)^2`` with
  ``y`` one-hot on the right answer (0 to 2; for two classes twice scikit-learn's
  ``brier_score_loss``), averaged; lm-evaluation-harness's ``brier_score``.
- ``ece``: the expected calibration error of the top label: examples go into ``bins``
  equal-width bins of their highest probability (the confidence; bin ``b`` holds
  ``(b/M, (b+1)/M]``, a confidence of 0 the first); ECE is the examples-weighted mean
  of ``|accuracy - mean confidence|`` over the bins.

Both are written here, a few lines of NumPy each: scikit-learn's Brier score is binary
only and no kept library computes the binned ECE on sufficient statistics that a
bootstrap can resample (torchmetrics needs torch tensors and recomputes per call).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from nlpbench import MetricError, MetricExample, Options, StatsArray, parse_options

from .options import NoOptions

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: Both cards' worked example: four examples of two labels; right with confidence 0.9
#: and 0.6, wrong with 0.8 and 0.7.
EXAMPLE_PREDICTIONS = ("positive", "negative", "positive", "negative")
EXAMPLE_REFERENCES = (("positive",), ("negative",), ("negative",), ("positive",))
EXAMPLE_PROBABILITIES = (
    {"negative": 0.1, "positive": 0.9},
    {"negative": 0.6, "positive": 0.4},
    {"negative": 0.2, "positive": 0.8},
    {"negative": 0.7, "positive": 0.3},
)


def _each_example(
    references: Sequence[Sequence[Any]], probabilities: Sequence[Mapping[str, float] | None]
) -> list[tuple[str, dict[str, float]]]:
    """Per example, the key of its first reference and its probabilities, checked."""
    if len(probabilities) != len(references):
        raise MetricError(f"{len(references)} examples but {len(probabilities)} probabilities")
    return [
        _gold_and_probabilities(i, refs, given)
        for i, (refs, given) in enumerate(zip(references, probabilities, strict=True))
    ]


def _gold_and_probabilities(
    position: int, references: Sequence[Any], probabilities: Mapping[str, float] | None
) -> tuple[str, dict[str, float]]:
    if not references:
        raise MetricError(f"example {position}: no reference to calibrate against")
    if not isinstance(probabilities, Mapping) or not probabilities:
        raise MetricError(f"example {position}: no probabilities")
    values = {str(k): float(v) for k, v in probabilities.items()}
    if any(not 0.0 <= v <= 1.0 + 1e-9 for v in values.values()) or abs(sum(values.values()) - 1.0) > 1e-6:
        raise MetricError(f"example {position}: the probabilities must lie in [0, 1] and sum to 1, not {values}")
    return str(references[0]), values


#: The most bins ECE takes: each resample of the bootstrap counts every bin, and more
#: bins than this leave nearly all of them empty on any real test set.
MAX_BINS = 1000


class EceOptions(Options):
    """How ECE bins the examples."""

    bins: int = Field(
        10, ge=1, le=MAX_BINS, description="equal-width bins over the top label's probability (the confidence)"
    )


class _Calibration:
    options: ClassVar[type[Options]] = NoOptions
    uses_probabilities: ClassVar[bool] = True
    higher_is_better: ClassVar[bool] = False
    example: ClassVar[MetricExample]


class BrierMetric(_Calibration):
    """Multi-class Brier score: the squared distance between the probabilities and the one-hot right answer, averaged (lower is better)."""

    name: ClassVar[str] = "brier"
    scale: ClassVar[tuple[float, float]] = (0.0, 2.0)
    # (0.01+0.01) + (0.16+0.16) + (0.64+0.64) + (0.49+0.49), over 4
    example: ClassVar[MetricExample] = MetricExample(
        EXAMPLE_PREDICTIONS, EXAMPLE_REFERENCES, value=(0.02 + 0.32 + 1.28 + 0.98) / 4,
        probabilities=EXAMPLE_PROBABILITIES,
    )  # fmt: skip

    def __init__(self, **options: Any) -> None:
        parse_options(NoOptions, options)

    def stats(
        self,
        predictions: Sequence[Any],
        references: Sequence[Sequence[Any]],
        probabilities: Sequence[Mapping[str, float] | None] = (),
    ) -> StatsArray:
        """Each example's Brier score."""
        import numpy as np

        rows = [
            sum((p - (1.0 if key == gold else 0.0)) ** 2 for key, p in values.items())
            + (0.0 if gold in values else 1.0)
            for gold, values in _each_example(references, probabilities)
        ]
        return np.array(rows, dtype=np.float64).reshape(len(rows), 1)

    def aggregate(self, stats: StatsArray) -> float:
        return float(stats[:, 0].mean()) if len(stats) else float("nan")

    def aggregate_resamples(self, stats: StatsArray, indices: npt.NDArray[np.integer]) -> npt.NDArray[np.float64]:
        import numpy as np

        return np.asarray(stats[:, 0][np.asarray(indices)].mean(axis=1), dtype=np.float64)

    def example_score(self, row: StatsArray) -> float:
        return float(row[0])


class EceMetric(_Calibration):
    """Expected calibration error of the top label, over equal-width confidence bins (default 10; lower is better)."""

    name: ClassVar[str] = "ece"
    options: ClassVar[type[Options]] = EceOptions
    #: Binned over the whole set: one example has no calibration error of its own.
    corpus_only: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (0.0, 1.0)
    # 10 bins: 0.9 right, 0.6 right, 0.8 wrong, 0.7 wrong, each alone in its bin
    # ECE = (|1-0.9| + |1-0.6| + |0-0.8| + |0-0.7|) / 4
    example: ClassVar[MetricExample] = MetricExample(
        EXAMPLE_PREDICTIONS, EXAMPLE_REFERENCES, value=(0.1 + 0.4 + 0.8 + 0.7) / 4,
        probabilities=EXAMPLE_PROBABILITIES,
    )  # fmt: skip

    def __init__(self, **options: Any) -> None:
        self.bins = parse_options(EceOptions, options).bins

    def stats(
        self,
        predictions: Sequence[Any],
        references: Sequence[Sequence[Any]],
        probabilities: Sequence[Mapping[str, float] | None] = (),
    ) -> StatsArray:
        """``[confidence, right]`` per example: the highest probability, and 1 when its
        label (the first of equal highest ones) is the reference."""
        import numpy as np

        rows = []
        for gold, values in _each_example(references, probabilities):
            top = max(values, key=lambda key: values[key])
            rows.append((values[top], 1.0 if top == gold else 0.0))
        return np.array(rows, dtype=np.float64).reshape(len(rows), 2)

    def _bin(self, confidence: Any) -> Any:
        """Each confidence's bin: ``b`` holds ``(b/M, (b+1)/M]``. The edges are ``b/M``
        exactly as floats, so 0.7 lands in (0.6, 0.7], where ``ceil(0.7 * 10) - 1`` would not."""
        import numpy as np

        return np.searchsorted(np.arange(1, self.bins) / self.bins, np.asarray(confidence), side="left")

    def aggregate(self, stats: StatsArray) -> float:
        import numpy as np

        if not len(stats):
            return float("nan")
        bins = self._bin(stats[:, 0])
        counts = np.bincount(bins, minlength=self.bins)
        gap = np.bincount(bins, weights=stats[:, 1] - stats[:, 0], minlength=self.bins)
        return float(np.abs(gap).sum() / counts.sum())

    def aggregate_resamples(self, stats: StatsArray, indices: npt.NDArray[np.integer]) -> npt.NDArray[np.float64]:
        """Every resample's ECE at once: per resample and bin, the summed (right - confidence)."""
        import numpy as np

        indices = np.asarray(indices)
        if not len(stats):
            return np.full(len(indices), np.nan)
        bins = self._bin(stats[:, 0])[indices]  # (resamples, n)
        offsets = bins + self.bins * np.arange(len(indices))[:, None]
        gaps = (stats[:, 1] - stats[:, 0])[indices]
        summed = np.bincount(offsets.ravel(), weights=gaps.ravel(), minlength=self.bins * len(indices))
        return np.asarray(np.abs(summed.reshape(len(indices), self.bins)).sum(axis=1) / indices.shape[1])

    def describe(self) -> dict[str, Any]:
        return {"bins": self.bins, "binning": "equal width over the top label's probability", "label": "top"}
