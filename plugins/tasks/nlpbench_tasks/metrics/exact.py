"""``em``: exact match of a generated (and filtered) answer with any acceptable answer,
as lm-evaluation-harness's ``exact_match`` computes it (0-1). Each regex of
``regexes_to_ignore`` is removed from the answer and the references alike, then case,
punctuation and digits as asked; ``filter`` names the pipeline of filters whose answer
is scored, when the task has several. On a choice task (by log-likelihood) it is whether
greedy decoding would give a right choice, as lm-evaluation-harness scores it there."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from typing import Any, ClassVar, cast

from pydantic import Field, field_validator

from nlpbench import MetricError, MetricExample, MetricNotComputed, Options, StatsArray

from ..filters import INVALID
from .mean import MeanMetric

_PUNCTUATION = str.maketrans("", "", string.punctuation)
_DIGITS = str.maketrans("", "", string.digits)


class ExactMatchOptions(Options):
    """lm-evaluation-harness's ``exact_match`` options, and which answer is scored."""

    ignore_case: bool = Field(False, description="compare in lower case")
    ignore_punctuation: bool = Field(False, description="remove punctuation from both sides")
    ignore_numbers: bool = Field(False, description="remove digits from both sides")
    regexes_to_ignore: tuple[str, ...] = Field(
        (), description="regular expressions removed from both sides first (Python's re syntax)"
    )
    filter: str | None = Field(
        None, min_length=1, description="the task's pipeline of filters whose answer is scored, when it has several"
    )

    @field_validator("regexes_to_ignore")
    @classmethod
    def _compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"{pattern!r} is not a regular expression: {error}") from None
        return patterns


class ExactMatchMetric(MeanMetric):
    """Exact match of the answer with any acceptable answer, with lm-evaluation-harness's options (ignore_case, ignore_punctuation, ignore_numbers, regexes_to_ignore)."""

    name: ClassVar[str] = "em"
    options: ClassVar[type[Options]] = ExactMatchOptions
    binary_outcomes: ClassVar[bool] = True
    example: ClassVar[MetricExample] = MetricExample(
        ({"text": " Paris.", "answer": "Paris"}, {"text": "1,200 apples", "answer": "1,200"}, {"answer": "[invalid]"}),
        (("Paris", "paris"), ("1200",), ("7",)),
        value=1 / 3,
    )

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        settings = cast(ExactMatchOptions, self.settings)
        self.filter = settings.filter
        self.regexes = [re.compile(pattern) for pattern in settings.regexes_to_ignore]
        self.ignore_case = settings.ignore_case
        self.ignore_punctuation = settings.ignore_punctuation
        self.ignore_numbers = settings.ignore_numbers
        #: of the answers last scored, how many a regex filter found nothing in (and how many there were)
        self.unmatched: tuple[int, int] | None = None

    def stats(self, predictions: Sequence[Any], references: Sequence[Sequence[Any]]) -> StatsArray:
        """Each answer's match; also counts the answers a regex filter found nothing in
        (``[invalid]``), which :meth:`describe` reports beside the score."""
        rows = super().stats(predictions, references)
        answers = [self._answer(p) for p in predictions if isinstance(p, dict) and "is_greedy" not in p]
        self.unmatched = (sum(1 for a in answers if a == INVALID), len(answers)) if answers else None
        return rows

    def normalise(self, text: str) -> str:
        """lm-evaluation-harness's order: remove each regex, then case, punctuation, digits."""
        for regex in self.regexes:
            text = regex.sub("", text)
        if self.ignore_case:
            text = text.lower()
        if self.ignore_punctuation:
            text = text.translate(_PUNCTUATION)
        if self.ignore_numbers:
            text = text.translate(_DIGITS)
        return text

    def value(self, prediction: Any, references: Sequence[Any]) -> float:
        if isinstance(prediction, dict) and isinstance(prediction.get("is_greedy"), list):
            # a choice task: whether greedy decoding gives a right choice (lm-evaluation-harness's exact_match)
            greedy = prediction["is_greedy"]
            return 1.0 if any(isinstance(i, int) and 0 <= i < len(greedy) and greedy[i] for i in references) else 0.0
        answer = self._answer(prediction)
        if answer is None:
            return 0.0
        mine = self.normalise(str(answer))
        return 1.0 if any(self.normalise(str(reference)) == mine for reference in references) else 0.0

    def _answer(self, prediction: Any) -> Any:
        """The answer to score: the named pipeline's, the prediction's, or the prediction itself."""
        if isinstance(prediction, dict) and self.filter is not None:
            answers = prediction.get("answers") or {}
            if self.filter not in answers:
                named = ", ".join(answers) or "none (the task has one unnamed pipeline)"
                raise MetricError(f"the task has no pipeline of filters called '{self.filter}'; it has {named}")
            return answers[self.filter]
        if isinstance(prediction, dict):
            if "answer" not in prediction:
                raise MetricNotComputed("em scores a generated answer or a choice; these predictions have neither")
            return prediction["answer"]
        return prediction

    def describe(self) -> dict[str, Any]:
        unmatched = {}
        if self.unmatched is not None and self.unmatched[0]:
            count, total = self.unmatched
            unmatched = {"unmatched_answers": f"{count} of {total} answers: a regex filter found nothing ({INVALID})"}
        return {
            **unmatched,
            **({"filter": self.filter} if self.filter is not None else {}),
            "ignore_case": self.ignore_case,
            "ignore_punctuation": self.ignore_punctuation,
            "ignore_numbers": self.ignore_numbers,
            "regexes_to_ignore": [r.pattern for r in self.regexes],
        }
