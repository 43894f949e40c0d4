"""The task's entry in a suite, checked before anything loads: where the documents are
(``data``) and how to ask for summaries, and how long they may be (``params``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nlpbench import (
    ConfigError,
    PromptTemplates,
    TaskData,
    TaskSpec,
    parse_options,
    prompting,
    task_data,
)

from .params import DEFAULT_MAX_NEW_TOKENS, SummarizationParams
from .prompts import DEFAULT_PROMPTS, VARIABLES

#: The columns rows map (field → default column).
COLUMNS = {"document": "document", "summary": "summary"}
DATA_OPTIONS = ("id", "sentence_split")
#: The fields an example fills itself beyond the mapped columns, which ``data.keep`` may not overwrite.
RESERVED_FIELDS = ("summaries",)


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


def params_config(spec: TaskSpec, has_train: bool) -> Params:
    """``spec.params`` checked and typed; ConfigError naming the key at fault."""
    params = parse_options(SummarizationParams, spec.params, "params")
    prompts = prompting(params.model_dump(), variables=VARIABLES, default=DEFAULT_PROMPTS, has_train=has_train)
    return Params(
        prompts.templates,
        prompts.shots,
        params.max_new_tokens,
        params.max_words,
        params.max_input_words,
        params.max_input_chars,
    )


def check_train_exists(config: DataConfig) -> None:
    """ConfigError when ``data.train`` names a file that is not there."""
    train = config.rows.train
    if train is not None and train.path is not None and not train.path.is_file():
        raise ConfigError(f"data.train: {train.path}: no such file")
