"""Corpus chrF and chrF++, by sacrebleu: an F-score over character (and word) n-grams."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, cast

from nlpbench import MetricExample

from . import translation_examples as examples
from .translation import SacrebleuMetric, flag, whole

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: sacrebleu's stand-in for a precision or recall with nothing to divide by.
EPSILON = 1e-16


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
    options: ClassVar[tuple[str, ...]] = (
        "char_order",
        "word_order",
        "beta",
        "lowercase",
        "whitespace",
        "eps_smoothing",
    )
    example: ClassVar[MetricExample] = MetricExample(examples.PREDICTIONS, examples.REFERENCES, value=examples.CHRF)

    @property
    def width(self) -> int:
        return 3 * (int(self.settings["char_order"]) + int(self.settings["word_order"]))

    @classmethod
    def resolve(cls, options: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "char_order": whole(options, "char_order", 6, least=1),
            "word_order": whole(options, "word_order", 0, least=0),
            "beta": whole(options, "beta", 2, least=1),
            "lowercase": flag(options, "lowercase", False),
            "whitespace": flag(options, "whitespace", False),
            "eps_smoothing": flag(options, "eps_smoothing", False),
        }

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
