"""Corpus BLEU, by sacrebleu: n-gram precisions and a brevity penalty over the whole corpus."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, cast

from nlpbench import MetricError, MetricExample

from . import translation_examples as examples
from .translation import SacrebleuMetric, choice, flag, whole

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: sacrebleu's floor for log(0): an n-gram order with precision 0 zeroes the score.
LOG_ZERO = -9999999999.0

SMOOTH_METHODS = ("exp", "floor", "add-k", "none")


class BleuMetric(SacrebleuMetric):
    """Corpus BLEU (sacrebleu, 0-100): n-gram precisions and a brevity penalty over the whole corpus.

    Options, as sacrebleu's ``BLEU`` takes them: ``tokenize`` (default ``13a``, the
    WMT convention), ``lowercase`` (false), ``smooth_method`` (``exp``, ``floor``,
    ``add-k`` or ``none``; default ``exp``), ``smooth_value`` (for ``floor`` and
    ``add-k``; sacrebleu's default when not given), ``max_ngram_order`` (4) and
    ``effective_order`` (false).

    Statistics per segment are sacrebleu's: ``[hypothesis length, closest reference
    length, matches of order 1..N, hypothesis n-grams of order 1..N]``.
    """

    name: ClassVar[str] = "bleu"
    options: ClassVar[tuple[str, ...]] = (
        "tokenize",
        "lowercase",
        "smooth_method",
        "smooth_value",
        "max_ngram_order",
        "effective_order",
    )
    example: ClassVar[MetricExample] = MetricExample(examples.PREDICTIONS, examples.REFERENCES, value=examples.BLEU)

    @property
    def width(self) -> int:
        return 2 + 2 * int(self.settings["max_ngram_order"])

    @classmethod
    def resolve(cls, options: Mapping[str, Any]) -> dict[str, Any]:
        from sacrebleu.metrics.bleu import BLEU

        method = choice(options, "smooth_method", "exp", SMOOTH_METHODS)
        value = options.get("smooth_value")
        default = BLEU.SMOOTH_DEFAULTS[method]
        if default is None and value is not None:
            raise MetricError(f"smooth_value only applies with smooth_method floor or add-k (it is '{method}')")
        if value is None:
            value = default
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise MetricError(f"smooth_value must be a positive number, not {value!r}")
        return {
            "tokenize": choice(options, "tokenize", BLEU.TOKENIZER_DEFAULT, tuple(BLEU.TOKENIZERS)),
            "lowercase": flag(options, "lowercase", False),
            "smooth_method": method,
            "smooth_value": value,
            "max_ngram_order": whole(options, "max_ngram_order", 4, least=1),
            "effective_order": flag(options, "effective_order", False),
        }

    @staticmethod
    def build(settings: Mapping[str, Any], references: Sequence[Sequence[str | None]] | None) -> Any:
        from sacrebleu.metrics.bleu import BLEU

        # sacrebleu drops None references (a segment with fewer), though its hints say str
        return BLEU(**settings, references=cast("Sequence[Sequence[str]] | None", references))

    def score_sums(self, sums: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """``BLEU.compute_bleu`` on each row, step for step."""
        import numpy as np

        order = int(self.settings["max_ngram_order"])
        method = self.settings["smooth_method"]
        value = self.settings["smooth_value"]
        sys_len, ref_len = np.floor(sums[:, 0]), np.floor(sums[:, 1])  # sacrebleu takes int() of both
        correct = sums[:, 2 : 2 + order].copy()
        total = sums[:, 2 + order :].copy()
        resamples = len(sums)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            short = np.where(sys_len > 0, np.exp(1 - ref_len / sys_len), 0.0)
            bp = np.where(sys_len < ref_len, short, 1.0)
            no_match = ~(correct != 0).any(axis=1)  # checked before add-k smoothing adds to the counts
            if method == "add-k":
                correct[:, 1:] += value
                total[:, 1:] += value
            precisions = np.zeros((resamples, order))
            smooth = np.ones(resamples)
            effective = np.full(resamples, order)
            reached = np.ones(resamples, dtype=bool)  # sacrebleu stops at the first order with no n-grams
            for n in range(order):
                reached &= total[:, n] != 0
                if self.settings["effective_order"]:
                    effective = np.where(reached, n + 1, effective)
                zero = reached & (correct[:, n] == 0)
                if method == "exp":
                    smooth = np.where(zero, smooth * 2, smooth)
                    smoothed = 100.0 / (smooth * total[:, n])
                elif method == "floor":
                    smoothed = 100.0 * value / total[:, n]
                else:
                    smoothed = np.zeros(resamples)
                matched = 100.0 * correct[:, n] / total[:, n]
                precisions[:, n] = np.where(zero, smoothed, np.where(reached, matched, 0.0))
            logs = np.where(precisions == 0.0, LOG_ZERO, np.log(np.where(precisions == 0.0, 1.0, precisions)))
            summed = np.zeros(resamples)
            for n in range(order):  # in sacrebleu's order, so the sum rounds alike
                summed = summed + np.where(n < effective, logs[:, n], 0.0)
            score = bp * np.exp(summed / effective)
        return np.where(no_match, 0.0, score)
