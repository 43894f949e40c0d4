"""The task's entry in a suite, checked before anything loads: where the documents are
(``data``) and how to ask for summaries, and how long they may be (``params``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nlpbench import (
    ConfigError,
    PromptTemplates,
    TaskData,
    TaskSpec,
    check_keys,
    prompting,
    task_data,
)

from .prompts import DEFAULT_PROMPTS, VARIABLES

#: The columns rows map (field → default column).
COLUMNS = {"document": "document", "summary": "summary"}
DATA_OPTIONS = ("id", "sentence_split")
#: The fields an example fills itself beyond the mapped columns, which ``data.keep`` may not overwrite.
RESERVED_FIELDS = ("summaries",)
PARAM_KEYS = ("prompt", "shots", "max_new_tokens", "max_words", "max_input_words", "max_input_chars")
DEFAULT_MAX_NEW_TOKENS = 128


@dataclass(frozen=True)
class DataConfig:
    """``data:``, checked: where the rows are (``rows.source`` None: the built-in sample),
    the id column, and whether to split reference summaries into sentences."""

    rows: TaskData
    id_column: str | None = None
    sentence_split: bool = False

    @property
    def builtin(self) -> bool:
        return self.rows.source is None

    @property
    def has_train(self) -> bool:
        return self.builtin or self.rows.train is not None

    def describe(self) -> dict[str, Any]:
        facts = {"data": "built-in sample", "train": "built-in sample"} if self.builtin else self.rows.describe()
        return {**facts, "sentence_split": self.sentence_split}


@dataclass(frozen=True)
class Params:
    """``params:``, checked. A limit of None is no limit."""

    templates: PromptTemplates
    shots: int = 0
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
    max_words: int | None = None
    max_input_words: int | None = None
    max_input_chars: int | None = None


def data_config(spec: TaskSpec) -> DataConfig:
    """``spec.data`` checked and typed; ConfigError naming the key at fault."""
    rows = task_data(spec, COLUMNS, options=DATA_OPTIONS, reserved_fields=RESERVED_FIELDS)
    id_column = rows.options.get("id")
    if id_column is not None and (not isinstance(id_column, str) or not id_column.strip()):
        raise ConfigError(f"data.id must be a column name, not {id_column!r}")
    if id_column is not None and rows.source is None:
        raise ConfigError("data.id needs data.path or data.hub: the built-in sample has its own ids")
    split = rows.options.get("sentence_split", False)
    if not isinstance(split, bool):
        raise ConfigError(f"data.sentence_split must be true or false, not {split!r}")
    return DataConfig(rows, id_column, split)


def _limit(params: Mapping[str, Any], key: str, default: int | None = None) -> int | None:
    value = params.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"params.{key} must be a whole number of at least 1, not {value!r}")
    return value


def params_config(spec: TaskSpec, has_train: bool) -> Params:
    """``spec.params`` checked and typed; ConfigError naming the key at fault."""
    params = check_keys(spec.params, PARAM_KEYS)
    prompts = prompting(params, variables=VARIABLES, default=DEFAULT_PROMPTS, has_train=has_train)
    max_new_tokens = _limit(params, "max_new_tokens", DEFAULT_MAX_NEW_TOKENS)
    assert max_new_tokens is not None
    return Params(
        prompts.templates,
        prompts.shots,
        max_new_tokens,
        _limit(params, "max_words"),
        _limit(params, "max_input_words"),
        _limit(params, "max_input_chars"),
    )


def check_train_exists(config: DataConfig) -> None:
    """ConfigError when ``data.train`` names a file that is not there."""
    train = config.rows.train
    if train is not None and train.path is not None and not train.path.is_file():
        raise ConfigError(f"data.train: {train.path}: no such file")
