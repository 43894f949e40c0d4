"""The task's entry in a suite: ``data`` (where the examples are) and ``params`` (how
to ask), checked before anything loads so that a typo fails ``nlpbench validate``.

``data`` goes through the core's :func:`nlpbench.task_data`, so a local file
(``path``) and an HF dataset (``hub``, ``config``, ``split``, ...) take the same keys
as in every other task; prompts are Jinja2 templates (:func:`nlpbench.prompt_templates`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nlpbench import (
    ConfigError,
    Message,
    PromptTemplate,
    PromptTemplates,
    TaskData,
    TaskSpec,
    no_shots_without_train,
    optional_string,
    parse_options,
    prompt_templates,
    task_data,
)

from .labels import label_key
from .params import DEFAULT_DESCRIPTION, DEFAULT_PROMPT, SentimentParams

#: The fields a row maps, and their default columns. ``id`` is read only when mapped:
#: otherwise an example is named by its file (or split) and line.
COLUMNS = {"text": "text", "label": "label", "id": "id"}
OPTIONS = ("labels", "label_names")

#: What ``params.prompt`` may use besides ``shots`` (each shot has ``text`` and ``label``,
#: the label's word); what ``params.description`` may use.
PROMPT_VARIABLES = ("text",)
DESCRIPTION_VARIABLES = ("label",)

#: ``{text}``: the str.format placeholder of earlier versions.
_OLD_PLACEHOLDER = re.compile(r"(?<!\{)\{\s*([A-Za-z_]\w*)\s*\}(?!\})")


@dataclass(frozen=True)
class DataConfig:
    """``data:``, validated. No ``path`` (and no ``sources``) means the built-in sample.
    ``train`` is the train split (for few-shot prompts and ``nlpbench finetune``): a file
    read with the same columns. ``sources`` is the core's view of ``data:`` (a file or an
    HF dataset) when it came from a suite."""

    path: str | None = None
    text: str = "text"
    label: str = "label"
    id: str | None = None
    format: str | None = None
    labels: tuple[str, ...] | None = None
    label_names: Mapping[str, str] | None = None
    train: str | None = None
    sources: TaskData | None = None

    @property
    def hub(self) -> str | None:
        source = self.sources.source if self.sources else None
        return source.hub if source else None

    def describe(self) -> dict[str, Any]:
        """The data source for results."""
        if self.sources is not None:
            return self.sources.describe()
        return {"data": {"path": self.path} if self.path else "built-in sample"}


def template(source: str, where: str, variables: Sequence[str]) -> PromptTemplate:
    """``source`` compiled as a Jinja2 template that must use ``variables[0]``."""
    check_old_form(source, where)
    compiled = PromptTemplate(source, where=where, variables=variables)
    check_uses(source, where, variables[0])
    return compiled


@dataclass(frozen=True)
class Prompting:
    """``params:``, validated: the prompt (for one model), the word said for each label,
    the label descriptions. Templates are Jinja2 (``{{ text }}``, ``{{ label }}``)."""

    prompt: str = DEFAULT_PROMPT
    verbalizers: Mapping[str, str] = field(default_factory=dict)
    description: str = DEFAULT_DESCRIPTION
    _prompt: PromptTemplate = field(init=False, repr=False, compare=False)
    _description: PromptTemplate = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:  # compiled (and checked) once
        object.__setattr__(self, "_prompt", template(self.prompt, "params.prompt", PROMPT_VARIABLES))
        object.__setattr__(
            self, "_description", template(self.description, "params.description", DESCRIPTION_VARIABLES)
        )

    def word(self, label: str) -> str:
        """What a model says (or is compared against) for ``label``."""
        return self.verbalizers.get(label, label)

    def render(self, text: str, shots: Sequence[tuple[str, str]] = ()) -> str:
        """The prompt for ``text``, after ``shots`` (each a text and its label)."""
        values = [{"text": shot_text, "label": self.word(label)} for shot_text, label in shots]
        return self._prompt.render({"text": text}, shots=values)

    def conversation(self, text: str, shots: Sequence[tuple[str, str]] = ()) -> tuple[Message, ...]:
        """The prompt for ``text`` as turns for a chat model: each shot's question and its
        label's word, then the question; empty without shots."""
        values = [{"text": shot_text, "label": self.word(label)} for shot_text, label in shots]
        return self._prompt.conversation({"text": text}, values, answer="label")

    def describe(self, label: str) -> str:
        return self._description.render({"label": self.word(label)})


@dataclass(frozen=True)
class SentimentConfig:
    """``params:`` checked: the prompt templates (one, or per model type or name), the
    shots, the verbalizers and the description."""

    templates: PromptTemplates
    prompt: Any  # params.prompt as the suite gave it (None: the default)
    shots: int
    verbalizers: Mapping[str, str]
    description: str
    #: the generate strategy's length limit and stop strings
    max_new_tokens: int = 5
    until: tuple[str, ...] = ("\n",)

    def prompting(self, template_source: str | None = None) -> Prompting:
        """The prompts for one model: ``template_source``, else the default template."""
        return Prompting(template_source or self.templates.default.source, self.verbalizers, self.description)


def check_old_form(source: Any, where: str) -> None:
    """ConfigError for a template in the old str.format form (``{text}`` and no ``{{``)."""
    if not isinstance(source, str) or "{{" in source:
        return
    match = _OLD_PLACEHOLDER.search(source)
    if match:
        name = match.group(1)
        raise ConfigError(
            f"{where}: '{{{name}}}' is the old placeholder form; templates are Jinja2 now: write '{{{{ {name} }}}}'"
        )


def check_uses(source: str, where: str, name: str) -> None:
    """ConfigError unless the template ``source`` uses the variable ``name``."""
    from jinja2 import meta
    from jinja2.sandbox import SandboxedEnvironment

    if name not in meta.find_undeclared_variables(SandboxedEnvironment().parse(source)):
        raise ConfigError(f"{where} must use {{{{ {name} }}}}")


def data_config(spec: TaskSpec) -> DataConfig:
    """``spec.data`` checked and typed; ConfigError naming the key at fault."""
    sources = task_data(spec, COLUMNS, OPTIONS, required=("text", "label"))
    if sources.source is None:
        return DataConfig(sources=sources)  # the built-in sample, with any data.keep
    data = spec.data
    labels = data.get("labels")
    if labels is not None:
        if (
            not isinstance(labels, list)
            or not labels
            or not all(isinstance(name, str) and name.strip() for name in labels)
        ):
            raise ConfigError(f"data.labels must be a list of label names, not {labels!r}")
        if len(set(labels)) != len(labels):
            raise ConfigError(f"data.labels names a label twice: {labels!r}")
    names = data.get("label_names")
    if names is not None:
        if not isinstance(names, Mapping) or not names:
            raise ConfigError(f"data.label_names must map raw labels to names, not {names!r}")
        for raw, name in names.items():
            if not isinstance(name, str) or not name.strip():
                raise ConfigError(f"data.label_names.{raw} must be a label name, not {name!r}")
            if labels is not None and name not in labels:
                raise ConfigError(f"data.label_names.{raw}: '{name}' is not one of data.labels")
    columns = sources.columns
    return DataConfig(
        path=optional_string(data, "path"),
        text=columns["text"],
        label=columns["label"],
        id=columns["id"] if "id" in data else None,
        format=optional_string(data, "format"),
        labels=tuple(labels) if labels is not None else None,
        label_names={label_key(raw): name for raw, name in names.items()} if names is not None else None,
        train=optional_string(data, "train"),
        sources=sources,
    )


def sentiment_config(spec: TaskSpec, has_train: bool) -> SentimentConfig:
    """``spec.params`` checked and typed: ConfigErrors listing every key at fault, then
    the templates and the shots against the train split."""
    params = parse_options(SentimentParams, spec.params, "params")
    prompt = params.prompt
    if isinstance(prompt, Mapping):
        for key, value in prompt.items():
            check_old_form(value, f"params.prompt.{key}")
    else:
        check_old_form(prompt, "params.prompt")
    templates = prompt_templates(prompt, where="params.prompt", variables=PROMPT_VARIABLES, default=DEFAULT_PROMPT)
    for key, compiled in (("default", templates.default), *templates.by_model.items()):
        check_uses(compiled.source, "params.prompt" if isinstance(prompt, str) else f"params.prompt.{key}", "text")
    shots = params.shots
    no_shots_without_train(shots, has_train)
    if shots and not templates.uses_shots:
        raise ConfigError(
            f"params.shots: {shots} shots, but params.prompt shows none; loop over them with {{% for shot in shots %}}"
        )
    template(params.description, "params.description", DESCRIPTION_VARIABLES)
    return SentimentConfig(
        templates,
        prompt,
        shots,
        dict(params.verbalizers),
        params.description,
        params.max_new_tokens,
        tuple(params.until),
    )


def prompting(spec: TaskSpec) -> Prompting:
    """``spec.params`` checked, as the default model's prompts."""
    sources = data_config(spec).sources
    return sentiment_config(spec, has_train=sources is not None and sources.train is not None).prompting()


def check_labels_known(prompts: Prompting | SentimentConfig, labels: Sequence[str]) -> None:
    """ConfigError when ``params.verbalizers`` names a label the task doesn't have."""
    for label in prompts.verbalizers:
        if label not in labels:
            close = difflib.get_close_matches(label, labels, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(
                f"params.verbalizers: '{label}' is not a label of the task{hint}; labels: {', '.join(labels)}"
            )
