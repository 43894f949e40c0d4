"""SQuAD exact match and F1, by the official evaluation rules (0-100).

Statistics are one row per example, ``[score, answerable]``: the example's score
in 0-1 (exact match 0 or 1, or its token F1), the maximum over its gold answers as
the SQuAD v1.1 script computes it, and 1.0 when the question has an answer (0.0
when it has none: SQuAD v2). The aggregate is 100 times the mean score over the
rows of the chosen ``subset``, so any resample of rows is re-scored exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field

from nlpbench import MetricError, MetricExample, Options, StatsArray, parse_options

from . import squad_rules

# numpy is imported where a metric scores: plugin.py imports this module whenever
# nlpbench lists plugins, which should stay instant
if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: The values of the ``subset`` option: every example, or SQuAD v2's HasAns or NoAns part.
SUBSETS = ("all", "has-answer", "no-answer")

#: Index values per block of resamples: bounds the memory of the bootstrap on big tasks.
BLOCK_ELEMENTS = 4_000_000

# The worked example of both metrics (their cards show it): normalization makes the
# first an exact match; the second overlaps 2 of 3 tokens (F1 0.8); None is no answer
# (0 on an answerable question); "" is right on a question without an answer.
EXAMPLE_PREDICTIONS = ("denver broncos.", "the Carolina Panthers team", None, "")
EXAMPLE_REFERENCES = (("Denver Broncos", "Broncos"), ("Carolina Panthers",), ("Santa Clara",), ())


class SquadOptions(Options):
    """What part of a SQuAD v2 set is scored."""

    subset: Literal["all", "has-answer", "no-answer"] = Field(
        "all",
        description="every question, or only those with an answer (SQuAD v2's HasAns) or without one (NoAns)",
    )


class SquadMetric:
    """Base of the SQuAD metrics: the ``subset`` option, the statistics, the aggregate."""

    #: The metric's registered name.
    name: ClassVar[str] = "squad"
    options: ClassVar[type[Options]] = SquadOptions
    higher_is_better: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (0.0, 100.0)  # the official script's scale
    example: ClassVar[MetricExample]

    def __init__(self, **options: Any) -> None:
        self.subset: str = parse_options(SquadOptions, options).subset

    # -- the Metric protocol ----------------------------------------------------

    def stats(self, predictions: Sequence[Any], references: Sequence[Sequence[Any]]) -> StatsArray:
        """``[score in 0-1, answerable]`` per example."""
        import numpy as np

        if len(predictions) != len(references):
            raise MetricError(f"{len(predictions)} predictions but {len(references)} references")
        rows = []
        for position, (prediction, refs) in enumerate(zip(predictions, references, strict=True)):
            text = squad_rules.check_prediction(position, prediction)
            golds = squad_rules.gold_answers(position, refs)
            if golds:
                rows.append((self.score(text, golds), 1.0))
            else:
                rows.append((squad_rules.no_answer_score(text), 0.0))
        return np.array(rows, dtype=np.float64).reshape(len(rows), 2)

    def aggregate(self, stats: StatsArray) -> float:
        """100 times the mean score of the rows in the subset (NaN when there are none)."""
        import numpy as np

        scores, in_subset = self._columns(stats)
        chosen = scores[in_subset > 0]
        if len(chosen) == 0:
            return float("nan")
        return 100.0 * float(np.mean(chosen))

    # -- optional parts of the protocol -----------------------------------------

    def aggregate_resamples(self, stats: StatsArray, indices: npt.NDArray[np.integer]) -> npt.NDArray[np.float64]:
        """The aggregate of each resample (a row of example indices), all at once."""
        import numpy as np

        indices = np.asarray(indices)
        if indices.ndim != 2:
            raise MetricError(f"resample indices must be 2-dimensional, not shape {indices.shape}")
        scores, in_subset = self._columns(stats)
        counted = scores * in_subset  # 0 outside the subset, so a sum counts the subset only
        result = np.full(indices.shape[0], np.nan)
        block = max(1, BLOCK_ELEMENTS // max(indices.shape[1], 1))
        for start in range(0, indices.shape[0], block):
            rows = indices[start : start + block]
            sums = counted[rows].sum(axis=1)
            counts = in_subset[rows].sum(axis=1)
            some = counts > 0
            result[start : start + len(rows)][some] = 100.0 * sums[some] / counts[some]
        return result

    def example_score(self, row: StatsArray) -> float | None:
        """The example's score on the metric's 0-100 scale; None when it is outside the subset."""
        if not self._in_subset(float(row[1])):
            return None
        return 100.0 * float(row[0])

    def describe(self) -> dict[str, Any]:
        """The facts recorded beside the score in results.json."""
        return {"normalization": "SQuAD v1.1 official", "scale": "0-100", "subset": self.subset}

    # -- what subclasses provide ------------------------------------------------

    def score(self, prediction: str, golds: Sequence[str]) -> float:
        """The score (0-1) of a prediction on an answerable question."""
        raise NotImplementedError

    # -- helpers ----------------------------------------------------------------

    def _in_subset(self, answerable: float) -> bool:
        if self.subset == "has-answer":
            return answerable > 0
        if self.subset == "no-answer":
            return answerable == 0
        return True

    def _columns(self, stats: StatsArray) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The score column, and 1.0 for each row in the subset (0.0 for the others)."""
        import numpy as np

        stats = np.asarray(stats, dtype=np.float64)
        if stats.ndim != 2 or stats.shape[1] != 2:
            raise MetricError(f"expected statistics of shape (n, 2), got {stats.shape}")
        answerable = stats[:, 1] > 0
        if self.subset == "has-answer":
            in_subset = answerable
        elif self.subset == "no-answer":
            in_subset = ~answerable
        else:
            in_subset = np.ones(len(stats), dtype=bool)
        return stats[:, 0], in_subset.astype(np.float64)


class ExactMatchMetric(SquadMetric):
    """SQuAD exact match: the share of predictions equal to a gold answer once normalized (0-100).

    Option ``subset``: ``all`` (default), ``has-answer`` or ``no-answer`` (SQuAD v2's
    HasAns and NoAns scores).
    """

    name: ClassVar[str] = "squad-em"
    #: Each question is matched or not: paired comparisons use the exact McNemar test.
    binary_outcomes: ClassVar[bool] = True
    example: ClassVar[MetricExample] = MetricExample(EXAMPLE_PREDICTIONS, EXAMPLE_REFERENCES, value=50.0)

    def score(self, prediction: str, golds: Sequence[str]) -> float:
        return squad_rules.max_over_golds(squad_rules.exact_match_score, prediction, golds)


class SquadF1Metric(SquadMetric):
    """SQuAD F1: token overlap of each prediction with its best gold answer, averaged (0-100).

    Option ``subset``: ``all`` (default), ``has-answer`` or ``no-answer`` (SQuAD v2's
    HasAns and NoAns scores).
    """

    name: ClassVar[str] = "squad-f1"
    example: ClassVar[MetricExample] = MetricExample(EXAMPLE_PREDICTIONS, EXAMPLE_REFERENCES, value=70.0)

    def score(self, prediction: str, golds: Sequence[str]) -> float:
        return squad_rules.max_over_golds(squad_rules.f1_score, prediction, golds)
