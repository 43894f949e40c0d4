"""Matthews correlation coefficient, binary or multiclass."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from nlpbench import MetricExample

from . import examples
from .base import ClassificationMetric

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from .confusion import Counts


class MccMetric(ClassificationMetric):
    """Matthews correlation coefficient between predicted and reference labels (scikit-learn's formula, -1 to 1).

    "No answer" takes part as a class of its own, so unanswered examples lower the
    correlation. With one class only (all references, or all predictions, alike)
    the coefficient is undefined and, as in scikit-learn, scored 0.0.
    """

    name: ClassVar[str] = "mcc"
    scale: ClassVar[tuple[float, float]] = (-1.0, 1.0)
    example: ClassVar[MetricExample] = MetricExample(examples.PREDICTIONS, examples.REFERENCES, value=0.25)

    def score_confusions(self, counts: Counts) -> npt.NDArray[np.float64]:
        from . import confusion

        return confusion.matthews(counts)
