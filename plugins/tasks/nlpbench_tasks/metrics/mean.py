"""What every per-example metric of this plugin shares: one value per example, and the
score is their mean (so a bootstrap resample is scored from its rows alone)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from nlpbench import MetricError, MetricExample, MetricNotComputed, Options, StatsArray, parse_options

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class NoOptions(Options):
    """The metric takes no options (so a misspelt one is an error, not ignored)."""


class MeanMetric:
    """Base: ``value(prediction, references)`` per example; the score is the mean."""

    name: ClassVar[str] = "mean"
    #: What the suite may give it (checked before anything runs; see nlpbench.Options).
    options: ClassVar[type[Options]] = NoOptions
    higher_is_better: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (0.0, 1.0)
    example: ClassVar[MetricExample]

    def __init__(self, **options: Any) -> None:
        self.settings = parse_options(self.options, options)

    def value(self, prediction: Any, references: Sequence[Any]) -> float:
        raise NotImplementedError

    def stats(self, predictions: Sequence[Any], references: Sequence[Sequence[Any]]) -> StatsArray:
        import numpy as np

        if len(predictions) != len(references):
            raise MetricError(f"{len(predictions)} predictions but {len(references)} references")
        rows = []
        for position, (prediction, refs) in enumerate(zip(predictions, references, strict=True)):
            try:
                rows.append(self.value(prediction, refs))
            except MetricNotComputed:
                raise
            except MetricError as error:
                raise MetricError(f"example {position}: {error}") from None
        return np.array(rows, dtype=np.float64).reshape(len(rows), 1)

    def aggregate(self, stats: StatsArray) -> float:
        return float(stats[:, 0].mean()) if len(stats) else float("nan")

    def aggregate_resamples(self, stats: StatsArray, indices: npt.NDArray[np.integer]) -> npt.NDArray[np.float64]:
        import numpy as np

        if len(stats) == 0:
            return np.full(len(indices), np.nan)
        return np.asarray(stats[:, 0][np.asarray(indices)].mean(axis=1), dtype=np.float64)

    def example_score(self, row: StatsArray) -> float:
        return float(row[0])


def field(prediction: Any, name: str, what: str) -> Any:
    """``prediction[name]``; MetricNotComputed, saying what kind of prediction is needed,
    when the prediction has none (the metric does not apply to this output or strategy)."""
    if not isinstance(prediction, Mapping) or name not in prediction:
        raise MetricNotComputed(f"the predictions have no '{name}': {what}")
    return prediction[name]
