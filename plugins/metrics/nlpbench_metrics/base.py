"""What every classification metric shares: label statistics, options, the fast path.

Statistics are one row per example, ``[prediction index, reference index]`` over
the metric's label vocabulary, so any subset of rows (a bootstrap resample) can be
re-scored exactly without seeing the labels again. Scores are read off confusion
matrices with scikit-learn's formulas (:mod:`.confusion`); scikit-learn itself is
imported only by the tests that check the two agree, since importing it (and scipy
with it) cost a second or more of every run for arithmetic numpy does in microseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from nlpbench import MetricError, MetricExample, Options, StatsArray, parse_options

from .options import NoOptions
from .vocabulary import LabelVocabulary

# numpy is imported where a metric scores, not here: plugin.py
# imports these classes whenever nlpbench lists plugins, which should stay instant
if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from .confusion import Counts

    IntArray = npt.NDArray[np.int64]


class ClassificationMetric:
    """Base of the label metrics: subclasses score confusion matrices as scikit-learn does."""

    #: The metric's registered name.
    name: ClassVar[str] = "classification"
    #: What the suite may give it (checked before anything runs).
    options: ClassVar[type[Options]] = NoOptions
    higher_is_better: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (0.0, 1.0)
    #: Precision, recall, F1 and MCC exist only for a set of labels: one example's
    #: "score" would be whether it is right, which is accuracy's (accuracy says False).
    corpus_only: ClassVar[bool] = True
    example: ClassVar[MetricExample]

    def __init__(self, **options: Any) -> None:
        self.settings = parse_options(self.options, options)
        self.vocabulary = LabelVocabulary()

    # -- the Metric protocol ----------------------------------------------------

    def stats(self, predictions: Sequence[Any], references: Sequence[Sequence[Any]]) -> StatsArray:
        """``[prediction index, reference index]`` per example; the reference is the first one."""
        import numpy as np

        if len(predictions) != len(references):
            raise MetricError(f"{len(predictions)} predictions but {len(references)} references")
        gold = []
        for position, refs in enumerate(references):
            if isinstance(refs, (str, bytes)) or not isinstance(refs, Sequence) or not refs:
                raise MetricError(f"example {position}: references must be a non-empty list of labels, got {refs!r}")
            if refs[0] is None:
                raise MetricError(f"example {position}: the reference label is None")
            gold.append(refs[0])
        self.vocabulary.add([*predictions, *gold])
        self.check_labels({*gold, *(p for p in predictions if p is not None)})
        rows = [
            (self.vocabulary.index(prediction), self.vocabulary.index(reference))
            for prediction, reference in zip(predictions, gold, strict=True)
        ]
        return np.array(rows, dtype=np.float64).reshape(len(rows), 2)

    def aggregate(self, stats: StatsArray) -> float:
        """The score of these rows, off their confusion matrix (NaN when empty)."""
        import numpy as np

        if len(stats) == 0:
            return float("nan")
        decode(stats)  # checks the shape
        everything = np.arange(len(stats), dtype=np.int64)[None, :]
        return float(self.aggregate_resamples(stats, everything)[0])

    # -- optional parts of the protocol -----------------------------------------

    def aggregate_resamples(self, stats: StatsArray, indices: npt.NDArray[np.integer]) -> npt.NDArray[np.float64]:
        """The score of each resample (a row of example indices), all at once."""
        import numpy as np

        from .confusion import confusion_matrices

        indices = np.asarray(indices)
        if indices.ndim != 2:
            raise MetricError(f"resample indices must be 2-dimensional, not shape {indices.shape}")
        if len(stats) == 0 or indices.shape[1] == 0:
            return np.full(indices.shape[0], np.nan)
        return self.score_confusions(confusion_matrices(stats, indices))

    def example_score(self, row: StatsArray) -> float:
        """1.0 when the example's prediction is its reference, else 0.0."""
        return 1.0 if row[0] == row[1] else 0.0  # a reference is never "no answer"

    # -- what subclasses provide ------------------------------------------------

    def check_labels(self, labels: set[Any]) -> None:
        """Raise MetricError if the labels don't suit the metric's options (default: any do)."""

    def score_confusions(self, counts: Counts) -> npt.NDArray[np.float64]:
        """The score of each confusion matrix (see :mod:`nlpbench_metrics.confusion`)."""
        raise NotImplementedError


def decode(stats: StatsArray) -> tuple[IntArray, IntArray]:
    """Prediction and reference indices from ``stats``."""
    import numpy as np

    if stats.ndim != 2 or stats.shape[1] != 2:
        raise MetricError(f"expected statistics of shape (n, 2), got {stats.shape}")
    return stats[:, 0].astype(np.int64), stats[:, 1].astype(np.int64)
