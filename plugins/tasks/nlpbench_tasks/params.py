"""The ``params:`` of a declarative task, as a pydantic schema: every key, its type and
default in one place, and one-line errors that name the key.

Templates are Jinja2 over each row of the data (its columns are the variables); a
template that is a bare column name gives that column's value, as in
lm-evaluation-harness's task files.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nlpbench import ConfigError, did_you_mean

Output = Literal["multiple_choice", "classify", "generate", "loglikelihood", "rolling", "extract_span"]

#: A template, or one per model name or type with a ``default`` (as nlpbench.prompts has them).
Template = str | dict[str, str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GenerateOptions(_Strict):
    """How a ``generate`` output decodes: greedy unless ``temperature`` is above 0."""

    until: tuple[str, ...] = ("\n\n",)
    max_new_tokens: Annotated[int, Field(ge=1)] = 256
    temperature: Annotated[float, Field(ge=0)] = 0.0

    @field_validator("until", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value


class ClassifyFields(_Strict):
    """What a classifier reads: ``text`` (default: the input) and ``text_pair`` (a second
    text, as NLI's hypothesis), each a template over the row."""

    text: str | None = None
    text_pair: str | None = None


class SpanFields(_Strict):
    """What a span extractor reads: the ``question`` and the ``context`` it answers from."""

    question: str
    context: str


class TemplateParams(_Strict):
    """Every key of a declarative task's ``params``."""

    output: Output = "multiple_choice"
    input: Template = ""
    choices: str | tuple[str, ...] | None = None
    target: str | int | tuple[str | int, ...] | None = None
    id: str | None = None
    continuation: str | None = None
    description: str = ""
    target_delimiter: str = " "
    fewshot_delimiter: str = "\n\n"
    shots: Annotated[int, Field(ge=0)] = 0
    #: which train examples the shots are: drawn per example with the suite's seed, the
    #: first ``shots`` of the train split in order (MMLU's convention), or drawn as
    #: lm-evaluation-harness draws them (one generator seeded 1234, the examples in order)
    sampler: Literal["random", "first", "lm-eval"] = "random"
    labels: tuple[str, ...] | None = None
    classify: ClassifyFields = ClassifyFields()
    extract_span: SpanFields | None = None
    generate: GenerateOptions = GenerateOptions()
    #: one pipeline of answer filters, or several by name (``em`` picks one with ``filter:``)
    filters: tuple[str | dict[str, Any], ...] | dict[str, tuple[str | dict[str, Any], ...]] = ()

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
    """``params`` checked against :class:`TemplateParams`; ConfigError naming the first
    key at fault (``params.generate.until: ...``), with a suggestion for a typo."""
    try:
        return TemplateParams.model_validate(dict(params))
    except ValidationError as error:
        raise ConfigError(_first_problem(error)) from None


def _first_problem(error: ValidationError) -> str:
    problem = error.errors()[0]
    where = ".".join(str(part) for part in ("params", *problem["loc"]) if not str(part).startswith("function-"))
    where = ".".join(part for part in where.split(".") if part not in ("str", "tuple[str, ...]", "dict[str,str]"))
    if problem["type"] == "extra_forbidden":
        key = str(problem["loc"][-1])
        fields = _fields_at(problem["loc"][:-1])
        return f"{where}: unknown key{did_you_mean(key, fields)}; known: {', '.join(fields)}"
    message = problem["msg"].removeprefix("Value error, ")
    value = problem.get("input")
    shown = "" if isinstance(value, Mapping) or problem["type"] == "missing" else f", not {value!r}"
    return f"{where}: {message}{shown}"


def _fields_at(location: tuple[Any, ...]) -> list[str]:
    """The keys allowed at ``location`` of the schema (for "did you mean")."""
    model: Any = TemplateParams
    for part in location:
        field = model.model_fields.get(str(part)) if isinstance(model, type) and issubclass(model, BaseModel) else None
        annotation = field.annotation if field is not None else None
        candidates = [a for a in getattr(annotation, "__args__", (annotation,)) if isinstance(a, type)]
        model = next((c for c in candidates if issubclass(c, BaseModel)), None)
        if model is None:
            return []
    return list(model.model_fields)
