"""Corpus BLEU, by sacrebleu: n-gram precisions and a brevity penalty over the whole corpus."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

from pydantic import Field, model_validator

from nlpbench import MetricExample, Options

from . import translation_examples as examples
from .translation import SacrebleuMetric

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: sacrebleu's floor for log(0): an n-gram order with precision 0 zeroes the score.
LOG_ZERO = -9999999999.0

SMOOTH_METHODS = ("exp", "floor", "add-k", "none")
#: sacrebleu's own defaults of ``smooth_value`` for the methods that take one.
SMOOTH_DEFAULTS = {"floor": 0.1, "add-k": 1}
#: The most n-gram orders BLEU counts: each is two statistics per segment, and n-grams
#: longer than this match almost never.
MAX_NGRAM_ORDER = 10

#: sacrebleu's tokenizers (``BLEU.TOKENIZERS``; a test keeps the two alike).
Tokenizer = Literal[
    "none", "zh", "13a", "intl", "char", "ja-mecab", "ko-mecab", "spm", "flores101", "flores200", "spBLEU-1K"
]


class BleuOptions(Options):
    """sacrebleu's ``BLEU`` options."""

    tokenize: Tokenizer = Field(
        "13a", description="sacrebleu's tokenizer: 13a is WMT's convention; intl, zh, ja-mecab, ko-mecab, char, spm, "
        "flores101, flores200 and spBLEU-1K for other scripts (some need extra packages); none for pre-tokenized text"
    )  # fmt: skip
    lowercase: bool = Field(False, description="compare in lower case")
    smooth_method: Literal["exp", "floor", "add-k", "none"] = Field(
        "exp", description="how an n-gram order without matches is smoothed (sacrebleu's methods)"
    )
    smooth_value: float | None = Field(
        None, gt=0, description="with smooth_method floor (default 0.1) or add-k (default 1) only"
    )
    max_ngram_order: int = Field(4, ge=1, le=MAX_NGRAM_ORDER, description="the longest n-grams counted")
    effective_order: bool = Field(
        False, description="stop at the longest order a segment has n-grams of (for sentence-level BLEU)"
    )

    @model_validator(mode="after")
    def _smooth_value_fits(self) -> BleuOptions:
        if self.smooth_value is not None and self.smooth_method not in SMOOTH_DEFAULTS:
            raise ValueError(
                f"smooth_value only applies with smooth_method floor or add-k (it is '{self.smooth_method}')"
            )
        return self


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

    #: Corpus BLEU is not a mean of sentence scores: a sentence's BLEU is another statistic.
    corpus_only: ClassVar[bool] = True

    name: ClassVar[str] = "bleu"
    options: ClassVar[type[Options]] = BleuOptions
    example: ClassVar[MetricExample] = MetricExample(examples.PREDICTIONS, examples.REFERENCES, value=examples.BLEU)

    @property
    def width(self) -> int:
        return 2 + 2 * int(self.settings["max_ngram_order"])

    @classmethod
    def resolve(cls, options: Options) -> dict[str, Any]:
        settings = options.model_dump()
        if settings["smooth_value"] is None:  # sacrebleu's default for the method, recorded as used
            settings["smooth_value"] = SMOOTH_DEFAULTS.get(settings["smooth_method"])
        return settings

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
