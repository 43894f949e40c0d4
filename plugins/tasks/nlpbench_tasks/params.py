"""The ``params:`` of a declarative task, as a pydantic schema: every key, its type and
default in one place, and one-line errors that name the key.

Templates are Jinja2 over each row of the data (its columns are the variables); a
template that is a bare column name gives that column's value, as in
lm-evaluation-harness's task files.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from nlpbench import MaxNewTokens, Options, Shots, parse_options

Output = Literal["multiple_choice", "classify", "generate", "loglikelihood", "rolling", "extract_span"]

#: A template, or one per model name or type with a ``default`` (as nlpbench.contracts.prompts has them).
Template = str | dict[str, str]


class GenerateOptions(Options):
    """How a ``generate`` output decodes: greedy unless ``temperature`` is above 0."""

    until: tuple[str, ...] = Field(
        default=("\n\n",),
        description="Stop strings: the generation is cut at the first of them (one string or a list).",
    )
    max_new_tokens: MaxNewTokens = 256
    temperature: Annotated[float, Field(ge=0, le=100)] = Field(
        default=0.0, description="0 decodes greedily; above 0 samples, seeded by the suite's seed and the example."
    )

    @field_validator("until", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value


class ClassifyFields(Options):
    """What a classifier reads: ``text`` (default: the input) and ``text_pair`` (a second
    text, as NLI's hypothesis), each a template over the row."""

    text: str | None = Field(default=None, description="The text a classifier reads, a template (unset: the input).")
    text_pair: str | None = Field(
        default=None, description="A second text, a template (NLI's hypothesis), read with text as a pair."
    )


class SpanFields(Options):
    """What a span extractor reads: the ``question`` and the ``context`` it answers from."""

    question: str = Field(description="The question, a template over the row.")
    context: str = Field(description="The passage the answer is a span of, a template over the row.")


class TemplateParams(Options):
    """Every key of a declarative task's ``params``."""

    output: Output = Field(
        default="multiple_choice",
        description="What to ask: multiple_choice (the log-likelihood of each choice, or a classifier), "
        "classify, generate, loglikelihood (of the target: LAMBADA), rolling (of the whole input: perplexity) "
        "or extract_span.",
    )
    input: Template = Field(
        default="",
        description="The prompt, a Jinja2 template over the row's columns, or one per model name or type with "
        "a 'default'.",
    )
    choices: str | tuple[str, ...] | None = Field(
        default=None,
        description="The answers to choose from: a list (each item a template) or one template giving a list "
        "('{{choices.text}}', or a column name).",
    )
    target: str | int | tuple[str | int, ...] | None = Field(
        default=None,
        description="The right answer: a choice's index or text, or a list of either; for generation, one "
        "acceptable answer or a list of them (templates).",
    )
    id: str | None = Field(
        default=None, description="Each example's id, a template (unset: the row's position, 0, 1, …)."
    )
    continuation: str | None = Field(
        default=None,
        description="Partial scoring (Winogrande): each choice ends the context, and this template is scored after it.",
    )
    description: str = Field(default="", description="A template rendered before the shots and the input (a preamble).")
    target_delimiter: str = Field(
        default=" ",
        description="What goes between the input and the answer (each choice is scored as it + the choice).",
    )
    fewshot_delimiter: str = Field(default="\n\n", description="What goes after each shot.")
    shots: Shots = 0
    sampler: Literal["random", "first", "lm-eval"] = Field(
        default="random",
        description="Which train examples the shots are: random (drawn per example, seeded by the suite's seed "
        "and the example's id), first (the train split's first ones, MMLU's way) or lm-eval (drawn as "
        "lm-evaluation-harness draws them: one generator seeded 1234, the examples in order).",
    )
    labels: tuple[str, ...] | None = Field(
        default=None, description="The label names a classifier is asked for, one per choice (unset: the choices)."
    )
    classify: ClassifyFields = Field(
        default=ClassifyFields(), description="What a classifier reads: text and text_pair (templates)."
    )
    extract_span: SpanFields | None = Field(
        default=None, description="For output extract_span: the question and the context (templates)."
    )
    generate: GenerateOptions = Field(
        default=GenerateOptions(),
        description="How generate decodes: until (stop strings), max_new_tokens, temperature.",
    )
    filters: tuple[str | dict[str, Any], ...] | dict[str, tuple[str | dict[str, Any], ...]] = Field(
        default=(),
        description="What a generated answer goes through before it is scored: a list of filters, or several "
        "named lists (em picks one with filter:); see docs/tasks.md.",
    )

    @field_validator("choices", "labels", "target", mode="before")
    @classmethod
    def _list_to_tuple(cls, value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value

    @field_validator("input", mode="before")
    @classmethod
    def _per_model(cls, value: Any) -> Any:
        if isinstance(value, Mapping) and "default" not in value:
            raise ValueError("a mapping of model type or name to template needs a 'default' template")
        return dict(value) if isinstance(value, Mapping) else value

    @model_validator(mode="after")
    def _consistent(self) -> TemplateParams:
        if self.output in ("multiple_choice", "classify") and self.choices is None and self.labels is None:
            raise ValueError(f"output {self.output} needs choices (the answers to choose from)")
        if self.output != "rolling" and self.target is None:
            raise ValueError(f"output {self.output} needs a target (the right answer)")
        if self.output == "extract_span" and self.extract_span is None:
            raise ValueError("output extract_span needs extract_span: {question: ..., context: ...}")
        if self.output != "rolling" and not self.input and self.output != "extract_span":
            raise ValueError(f"output {self.output} needs an input template")
        if self.continuation is not None and self.output != "multiple_choice":
            raise ValueError("continuation applies to output multiple_choice (each choice ends the context)")
        if self.labels is not None and isinstance(self.choices, tuple) and len(self.labels) != len(self.choices):
            raise ValueError(f"labels has {len(self.labels)} names but choices has {len(self.choices)}")
        return self


def parse_params(params: Mapping[str, Any]) -> TemplateParams:
    """``params`` checked against :class:`TemplateParams`; ConfigErrors naming every key
    at fault (``params.generate.until: ...``), with a suggestion for a typo."""
    return parse_options(TemplateParams, params, "params")
