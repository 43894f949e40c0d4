"""The ``copy`` model type: answer with the input itself, the lower bound of translation."""

from __future__ import annotations

from typing import Any, ClassVar

from nlpbench import GenerateRequest, ModelSpec, parse_options

from .params import CopyParams, check_sources


class CopyModel:
    """Copy-the-source baseline: answers each generate request with its source text, untranslated.

    The lower bound of machine translation: what a metric gives a system that does
    nothing (names, numbers and shared words still match, so BLEU and chrF are above
    zero). Answers from ``request.source``, the raw input a task made its prompt from,
    or, when a task sets no source, from the last non-empty line of the prompt. It
    takes no params and ignores ``max_new_tokens`` and ``stop``.
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"generate"})
    options: ClassVar[type[CopyParams]] = CopyParams

    def __init__(self, spec: ModelSpec) -> None:
        self.check_spec(spec)
        self.from_source = 0
        self.from_prompt = 0

    @classmethod
    def check_spec(cls, spec: ModelSpec) -> None:
        """ConfigError for any param, or weights asked for."""
        check_sources(spec, "it copies the task's input")
        parse_options(CopyParams, spec.params, "params")

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        """Each request's source (else the last non-empty line of its prompt), as it is."""
        answers = []
        for request in requests:
            if request.source is not None:
                self.from_source += 1
                answers.append(request.source)
            else:
                self.from_prompt += 1
                lines = [line for line in request.prompt.split("\n") if line.strip()]
                answers.append(lines[-1].strip() if lines else "")
        return answers

    def describe(self) -> dict[str, Any]:
        # counted since the model was built: a task that sets no source shows up here
        return {"from_source": self.from_source, "from_prompt": self.from_prompt}
