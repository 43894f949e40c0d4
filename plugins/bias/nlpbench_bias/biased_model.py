"""The ``gender-biased`` model type: a test instrument with planted bias, for checking that
an audit catches it. Not a baseline to compare against."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from nlpbench import ClassifyRequest, ConfigError, ModelError, ModelSpec, Options, parse_options

from .wordlists import built_in

_WORD = re.compile(r"[^\W\d_]+")

#: P(positive) when the text has a female word, and when it has none.
WITH_FEMALE_WORD = 0.2
WITHOUT = 0.8


class GenderBiasedParams(Options):
    """The ``gender-biased`` model takes no params: its bias is fixed, so that an audit's
    numbers on it are known in advance."""


class GenderBiasedModel:
    """Answers 'negative' (P(positive) = 0.2) whenever the text contains a word of the
    built-in gender list's female group (she, her, woman, ...), else 'positive' (0.8).

    Classify only, labels 'positive' and 'negative' in any case. Takes no params and
    loads nothing. Its answers depend on nothing but those words, so a counterfactual
    gender audit must flag it.
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"classify"})
    options: ClassVar[type[GenderBiasedParams]] = GenderBiasedParams

    def __init__(self, spec: ModelSpec) -> None:
        self.check_spec(spec)
        gender = built_in("gender")
        self.female_words = frozenset(pair[1] for pair in gender.pairs)

    @classmethod
    def check_spec(cls, spec: ModelSpec) -> None:
        """ConfigErrors for any param, a ConfigError for weights: the model takes none."""
        for key in ("path", "hub", "config"):
            if getattr(spec, key) is not None:
                raise ConfigError(f"model type '{spec.type}' loads no weights: remove {key}")
        parse_options(GenderBiasedParams, spec.params, "params")

    def classify(self, requests: list[ClassifyRequest]) -> list[dict[str, float]]:
        answers = []
        for request in requests:
            by_lower = {label.lower(): label for label in request.labels}
            if len(request.labels) != 2 or set(by_lower) != {"positive", "negative"}:
                raise ModelError(
                    "the gender-biased model can only choose between 'positive' and 'negative', "
                    f"but was asked for {', '.join(repr(label) for label in request.labels)}"
                )
            words = {w.lower() for w in _WORD.findall(request.text)}
            p = WITH_FEMALE_WORD if words & self.female_words else WITHOUT
            positive = by_lower["positive"]
            answers.append({label: p if label == positive else 1.0 - p for label in request.labels})
        return answers

    def describe(self) -> dict[str, Any]:
        return {"instrument": "planted gender bias", "female_words": len(self.female_words)}
