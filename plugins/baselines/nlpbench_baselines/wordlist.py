"""The ``wordlist`` model type: sentiment from counting positive and negative words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from nlpbench import ClassifyRequest, ConfigError, ModelError, ModelSpec, parse_options

from .lexicon import Lexicon, built_in, from_file
from .params import WordlistParams, check_sources
from .scoring import polarity, probability_positive


class WordlistModel:
    """Word-list sentiment baseline: counts positive and negative words, with simple negation.

    Answers classify requests whose labels are 'positive' and 'negative' (in any
    case and order). params: ``lexicon`` (optional) a JSON file
    ``{"positive": [...], "negative": [...]}`` used instead of the built-in lists.
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"classify"})
    options: ClassVar[type[WordlistParams]] = WordlistParams

    def __init__(self, spec: ModelSpec) -> None:
        path = self.check_spec(spec).lexicon
        self.lexicon: Lexicon = from_file(spec.resolve(path)) if path else built_in()

    @classmethod
    def check_spec(cls, spec: ModelSpec) -> WordlistParams:
        """The params; ConfigErrors for bad ones, a ConfigError for weights asked for."""
        check_sources(spec, "set params.lexicon for your own word lists")
        return parse_options(WordlistParams, spec.params, "params")

    @classmethod
    def check_labels(cls, spec: ModelSpec, labels: Sequence[str]) -> None:
        """ConfigError unless a task's ``labels`` are positive and negative (in any case):
        all that word lists tell apart (``nlpbench validate`` asks, before the run would fail)."""
        problem = _labels_problem(tuple(labels))
        if problem is not None:
            raise ConfigError(problem)

    def classify(self, requests: list[ClassifyRequest]) -> list[dict[str, float]]:
        """P(positive) is the logistic of (positive - negative words); ModelError for other labels."""
        answers = []
        for request in requests:
            positive = _positive_label(request.labels)
            p = probability_positive(polarity(request.text, self.lexicon))
            answers.append({label: p if label == positive else 1.0 - p for label in request.labels})
        return answers

    def describe(self) -> dict[str, Any]:
        return {
            "lexicon": self.lexicon.source,
            "positive_words": len(self.lexicon.positive),
            "negative_words": len(self.lexicon.negative),
        }


def _positive_label(labels: tuple[str, ...]) -> str:
    """The request's own spelling of 'positive'; ModelError unless the labels are positive/negative."""
    problem = _labels_problem(labels)
    if problem is not None:
        raise ModelError(problem)
    return next(label for label in labels if label.lower() == "positive")


def _labels_problem(labels: tuple[str, ...]) -> str | None:
    """Why the wordlist model cannot choose among ``labels``, or None when they are
    positive and negative (in any case and order)."""
    if len(labels) == 2 and {label.lower() for label in labels} == {"positive", "negative"}:
        return None
    return (
        f"the wordlist model can only choose between 'positive' and 'negative', but was asked "
        f"for {', '.join(repr(label) for label in labels)}; use a task with those two labels "
        "(data.labels or data.label_names can rename yours)"
    )
