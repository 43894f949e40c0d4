"""Corpus TER, by sacrebleu: word edits (with block shifts) per reference word."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, cast

from nlpbench import MetricExample

from . import translation_examples as examples
from .translation import SacrebleuMetric, flag

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class TerMetric(SacrebleuMetric):
    """Corpus TER (sacrebleu, 0-100, lower is better): edits needed to turn the translations into references, per reference word.

    Options, as sacrebleu's ``TER`` takes them: ``normalized`` (false),
    ``no_punct`` (false), ``asian_support`` (false) and ``case_sensitive`` (false:
    TER lowercases by default).

    Statistics per segment are sacrebleu's: ``[fewest edits to any reference,
    average reference length in words]``.
    """

    name: ClassVar[str] = "ter"
    options: ClassVar[tuple[str, ...]] = ("normalized", "no_punct", "asian_support", "case_sensitive")
    higher_is_better: ClassVar[bool] = False
    example: ClassVar[MetricExample] = MetricExample(examples.PREDICTIONS, examples.REFERENCES, value=examples.TER)

    @property
    def width(self) -> int:
        return 2

    @classmethod
    def resolve(cls, options: Mapping[str, Any]) -> dict[str, Any]:
        return {name: flag(options, name, False) for name in cls.options}

    @staticmethod
    def build(settings: Mapping[str, Any], references: Sequence[Sequence[str | None]] | None) -> Any:
        from sacrebleu.metrics.ter import TER

        # sacrebleu drops None references (a segment with fewer), though its hints say str
        return TER(**settings, references=cast("Sequence[Sequence[str]] | None", references))

    def score_sums(self, sums: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """``TER._compute_score_from_stats`` on each row: 100 × edits / reference words."""
        import numpy as np

        edits, length = sums[:, 0], sums[:, 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            # no reference words (punctuation only, with no_punct): 1 if any edit, else 0
            rate = np.where(length > 0, edits / length, np.where(edits > 0, 1.0, 0.0))
        return 100 * rate
