"""reply-words: how long a model's replies are, in words."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from nlpbench import MetricError, MetricExample, Options, StatsArray, parse_options

from .distinct import EXAMPLE_PREDICTIONS, EXAMPLE_REFERENCES
from .replies import reply_text, word_count

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class ReplyWordsOptions(Options):
    """The metric takes no options (so a misspelt one is an error, not ignored)."""


class ReplyWordsMetric:
    """reply-words: the mean length of the replies in words (runs of characters between spaces).

    A description, not a grade: longer is not better (the direction is declared only
    because every metric declares one). Read it beside the references' length.
    """

    options: ClassVar[type[Options]] = ReplyWordsOptions
    higher_is_better: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (0.0, math.inf)
    example: ClassVar[MetricExample] = MetricExample(EXAMPLE_PREDICTIONS, EXAMPLE_REFERENCES, value=14 / 3)

    def __init__(self, **options: Any) -> None:
        parse_options(self.options, options)

    def stats(self, predictions: Sequence[Any], references: Sequence[Sequence[Any]]) -> StatsArray:
        """Each reply's word count, one row each."""
        import numpy as np

        if len(predictions) != len(references):
            raise MetricError(f"{len(predictions)} predictions but {len(references)} references")
        counts = [word_count(reply_text(p, position)) for position, p in enumerate(predictions)]
        return np.asarray(counts, dtype=np.float64).reshape(len(counts), 1)

    def aggregate(self, stats: StatsArray) -> float:
        """The mean word count (NaN with no replies)."""
        return float(stats[:, 0].mean()) if len(stats) else float("nan")

    def aggregate_resamples(self, stats: StatsArray, indices: npt.NDArray[np.integer]) -> npt.NDArray[np.float64]:
        """The mean word count of each resample, all at once."""
        import numpy as np

        indices = np.asarray(indices)
        if len(stats) == 0 or indices.shape[1] == 0:
            return np.full(indices.shape[0], np.nan)
        result: npt.NDArray[np.float64] = stats[:, 0][indices].mean(axis=1)
        return result
