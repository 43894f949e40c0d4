"""The ``sliding-window`` model type: extractive QA by word overlap, no weights to load."""

from __future__ import annotations

from typing import Any, ClassVar

from nlpbench import ExtractSpanRequest, ModelSpec, Span, parse_options

from .params import SlidingWindowParams, check_sources
from .window import find_answer


class SlidingWindowModel:
    """Sliding-window answer finder for extractive QA: the words beside the question's words.

    After Richardson et al. (2013)'s MCTest baseline: the window of the context that
    best overlaps the question's content words (weighted by inverse frequency in the
    context) locates the answer; the span is the run of words beside the last question
    word in that window. params: ``max_answer_words`` (default 5), ``window`` (words per
    window; default the question's content words plus ``max_answer_words``).
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"extract_span"})
    options: ClassVar[type[SlidingWindowParams]] = SlidingWindowParams

    def __init__(self, spec: ModelSpec) -> None:
        params = self.check_spec(spec)
        self.max_answer_words = params.max_answer_words
        self.window: int | None = params.window

    @classmethod
    def check_spec(cls, spec: ModelSpec) -> SlidingWindowParams:
        """The params; ConfigErrors for bad ones, a ConfigError for weights asked for."""
        check_sources(spec, "it reads only the question and its context")
        return parse_options(SlidingWindowParams, spec.params, "params")

    def extract_span(self, requests: list[ExtractSpanRequest]) -> list[Span]:
        """One span of each request's context; never empty unless the context is."""
        return [find_answer(r.question, r.context, self.max_answer_words, self.window) for r in requests]

    def describe(self) -> dict[str, Any]:
        return {"max_answer_words": self.max_answer_words, "window": self.window or "question words + answer"}
