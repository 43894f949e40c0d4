"""A declarative task's templates, compiled once, and each row of data rendered into an
example: its id, input, choices and right answers.

What differs between nlpbench's own task files and lm-evaluation-harness's is kept in
:class:`Conventions`, so one task type runs both and each file gets its own behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from nlpbench import ConfigError, Example, ModelSpec, NlpbenchError, TaskError, one_line

from .targets import Unresolved, answer_texts, choice_indices
from .templates import RowTemplate

if TYPE_CHECKING:
    from .params import TemplateParams


def whitespace_words(text: str) -> int:
    """Words as nlpbench counts them: runs of non-space characters."""
    return len(text.split())


def lm_eval_words(text: str) -> int:
    """Words as lm-evaluation-harness counts them: ``len(re.split(r"\\s+", text))``
    (so leading or trailing whitespace adds an empty "word")."""
    return len(re.split(r"\s+", text))


@dataclass(frozen=True)
class Conventions:
    """Whatever changes a number between the two file formats, each documented in docs/tasks.md."""

    name: str = "nlpbench"
    #: An example whose target names no choice: left out and counted ("exclude"), or
    #: kept and always wrong ("wrong", lm-evaluation-harness).
    unresolved: str = "exclude"
    #: How words are counted for word perplexity.
    count_words: Callable[[str], int] = whitespace_words
    #: How rolling log-likelihoods are windowed: the model's sliding windows, or
    #: lm-evaluation-harness's disjoint ones.
    rolling_windows: Literal["sliding", "disjoint"] = "sliding"
    #: Whether text of digits in a target names a choice by index (nlpbench), or only
    #: the text of a choice does (lm-evaluation-harness converts digits as it renders).
    digit_strings: bool = True


NLPBENCH = Conventions()


@dataclass
class Compiled:
    """Every template of a task, compiled; ``input`` holds one per model name or type
    (``default`` for the rest)."""

    params: TemplateParams
    input: Mapping[str, RowTemplate]
    choices: RowTemplate | None
    target: RowTemplate | None
    id: RowTemplate | None
    continuation: RowTemplate | None
    description: RowTemplate | None
    classify_text: RowTemplate | None
    classify_pair: RowTemplate | None
    span_question: RowTemplate | None
    span_context: RowTemplate | None
    #: Functions standing in for templates (lm-evaluation-harness's ``!function``), by field.
    functions: Mapping[str, Callable[[Mapping[str, Any]], Any]] = field(default_factory=dict)
    #: How errors name each field (``params.target``; an lm-evaluation-harness file's
    #: ``arc.yaml:9: doc_to_target``).
    names: Mapping[str, str] = field(default_factory=dict)

    def name(self, field: str) -> str:
        return self.names.get(field, f"params.{field}")

    @property
    def has_choices(self) -> bool:
        return self.choices is not None or self.params.labels is not None or "choices" in self.functions

    def input_key(self, model: ModelSpec | None) -> str:
        """Which input template ``model`` gets: its name, else its type, else ``default``."""
        if model is not None:
            for key in (model.name, model.type):
                if key in self.input:
                    return key
        return "default"


def compile_params(params: TemplateParams, functions: Mapping[str, Callable[..., Any]] | None = None) -> Compiled:
    """Compile every template of ``params``; ConfigError naming the field for a bad one."""
    functions = dict(functions or {})

    def optional(value: Any, where: str) -> RowTemplate | None:
        return RowTemplate(value, where) if value is not None else None

    inputs = params.input if isinstance(params.input, dict) else {"default": params.input}
    return Compiled(
        params=params,
        input={
            key: RowTemplate(text, "params.input" + ("" if len(inputs) == 1 else f".{key}"))
            for key, text in inputs.items()
        },
        choices=optional(params.choices, "params.choices"),
        target=optional(params.target, "params.target"),
        id=optional(params.id, "params.id"),
        continuation=optional(params.continuation, "params.continuation"),
        description=RowTemplate(params.description, "params.description") if params.description else None,
        classify_text=optional(params.classify.text, "params.classify.text"),
        classify_pair=optional(params.classify.text_pair, "params.classify.text_pair"),
        span_question=optional(
            params.extract_span.question if params.extract_span else None, "params.extract_span.question"
        ),
        span_context=optional(
            params.extract_span.context if params.extract_span else None, "params.extract_span.context"
        ),
        functions=functions,
    )


@dataclass(frozen=True)
class Rendered:
    """One row rendered: an example's parts. ``gold`` holds the right choices' indices
    (a task with choices) or the acceptable answers (one without); ``problem`` says why
    the target could not be resolved (then ``gold`` is empty)."""

    id: str
    input: str
    choices: tuple[str, ...]
    gold: tuple[Any, ...]
    problem: str | None = None
    #: partial scoring: the text scored after each choice (each choice ends the context)
    continuation: str | None = None


class Renderer:
    """Renders rows with a task's compiled templates. With ``digit_strings`` a target
    that is text of digits names a choice by index (nlpbench); without, text names a
    choice by its text only (lm-evaluation-harness, whose fields convert digits themselves)."""

    def __init__(self, compiled: Compiled, digit_strings: bool = True) -> None:
        self.compiled = compiled
        self.digit_strings = digit_strings

    def _field(self, name: str, template: RowTemplate | None, row: Mapping[str, Any]) -> Any:
        function = self.compiled.functions.get(name)
        if function is not None:
            try:
                return function(dict(row))
            except NlpbenchError:
                raise
            except Exception as error:
                raise TaskError(f"{self.compiled.name(name)}: the task's function raised {one_line(error)}") from None
        return template.value(row) if template is not None else None

    def input(self, row: Mapping[str, Any], key: str = "default") -> Any:
        """The input (text; an index for lm-evaluation-harness's tasks whose choices are the contexts)."""
        return self._field("input", self.compiled.input[key], row)

    def input_text(self, row: Mapping[str, Any], key: str = "default") -> str:
        value = self.input(row, key)
        return value if isinstance(value, str) else str(value)

    def choices(self, row: Mapping[str, Any]) -> tuple[str, ...]:
        """The choices: the rendered ``choices`` (a list), else the task's ``labels``."""
        if self.compiled.choices is None and "choices" not in self.compiled.functions:
            return tuple(self.compiled.params.labels or ())
        function = self.compiled.functions.get("choices")
        if function is not None or self.compiled.choices is None:
            items = self._field("choices", None, row)
        else:
            items = self.compiled.choices.items(row)
        if isinstance(items, Mapping):  # lm-evaluation-harness allows {label: text}
            items = list(items.values())
        if not isinstance(items, (list, tuple)):
            raise TaskError(f"params.choices: must give a list of choices, not {items!r}")
        return tuple(str(choice) for choice in items)

    def target(self, row: Mapping[str, Any]) -> Any:
        return self._field("target", self.compiled.target, row)

    def description(self, row: Mapping[str, Any]) -> str:
        if self.compiled.description is None:
            return ""
        return self.compiled.description.text(row)

    def render(self, row: Mapping[str, Any], position: int, *, where: str = "") -> Rendered:
        """The example of ``row`` (the ``position``-th of its split, which is its id unless
        ``params.id`` says otherwise); TaskError naming the field for a template that fails."""
        compiled = self.compiled
        example_id = compiled.id.text(row) if compiled.id is not None else str(position)
        text = self.input(row)
        choices = self.choices(row) if compiled.has_choices else ()
        if compiled.has_choices and not choices:
            raise TaskError(f"{where}{compiled.name('choices')}: renders no choices")
        target = self.target(row) if compiled.target is not None or "target" in compiled.functions else None
        if not isinstance(text, str) and compiled.has_choices:
            # lm-evaluation-harness: an input that is a number names the right context
            # among the choices; the target is the continuation they share
            shared = target if isinstance(target, str) else str(target)
            try:
                gold: tuple[Any, ...] = choice_indices(text, choices, self.digit_strings)
            except Unresolved as error:
                return Rendered(example_id, "", choices, (), str(error), shared)
            return Rendered(example_id, "", choices, gold, None, shared)
        continuation = compiled.continuation.text(row) if compiled.continuation is not None else None
        if target is None:
            return Rendered(example_id, str(text), choices, (), None, continuation)
        try:
            gold = choice_indices(target, choices, self.digit_strings) if compiled.has_choices else answer_texts(target)
        except Unresolved as error:
            return Rendered(example_id, str(text), choices, (), str(error), continuation)
        return Rendered(example_id, str(text), choices, gold, None, continuation)


def example_of(rendered: Rendered, row: Mapping[str, Any], kept: Mapping[str, Any], output: str) -> Example:
    """The :class:`Example` of a rendered row: references are the right choices' indices
    (choices) or answers; a generated answer is compared with the right choices' texts."""
    references: tuple[Any, ...] = rendered.gold
    if output in ("generate", "extract_span") and rendered.choices:
        references = tuple(rendered.choices[i] for i in rendered.gold)
    fields = {**row, **kept, "_choices": list(rendered.choices)}
    if rendered.continuation is not None:
        fields["_continuation"] = rendered.continuation
    return Example(rendered.id, rendered.input, references, fields)


def check_unique(examples: Sequence[Example], where: str) -> None:
    seen: set[str] = set()
    for example in examples:
        if example.id in seen:
            raise ConfigError(f"{where}: two examples have the id '{example.id}'; set params.id to a unique column")
        seen.add(example.id)
