"""Macro-averaged F1: every label counts the same, however rare."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from nlpbench import MetricExample

from . import examples
from .base import ClassificationMetric

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from .confusion import Counts


class MacroF1Metric(ClassificationMetric):
    """Macro-F1: the unweighted mean of each label's F1 score (scikit-learn's formula, 0-1)."""

    name: ClassVar[str] = "macro-f1"
    example: ClassVar[MetricExample] = MetricExample(examples.PREDICTIONS, examples.REFERENCES, value=0.625)

    def score_confusions(self, counts: Counts) -> npt.NDArray[np.float64]:
        from . import confusion

        tp, predicted, true, present = confusion.per_label(counts)
        # F1 = 2·tp / (true + predicted): scikit-learn's form, exact when tp is 0
        return confusion.averaged(2 * tp, true + predicted, true, present, "macro")
