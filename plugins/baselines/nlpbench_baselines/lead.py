"""The ``lead`` model type: summarize a document by its first k sentences."""

from __future__ import annotations

from typing import Any, ClassVar

from nlpbench import GenerateRequest, ModelSpec, parse_options

from .params import LeadParams, check_sources
from .sentences import split_sentences

SEPARATORS = {"newline": "\n", "space": " "}


class LeadModel:
    """Lead-k summarization baseline: answers with the first k sentences of the document.

    Answers generate requests from ``request.source``, the raw document a task made
    its prompt from, or from the prompt itself when a task sets no source.
    params: ``k`` (default 3), ``join`` ("newline", the default, which ROUGE-Lsum
    reads as sentence breaks, or "space"). It ignores ``max_new_tokens`` and
    ``stop``: lead-k is measured in sentences.
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"generate"})
    options: ClassVar[type[LeadParams]] = LeadParams

    def __init__(self, spec: ModelSpec) -> None:
        params = self.check_spec(spec)
        self.k = params.k
        self.join = params.join
        self.from_source = 0
        self.from_prompt = 0

    @classmethod
    def check_spec(cls, spec: ModelSpec) -> LeadParams:
        """The params; ConfigErrors for bad ones, a ConfigError for weights asked for."""
        check_sources(spec, "lead-k reads the task's documents")
        return parse_options(LeadParams, spec.params, "params")

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        """The first k sentences of each request's source (else its prompt), joined."""
        answers = []
        for request in requests:
            if request.source is None:
                self.from_prompt += 1
                text = request.prompt
            else:
                self.from_source += 1
                text = request.source
            answers.append(SEPARATORS[self.join].join(split_sentences(text)[: self.k]))
        return answers

    def describe(self) -> dict[str, Any]:
        # counted since the model was built: a task that sets no source shows up here
        return {"k": self.k, "join": self.join, "from_source": self.from_source, "from_prompt": self.from_prompt}
