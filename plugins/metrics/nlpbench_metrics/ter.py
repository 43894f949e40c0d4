"""Corpus TER, by sacrebleu: word edits (with block shifts) per reference word."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, cast

from pydantic import Field

from nlpbench import MetricExample, Options

from . import translation_examples as examples
from .translation import SacrebleuMetric

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class TerOptions(Options):
    """sacrebleu's ``TER`` options."""

    normalized: bool = Field(
        False, description="Tercom's normalization: punctuation split off words, XML entities unescaped"
    )
    no_punct: bool = Field(False, description="remove punctuation")
    asian_support: bool = Field(
        False, description="with normalized or no_punct, split CJK text into characters and drop CJK punctuation"
    )
    case_sensitive: bool = Field(False, description="keep case (TER lowercases by default)")


class TerMetric(SacrebleuMetric):
    """Corpus TER (sacrebleu, 0-100, lower is better): edits needed to turn the translations into references, per reference word.

    Options, as sacrebleu's ``TER`` takes them: ``normalized`` (false),
    ``no_punct`` (false), ``asian_support`` (false) and ``case_sensitive`` (false:
    TER lowercases by default).

    Statistics per segment are sacrebleu's: ``[fewest edits to any reference,
    average reference length in words]``.
    """

    name: ClassVar[str] = "ter"
    options: ClassVar[type[Options]] = TerOptions
    higher_is_better: ClassVar[bool] = False
    #: No upper bound: a translation longer than its references needs more edits than they have words.
    scale: ClassVar[tuple[float, float]] = (0.0, math.inf)
    example: ClassVar[MetricExample] = MetricExample(examples.PREDICTIONS, examples.REFERENCES, value=examples.TER)

    @property
    def width(self) -> int:
        return 2

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
