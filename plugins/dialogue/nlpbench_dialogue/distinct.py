"""distinct-n (Li et al., 2016): how varied a model's replies are, as the distinct
n-grams over all the n-grams of the replies of a cell.

The score is corpus-level: an n-gram counts once however many replies use it, so it is
not a mean of per-reply scores. Each reply's statistics row is ``[its n-grams, its share
of the distinct n-grams]``, where an n-gram used by m replies gives each of them 1/m
(each reply's Shapley value in the count of distinct n-grams): the shares of all the
replies add up to the distinct n-grams, so the score of every row is exactly distinct-n,
and any set of rows scores as the sum of their shares over the sum of their n-grams.

Why shares and not the n-grams themselves: the bootstrap draws replies with
replacement, and a drawn-twice reply brings no new n-gram, so the exact distinct-n of
a resample is lower than the score's (by a third on the built-in sample: the interval
missed the score altogether). Summing fixed shares is the ratio of two sums, like BLEU's
counts, whose percentile interval is centred on the score. A subset of the rows (a group
of a grouping audit) scores its share of the cell's variety per n-gram: an n-gram it
shares with other replies counts in part.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from nlpbench import MetricError, MetricExample, Options, StatsArray, parse_options

from .replies import reply_text, tokens

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: Replies for the worked examples (the cards in docs/metrics run them too).
EXAMPLE_PREDICTIONS = ("I am not sure.", "I am not sure about that.", "Sounds good to me.")
EXAMPLE_REFERENCES = (("I do not know.",), ("I have no idea about that.",), ("Good, see you then.",))


class DistinctOptions(Options):
    """How replies are split into words before n-grams are counted."""

    lowercase: bool = Field(True, description="compare words in lower case")
    punctuation: bool = Field(False, description="count punctuation marks as words")


class DistinctMetric:
    """Base of distinct-n: distinct n-grams / all n-grams over the replies (0-1)."""

    #: The n-gram order.
    n: ClassVar[int] = 1
    options: ClassVar[type[Options]] = DistinctOptions
    higher_is_better: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (0.0, 1.0)
    #: One reply's share of distinct n-grams says nothing about the variety across replies.
    corpus_only: ClassVar[bool] = True
    example: ClassVar[MetricExample]

    def __init__(self, **options: Any) -> None:
        self.settings = parse_options(self.options, options).model_dump()

    # -- the Metric protocol ----------------------------------------------------

    def stats(self, predictions: Sequence[Any], references: Sequence[Sequence[Any]]) -> StatsArray:
        """Per reply: its n-gram count and its share of the distinct n-grams."""
        import numpy as np

        if len(predictions) != len(references):
            raise MetricError(f"{len(predictions)} predictions but {len(references)} references")
        grams = [self._ngrams(reply_text(p, position)) for position, p in enumerate(predictions)]
        users = Counter(gram for reply in grams for gram in set(reply))  # how many replies use each n-gram
        rows = [(len(reply), sum(1.0 / users[gram] for gram in set(reply))) for reply in grams]
        return np.asarray(rows, dtype=np.float64).reshape(len(rows), 2)

    def aggregate(self, stats: StatsArray) -> float:
        """The rows' shares of distinct n-grams over their n-grams; 0 when the replies have
        no n-grams at all (an empty reply has no variety); NaN with no rows."""
        _check(stats)
        if len(stats) == 0:
            return float("nan")
        total = float(stats[:, 0].sum())
        return float(stats[:, 1].sum()) / total if total else 0.0

    # -- optional parts of the protocol -----------------------------------------

    def aggregate_resamples(self, stats: StatsArray, indices: npt.NDArray[np.integer]) -> npt.NDArray[np.float64]:
        """The score of each resample (a row of reply indices), all at once."""
        import numpy as np

        _check(stats)
        indices = np.asarray(indices)
        if indices.ndim != 2:
            raise MetricError(f"resample indices must be 2-dimensional, not shape {indices.shape}")
        if len(stats) == 0 or indices.shape[1] == 0:
            return np.full(indices.shape[0], np.nan)
        totals = stats[:, 0][indices].sum(axis=1)
        shares = stats[:, 1][indices].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            scores: npt.NDArray[np.float64] = np.where(totals > 0, shares / totals, 0.0)
        return scores

    def example_score(self, row: StatsArray) -> float | None:
        """None: a reply's own share of distinct n-grams is not its part of the score."""
        return None

    def describe(self) -> dict[str, Any]:
        return {"n": self.n, "options": dict(self.settings)}

    # -- helpers ----------------------------------------------------------------

    def _ngrams(self, text: str) -> list[tuple[str, ...]]:
        words = tokens(text, lowercase=self.settings["lowercase"], punctuation=self.settings["punctuation"])
        return [tuple(words[i : i + self.n]) for i in range(len(words) - self.n + 1)]


class Distinct1Metric(DistinctMetric):
    """distinct-1 (0-1): distinct words / all words over a cell's replies; corpus-level, higher is more varied."""

    n: ClassVar[int] = 1
    example: ClassVar[MetricExample] = MetricExample(EXAMPLE_PREDICTIONS, EXAMPLE_REFERENCES, value=10 / 14)


class Distinct2Metric(DistinctMetric):
    """distinct-2 (0-1): distinct word bigrams / all bigrams over a cell's replies; corpus-level, higher is more varied."""

    n: ClassVar[int] = 2
    example: ClassVar[MetricExample] = MetricExample(EXAMPLE_PREDICTIONS, EXAMPLE_REFERENCES, value=8 / 11)


def _check(stats: StatsArray) -> None:
    if stats.ndim != 2 or stats.shape[1] != 2:
        raise MetricError(f"expected statistics of shape (n, 2), got {stats.shape}")
