"""Corpus chrF and chrF++, by sacrebleu: an F-score over character (and word) n-grams."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, cast

from pydantic import Field

from nlpbench import MetricExample, Options

from . import translation_examples as examples
from .translation import SacrebleuMetric

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: sacrebleu's stand-in for a precision or recall with nothing to divide by.
EPSILON = 1e-16


class ChrfOptions(Options):
    """sacrebleu's ``CHRF`` options."""

    char_order: int = Field(6, ge=1, le=20, description="the longest character n-grams counted")
    word_order: int = Field(0, ge=0, le=10, description="the longest word n-grams counted: 0 for chrF, 2 for chrF++")
    beta: int = Field(2, ge=1, le=10, description="recall weighs beta times as much as precision")
    lowercase: bool = Field(False, description="compare in lower case")
    whitespace: bool = Field(False, description="count spaces as part of character n-grams")
    eps_smoothing: bool = Field(
        False, description="average every order with a tiny epsilon for empty ones (chrF++.py's way) instead of "
        "sacrebleu's default, the orders that occur"
    )  # fmt: skip


class ChrfMetric(SacrebleuMetric):
    """Corpus chrF (sacrebleu, 0-100): F-beta of character n-gram precision and recall; chrF++ with word_order 2.

    Options, as sacrebleu's ``CHRF`` takes them: ``char_order`` (6), ``word_order``
    (0 for chrF, 2 for chrF++), ``beta`` (2: recall weighs twice as much as
    precision), ``lowercase`` (false), ``whitespace`` (false: spaces are not part of
    character n-grams) and ``eps_smoothing`` (false: sacrebleu's default, which
    averages over the orders that occur).

    Statistics per segment are sacrebleu's: ``[hypothesis, reference, matched]``
    n-gram counts for each character order, then each word order, taken from the
    reference with the best sentence-level F-score.
    """

    name: ClassVar[str] = "chrf"
    options: ClassVar[type[Options]] = ChrfOptions
    example: ClassVar[MetricExample] = MetricExample(examples.PREDICTIONS, examples.REFERENCES, value=examples.CHRF)

    @property
    def width(self) -> int:
        return 3 * (int(self.settings["char_order"]) + int(self.settings["word_order"]))

    @staticmethod
    def build(settings: Mapping[str, Any], references: Sequence[Sequence[str | None]] | None) -> Any:
        from sacrebleu.metrics.chrf import CHRF

        # sacrebleu drops None references (a segment with fewer), though its hints say str
        return CHRF(**settings, references=cast("Sequence[Sequence[str]] | None", references))

    def score_sums(self, sums: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """``CHRF._compute_f_score`` on each row, step for step."""
        import numpy as np

        orders = int(self.settings["char_order"]) + int(self.settings["word_order"])
        factor = int(self.settings["beta"]) ** 2
        resamples = len(sums)
        score = np.zeros(resamples)
        average_precision = np.zeros(resamples)
        average_recall = np.zeros(resamples)
        effective = np.zeros(resamples, dtype=np.int64)
        with np.errstate(divide="ignore", invalid="ignore"):
            for i in range(orders):
                hyp, ref, match = sums[:, 3 * i], sums[:, 3 * i + 1], sums[:, 3 * i + 2]
                precision = np.where(hyp > 0, match / hyp, EPSILON)
                recall = np.where(ref > 0, match / ref, EPSILON)
                denominator = factor * precision + recall
                score = score + np.where(denominator > 0, (1 + factor) * precision * recall / denominator, EPSILON)
                both = (hyp > 0) & (ref > 0)
                average_precision = average_precision + np.where(both, precision, 0.0)
                average_recall = average_recall + np.where(both, recall, 0.0)
                effective += both
            if self.settings["eps_smoothing"]:
                return 100 * score / orders
            average_precision = np.where(effective == 0, 0.0, average_precision / effective)
            average_recall = np.where(effective == 0, 0.0, average_recall / effective)
            f_score = (1 + factor) * average_precision * average_recall
            f_score = f_score / (factor * average_precision + average_recall)
            return np.where(average_precision + average_recall != 0, 100 * f_score, 0.0)
