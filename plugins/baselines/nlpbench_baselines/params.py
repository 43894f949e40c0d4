"""What a baseline's ``models:`` entry may say: each model type's params as an option
schema (checked by the core before anything runs), and that it asks for no weights."""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from nlpbench import ConfigError, ModelSpec, Options, did_you_mean

#: The fields of a ``models:`` entry that point at something to load.
SOURCES = ("path", "hub", "config")


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError(f"must not be empty, not {value!r}")
    return value


#: A file, column or label name: a string with something in it.
Name = Annotated[str, AfterValidator(_non_empty)]


class CopyParams(Options):
    """The ``copy`` model takes no params: it answers with the task's input."""


class LeadParams(Options):
    """The params of the ``lead`` model (lead-k summarization)."""

    k: int = Field(
        default=3, ge=1, le=10_000, description="How many of the document's first sentences make the summary."
    )
    join: Literal["newline", "space"] = Field(
        default="newline",
        description="What goes between the sentences: newline (which ROUGE-Lsum reads as sentence breaks) or space.",
    )


class MajorityParams(Options):
    """The params of the ``majority`` model: the label to answer, or a training file to count."""

    label: Name | None = Field(default=None, description="The label to answer every time (or give data instead).")
    data: Name | None = Field(
        default=None,
        description="A training file (JSONL, JSON, CSV or TSV, relative to the suite) whose commonest label is "
        "answered; ties go to the name that sorts first.",
    )
    label_column: Name | None = Field(
        default=None, description="With data: the column that holds the labels (default label)."
    )
    format: Name | None = Field(
        default=None, description="With data: the file's format, when its extension does not tell."
    )
    label_names: Annotated[dict[Any, Name], Field(min_length=1)] | None = Field(
        default=None,
        description="With data: raw label → label name, for a file with numeric labels ({0: negative, ...}).",
    )


class SlidingWindowParams(Options):
    """The params of the ``sliding-window`` model (extractive QA by word overlap)."""

    max_answer_words: int = Field(default=5, ge=1, le=10_000, description="The longest answer span, in words.")
    window: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="Words per window of the context; unset: the question's content words plus max_answer_words.",
    )


class WordlistParams(Options):
    """The params of the ``wordlist`` model (sentiment from word lists)."""

    lexicon: Name | None = Field(
        default=None,
        description='A JSON file {"positive": [...], "negative": [...]} (relative to the suite) used instead of '
        "the built-in word lists.",
    )


class ReplayParams(Options):
    """The params of the ``replay`` model (answers saved earlier, by example id)."""

    predictions: Name | None = Field(
        default=None,
        description="The file of saved predictions, relative to the suite (or give it as the model's path).",
    )
    format: Literal["jsonl", "json", "text"] | None = Field(
        default=None,
        description="jsonl (one object a line, by id), json (one object of id → prediction, SQuAD's prediction "
        "files) or text (one prediction a line); unset: .jsonl/.ndjson is jsonl, .json json, anything else text.",
    )
    id: Name | None = Field(default=None, description="For jsonl: the column holding the example id (default id).")
    prediction: Name | None = Field(
        default=None, description="For jsonl: the column holding the prediction (default prediction)."
    )
    id_format: Name | None = Field(
        default=None,
        description="For text: the example id of each line, from {line} (1-based, the default) or {index} "
        "(0-based), such as tiny-{index}.",
    )


def check_sources(spec: ModelSpec, hint: str, loads: Collection[str] = ()) -> None:
    """ConfigError for a ``path``, ``hub`` or ``config`` the type does not take: a baseline
    loads no weights; ``loads`` names the fields it does take (``replay`` reads its
    predictions from ``path``)."""
    for key in SOURCES:
        if key not in loads and getattr(spec, key) is not None:
            raise ConfigError(f"model type '{spec.type}' loads no weights: remove {key} ({hint})")


def string_param(spec: ModelSpec, key: str) -> str | None:
    """``params[key]`` as a non-empty string, or None when absent."""
    value = spec.params.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"params.{key} must be a non-empty string, not {value!r}")
    return value


def choice_param(spec: ModelSpec, key: str, choices: tuple[str, ...]) -> str:
    """``params[key]``, one of ``choices``; the first choice when absent."""
    value = spec.params.get(key)
    if value is None:
        return choices[0]
    if value not in choices:
        suggestion = did_you_mean(value, choices) if isinstance(value, str) else ""
        raise ConfigError(f"params.{key} must be one of {', '.join(choices)}, not {value!r}{suggestion}")
    return str(value)
