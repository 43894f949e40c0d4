"""Accuracy: the share of examples whose prediction is the reference label."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from nlpbench import MetricExample

from . import examples
from .base import ClassificationMetric

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from .confusion import Counts


class AccuracyMetric(ClassificationMetric):
    """Accuracy: the share of predictions equal to the reference label (scikit-learn's formula, 0-1)."""

    name: ClassVar[str] = "accuracy"
    #: Each example is right or wrong: paired comparisons use the exact McNemar test.
    binary_outcomes: ClassVar[bool] = True
    #: Each example's right-or-wrong is its own accuracy.
    corpus_only: ClassVar[bool] = False
    example: ClassVar[MetricExample] = MetricExample(examples.PREDICTIONS, examples.REFERENCES, value=4 / 6)

    def score_confusions(self, counts: Counts) -> npt.NDArray[np.float64]:
        from . import confusion

        return confusion.accuracy(counts)
