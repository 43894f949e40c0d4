"""Choosing among choices: ``acc``, ``acc_norm`` and ``acc_mutual_info`` (as
lm-evaluation-harness defines them), on a declarative task's choice predictions.

A choice prediction holds ``choice`` (the index chosen) and, when the model was asked
by log-likelihood, each choice's ``loglikelihoods`` and lengths (``chars``, ``bytes``,
``tokens``); references are the indices of the right choices (any of them counts).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar, Literal, cast

from pydantic import Field

from nlpbench import MetricError, MetricExample, MetricNotComputed, Options

from ..outputs import best_index
from .mean import MeanMetric, field

#: The worked example of the three (their cards show it): three questions of two or
#: three choices. By raw log-likelihood the first and third are right; divided by each
#: choice's length in characters the second is right too, and the third turns wrong.
EXAMPLE_PREDICTIONS = (
    {"choice": 0, "loglikelihoods": [-1.0, -3.0], "chars": [4, 4], "bytes": [4, 4], "tokens": [1, 1],
     "unconditional": [-2.0, -1.0]},
    {"choice": 0, "loglikelihoods": [-4.0, -6.0, -9.0], "chars": [2, 12, 3], "bytes": [2, 12, 3], "tokens": [1, 3, 1],
     "unconditional": [-1.0, -5.0, -8.0]},
    {"choice": 1, "loglikelihoods": [-5.0, -2.0], "chars": [20, 2], "bytes": [20, 2], "tokens": [5, 1],
     "unconditional": [-4.0, -1.5]},
)  # fmt: skip
EXAMPLE_REFERENCES = ((0,), (1,), (1,))


def _right(choice: Any, references: Sequence[Any]) -> float:
    return 1.0 if choice is not None and choice in references else 0.0


class AccMetric(MeanMetric):
    """Accuracy of a choice: 1 when the chosen choice is a right one (for a target continuation, when greedy decoding would give it)."""

    name: ClassVar[str] = "acc"
    #: Each example is right or wrong: paired comparisons use the exact McNemar test.
    binary_outcomes: ClassVar[bool] = True
    example: ClassVar[MetricExample] = MetricExample(EXAMPLE_PREDICTIONS, EXAMPLE_REFERENCES, value=2 / 3)

    def value(self, prediction: Any, references: Sequence[Any]) -> float:
        if isinstance(prediction, dict) and "choice" not in prediction and "is_greedy" in prediction:
            return 1.0 if prediction["is_greedy"] is True else 0.0  # a target continuation (LAMBADA)
        return _right(field(prediction, "choice", "acc scores a choice (multiple choice or classify)"), references)


class AccNormOptions(Options):
    """What ``acc_norm`` divides each choice's log-likelihood by."""

    by: Literal["chars", "bytes", "tokens"] = Field(
        "chars", description="each choice's length in characters (lm-evaluation-harness's acc_norm), bytes or tokens"
    )


class AccNormMetric(MeanMetric):
    """Accuracy with each choice's log-likelihood divided by its length (characters by default, as lm-evaluation-harness does)."""

    name: ClassVar[str] = "acc_norm"
    options: ClassVar[type[Options]] = AccNormOptions
    binary_outcomes: ClassVar[bool] = True
    example: ClassVar[MetricExample] = MetricExample(EXAMPLE_PREDICTIONS, EXAMPLE_REFERENCES, value=2 / 3)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.by: str = cast(AccNormOptions, self.settings).by

    def value(self, prediction: Any, references: Sequence[Any]) -> float:
        if isinstance(prediction, dict) and "loglikelihoods" not in prediction and "choice" in prediction:
            raise MetricNotComputed("acc_norm needs each choice's log-likelihood; a classifier's answers have none")
        lls = field(prediction, "loglikelihoods", "acc_norm needs each choice's log-likelihood")
        lengths = field(prediction, self.by, f"acc_norm by {self.by} needs each choice's length in {self.by}")
        if len(lengths) != len(lls):
            raise MetricError(f"{len(lls)} log-likelihoods but {len(lengths)} lengths")
        scores = [ll / n if n else (-math.inf if ll < 0 else math.inf) for ll, n in zip(lls, lengths, strict=True)]
        return _right(best_index(scores), references)

    def describe(self) -> dict[str, Any]:
        return {"normalised_by": self.by, "formula": f"argmax(loglikelihood / {self.by})"}


class AccMutualInfoMetric(MeanMetric):
    """Accuracy by pointwise mutual information: each choice's log-likelihood after the context minus without it."""

    name: ClassVar[str] = "acc_mutual_info"
    binary_outcomes: ClassVar[bool] = True
    example: ClassVar[MetricExample] = MetricExample(EXAMPLE_PREDICTIONS, EXAMPLE_REFERENCES, value=1.0)

    def value(self, prediction: Any, references: Sequence[Any]) -> float:
        if isinstance(prediction, dict) and "unconditional" not in prediction and "choice" in prediction:
            raise MetricNotComputed(
                "acc_mutual_info needs each choice's log-likelihood without the context: name it among the task's "
                "metrics before the run (a classifier's answers have none)"
            )
        lls = field(prediction, "loglikelihoods", "acc_mutual_info needs each choice's log-likelihood")
        unconditional = field(prediction, "unconditional", "acc_mutual_info needs the unconditional log-likelihoods")
        return _right(best_index([c - u for c, u in zip(lls, unconditional, strict=True)]), references)


class Mc2Metric(MeanMetric):
    """TruthfulQA's MC2: the probability mass the model puts on the true answers, normalised over all the answers."""

    name: ClassVar[str] = "mc2"
    example: ClassVar[MetricExample] = MetricExample(
        (
            {"choice": 0, "loglikelihoods": [math.log(0.3), math.log(0.1), math.log(0.1)]},
            {"choice": 1, "loglikelihoods": [math.log(0.2), math.log(0.6)]},
        ),
        ((0, 1), (0,)),
        value=(0.8 + 0.25) / 2,
    )

    def value(self, prediction: Any, references: Sequence[Any]) -> float:
        lls = field(prediction, "loglikelihoods", "mc2 needs each answer's log-likelihood")
        if not references:
            return 0.0
        top = max(lls)
        if not math.isfinite(top):
            return 0.0
        mass = [math.exp(ll - top) for ll in lls]
        return sum(mass[i] for i in set(references) if 0 <= i < len(mass)) / sum(mass)
