"""Perplexity, word perplexity and bits per byte, pooled over the whole corpus.

A language-modeling task predicts, per text, ``{"logprob": natural-log probability of
the text summed over its tokens, "tokens": tokens scored, "words": whitespace-separated
words of the original text, "bytes": UTF-8 bytes of the text}``. Statistics are those
four numbers per example; every score divides the summed log-probability by a summed
count, so the corpus is averaged over its tokens (words, bytes), not over its texts,
and any subset of rows (a bootstrap resample) is re-scored from sums.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from nlpbench import MetricError, MetricExample, Options, StatsArray, parse_options

from .options import NoOptions

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: What a prediction holds, and the columns of a statistics row, in this order.
FIELDS = ("logprob", "tokens", "words", "bytes")

#: Every language-modeling metric's worked example (its card shows the same): two texts
#: of 4 tokens each, of probability 2^-4 and 2^-12 (per-text perplexities 2 and 8; the
#: corpus's, over its 8 tokens, is 2^(16/8) = 4, not their mean 5), each of 2 words
#: and 16 bytes ("hello, wonderful" and "unusually grumpy").
PREDICTIONS = (
    {"logprob": -4 * math.log(2), "tokens": 4, "words": 2, "bytes": 16},
    {"logprob": -12 * math.log(2), "tokens": 4, "words": 2, "bytes": 16},
)
REFERENCES: tuple[tuple[Any, ...], ...] = ((), ())


class LanguageModelMetric:
    """Base of the language-modeling metrics: subclasses name the count they divide by."""

    #: The metric's registered name.
    name: ClassVar[str] = "language-model"
    #: The prediction's count the log-probability is divided by.
    unit: ClassVar[str] = "tokens"
    higher_is_better: ClassVar[bool] = False
    scale: ClassVar[tuple[float, float]] = (1.0, math.inf)
    options: ClassVar[type[Options]] = NoOptions
    example: ClassVar[MetricExample]
    #: What the score is averaged over, for results.
    average: ClassVar[str] = "over tokens of the whole corpus (not per text)"
    formula: ClassVar[str] = "exp(-sum(logprob) / sum(tokens))"
    #: The corpus value pools every text's counts; it is not an average of the texts' own values.
    corpus_only: ClassVar[bool] = True

    def __init__(self, **options: Any) -> None:
        parse_options(NoOptions, options)
        self.column = FIELDS.index(self.unit)

    # -- the Metric protocol ----------------------------------------------------

    def stats(self, predictions: Sequence[Any], references: Sequence[Sequence[Any]]) -> StatsArray:
        """``[logprob, tokens, words, bytes]`` per example; references are not used."""
        import numpy as np

        if len(predictions) != len(references):
            raise MetricError(f"{len(predictions)} predictions but {len(references)} references")
        rows = [_row(position, prediction) for position, prediction in enumerate(predictions)]
        return np.array(rows, dtype=np.float64).reshape(len(rows), len(FIELDS))

    def aggregate(self, stats: StatsArray) -> float:
        """The score of these texts pooled: their summed log-probability over their summed
        count (NaN when there are no texts, or they hold no tokens)."""
        if len(stats) == 0:
            return float("nan")
        return float(self.from_sums(stats[:, 0].sum(), stats[:, self.column].sum()))

    # -- optional parts of the protocol -----------------------------------------

    def aggregate_resamples(self, stats: StatsArray, indices: npt.NDArray[np.integer]) -> npt.NDArray[np.float64]:
        """The pooled score of each resample (a row of example indices), all at once."""
        import numpy as np

        indices = np.asarray(indices)
        if indices.ndim != 2:
            raise MetricError(f"resample indices must be 2-dimensional, not shape {indices.shape}")
        if len(stats) == 0 or indices.shape[1] == 0:
            return np.full(indices.shape[0], np.nan)
        return self.from_sums(stats[:, 0][indices].sum(axis=1), stats[:, self.column][indices].sum(axis=1))

    def example_score(self, row: StatsArray) -> float | None:
        """The text's own score (per text; the corpus score pools counts instead)."""
        value = float(self.from_sums(row[0], row[self.column]))
        return None if math.isnan(value) else value

    def describe(self) -> dict[str, Any]:
        """The averaging convention, recorded beside the score in results."""
        return {
            "average": self.average,
            "formula": self.formula,
            "logprob": "natural log, summed over the text's tokens",
            "per_example": "each text's own value; the corpus value pools the counts of all texts",
        }

    # -- the formula ------------------------------------------------------------

    def from_sums(self, logprob: Any, count: Any) -> Any:
        """The score of total log-probabilities over total counts (numbers or arrays of
        them; NaN where a count is 0, infinity where the score overflows)."""
        import numpy as np

        count = np.asarray(count, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            per_unit = np.where(count > 0, -np.asarray(logprob, dtype=np.float64) / count, np.nan)
            return self.transform(per_unit)

    def transform(self, per_unit: Any) -> Any:
        """The score from the mean negative log-likelihood per unit (an array)."""
        import numpy as np

        return np.exp(per_unit)


class PerplexityMetric(LanguageModelMetric):
    """Token-level perplexity, exp of the mean negative log-likelihood per token of the corpus (lower is better)."""

    name: ClassVar[str] = "perplexity"
    example: ClassVar[MetricExample] = MetricExample(PREDICTIONS, REFERENCES, value=4.0)


class WordPerplexityMetric(LanguageModelMetric):
    """Word-level perplexity, exp of the negative log-likelihood per word of the corpus (lower is better)."""

    name: ClassVar[str] = "word-perplexity"
    unit: ClassVar[str] = "words"
    example: ClassVar[MetricExample] = MetricExample(PREDICTIONS, REFERENCES, value=16.0)
    average: ClassVar[str] = (
        "over words of the whole corpus (not per text); words are the whitespace-separated words of the original text"
    )
    formula: ClassVar[str] = "exp(-sum(logprob) / sum(words))"


class BytePerplexityMetric(LanguageModelMetric):
    """Byte-level perplexity, exp of the negative log-likelihood per UTF-8 byte of the corpus (lower is better)."""

    name: ClassVar[str] = "byte-perplexity"
    unit: ClassVar[str] = "bytes"
    example: ClassVar[MetricExample] = MetricExample(PREDICTIONS, REFERENCES, value=2**0.5)
    average: ClassVar[str] = "over UTF-8 bytes of the whole corpus (not per text)"
    formula: ClassVar[str] = "exp(-sum(logprob) / sum(bytes))"


class BitsPerByteMetric(LanguageModelMetric):
    """Bits per byte: the corpus's negative log-likelihood in bits per UTF-8 byte (lower is better)."""

    name: ClassVar[str] = "bits-per-byte"
    unit: ClassVar[str] = "bytes"
    scale: ClassVar[tuple[float, float]] = (0.0, math.inf)
    example: ClassVar[MetricExample] = MetricExample(PREDICTIONS, REFERENCES, value=0.5)
    average: ClassVar[str] = "over UTF-8 bytes of the whole corpus (not per text)"
    formula: ClassVar[str] = "-sum(logprob) / (ln(2) * sum(bytes))"

    def transform(self, per_unit: Any) -> Any:
        return per_unit / math.log(2)


def _row(position: int, prediction: Any) -> tuple[float, float, float, float]:
    """The example's statistics; MetricError naming the example and the field that is wrong."""
    if prediction is None:
        raise MetricError(
            f"example {position}: no prediction (None); a language-modeling prediction holds {', '.join(FIELDS)}"
        )
    if not isinstance(prediction, Mapping):
        raise MetricError(
            f"example {position}: the prediction must be a mapping of {', '.join(FIELDS)}, "
            f"got {type(prediction).__name__}"
        )
    for field in FIELDS:
        if field not in prediction:
            raise MetricError(f"example {position}: the prediction has no '{field}'")
    logprob = prediction["logprob"]
    if not _number(logprob) or math.isnan(logprob) or logprob > 0:
        raise MetricError(
            f"example {position}: 'logprob' must be a log-probability (a number of at most 0), not {logprob!r}"
        )
    counts = []
    for field in FIELDS[1:]:
        count = prediction[field]
        if not _number(count) or not math.isfinite(count) or count < 0 or count != int(count):
            raise MetricError(f"example {position}: '{field}' must be a whole number of at least 0, not {count!r}")
        counts.append(float(count))
    if logprob < 0 and counts[0] == 0:
        raise MetricError(f"example {position}: a log-probability of {logprob!r} over 0 tokens")
    return (float(logprob), counts[0], counts[1], counts[2])


def _number(value: Any) -> bool:
    """A real number (numpy's too), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
