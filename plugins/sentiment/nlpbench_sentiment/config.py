"""The task's entry in a suite: ``data`` (where the examples are) and ``params`` (how
to ask), checked before anything loads so that a typo fails ``nlpbench validate``."""

from __future__ import annotations

import difflib
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nlpbench import ConfigError, TaskSpec

from .labels import label_key

DATA_KEYS = ("path", "text", "label", "id", "format", "labels", "label_names", "train")
PARAM_KEYS = ("prompt", "verbalizers", "description")

DEFAULT_PROMPT = "Review: {text}\nSentiment:"
DEFAULT_DESCRIPTION = "This review is {label}."


@dataclass(frozen=True)
class DataConfig:
    """``data:``, validated. No ``path`` means the built-in sample set. ``train`` is the
    train split (for ``nlpbench finetune``): a file read with the same columns."""

    path: str | None = None
    text: str = "text"
    label: str = "label"
    id: str | None = None
    format: str | None = None
    labels: tuple[str, ...] | None = None
    label_names: Mapping[str, str] | None = None
    train: str | None = None


@dataclass(frozen=True)
class Prompting:
    """``params:``, validated: the prompt, the word said for each label, the label descriptions."""

    prompt: str = DEFAULT_PROMPT
    verbalizers: Mapping[str, str] = field(default_factory=dict)
    description: str = DEFAULT_DESCRIPTION

    def word(self, label: str) -> str:
        """What a model says (or is compared against) for ``label``."""
        return self.verbalizers.get(label, label)

    def render(self, text: str) -> str:
        return self.prompt.format(text=text)

    def describe(self, label: str) -> str:
        return self.description.format(label=self.word(label))


def _unknown(where: str, keys: Sequence[Any], known: Sequence[str]) -> None:
    for key in keys:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ConfigError(f"{where}: unknown key '{key}'{hint}; known: {', '.join(known)}")


def _string(where: str, mapping: Mapping[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}.{key} must be a non-empty string, not {value!r}")
    return value


def _template(where: str, template: str, placeholder: str) -> None:
    """ConfigError unless ``template`` is a format string using ``{placeholder}`` only."""
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        raise ConfigError(f"{where} is not a valid format string: {error}") from None
    if fields - {placeholder}:
        others = ", ".join(f"{{{name}}}" for name in sorted(fields - {placeholder}))
        raise ConfigError(f"{where} may use only {{{placeholder}}}, not {others} (write {{{{ }}}} for braces)")
    if placeholder not in fields:
        raise ConfigError(f"{where} must contain {{{placeholder}}}")


def data_config(spec: TaskSpec) -> DataConfig:
    """``spec.data`` checked and typed; ConfigError naming the key at fault."""
    data = spec.data
    if not isinstance(data, Mapping):
        raise ConfigError(f"data must be a mapping, not {type(data).__name__}")
    if not data:
        return DataConfig()
    _unknown("data", list(data), DATA_KEYS)
    path = _string("data", data, "path")
    if path is None:
        raise ConfigError("data.path is required: the file of examples (leave data out to use the built-in sample)")
    text = _string("data", data, "text")
    label = _string("data", data, "label")
    for key, value in (("text", text), ("label", label)):
        if value is None:
            raise ConfigError(f"data.{key} is required with data.path: the column that holds the {key}")
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
    assert text is not None and label is not None
    return DataConfig(
        path=path,
        text=text,
        label=label,
        id=_string("data", data, "id"),
        format=_string("data", data, "format"),
        labels=tuple(labels) if labels is not None else None,
        label_names={label_key(raw): name for raw, name in names.items()} if names is not None else None,
        train=_string("data", data, "train"),
    )


def prompting(spec: TaskSpec) -> Prompting:
    """``spec.params`` checked and typed; ConfigError naming the key at fault."""
    params = spec.params
    if not isinstance(params, Mapping):
        raise ConfigError(f"params must be a mapping, not {type(params).__name__}")
    _unknown("params", list(params), PARAM_KEYS)
    prompt = _string("params", params, "prompt") or DEFAULT_PROMPT
    _template("params.prompt", prompt, "text")
    description = _string("params", params, "description") or DEFAULT_DESCRIPTION
    _template("params.description", description, "label")
    verbalizers = params.get("verbalizers") or {}
    if not isinstance(verbalizers, Mapping) or not all(
        isinstance(word, str) and word.strip() for word in verbalizers.values()
    ):
        raise ConfigError(f"params.verbalizers must map each label to a word, not {verbalizers!r}")
    return Prompting(prompt, {str(k): v for k, v in verbalizers.items()}, description)


def check_labels_known(prompts: Prompting, labels: Sequence[str]) -> None:
    """ConfigError when ``params.verbalizers`` names a label the task doesn't have."""
    for label in prompts.verbalizers:
        if label not in labels:
            close = difflib.get_close_matches(label, labels, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(
                f"params.verbalizers: '{label}' is not a label of the task{hint}; labels: {', '.join(labels)}"
            )
