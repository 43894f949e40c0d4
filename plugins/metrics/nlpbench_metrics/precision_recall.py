"""Precision and recall, averaged over labels as the suite asks (macro by default)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from nlpbench import MetricError, MetricExample, Options

from . import examples
from .base import ClassificationMetric
from .options import AveragingOptions

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from .confusion import Counts, Scores


class AveragedMetric(ClassificationMetric):
    """Base of precision and recall: the ``average`` and ``positive`` options."""

    options: ClassVar[type[Options]] = AveragingOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        settings = cast(AveragingOptions, self.settings)
        self.average: str = settings.average
        self.positive = positive = settings.positive
        if positive is not None:
            # give it an index up front, so binary scoring has one even before it is seen
            self.vocabulary.add([positive])

    def check_labels(self, labels: set[Any]) -> None:
        """With binary averaging, the labels must be two at most, one of them ``positive``."""
        if self.average != "binary":
            return
        shown = ", ".join(sorted(map(repr, labels)))
        if len(labels) > 2:
            raise MetricError(
                f"average 'binary' needs two labels, got {len(labels)}: {shown}; use average macro, micro or weighted"
            )
        if len(labels) == 2 and self.positive not in labels:
            raise MetricError(f"the positive label {self.positive!r} is not one of the labels: {shown}")

    def ratio(
        self,
        tp: Scores,
        denominator: Scores,
        true: Scores,
        present: npt.NDArray[np.bool_],
    ) -> npt.NDArray[np.float64]:
        from . import confusion

        if self.average == "binary":
            return confusion.single_label(tp, denominator, self.vocabulary.index(self.positive))
        return confusion.averaged(tp, denominator, true, present, self.average)


class PrecisionMetric(AveragedMetric):
    """Precision: of the examples predicted as a label, the share that have it (scikit-learn's formula, 0-1).

    Options: ``average`` (macro, micro, weighted or binary; default macro) and, for
    binary, ``positive``: the label whose precision is reported.
    """

    name: ClassVar[str] = "precision"
    example: ClassVar[MetricExample] = MetricExample(examples.PREDICTIONS, examples.REFERENCES, value=0.625)

    def score_confusions(self, counts: Counts) -> npt.NDArray[np.float64]:
        from . import confusion

        tp, predicted, true, present = confusion.per_label(counts)
        return self.ratio(tp, predicted, true, present)


class RecallMetric(AveragedMetric):
    """Recall: of the examples with a reference label, the share predicted as it (scikit-learn's formula, 0-1).

    Options: ``average`` (macro, micro, weighted or binary; default macro) and, for
    binary, ``positive``: the label whose recall is reported.
    """

    name: ClassVar[str] = "recall"
    example: ClassVar[MetricExample] = MetricExample(examples.PREDICTIONS, examples.REFERENCES, value=0.625)

    def score_confusions(self, counts: Counts) -> npt.NDArray[np.float64]:
        from . import confusion

        tp, _, true, present = confusion.per_label(counts)
        return self.ratio(tp, true, true, present)
