"""The task's entry in a suite, checked before anything loads: where the sentence pairs
are (``data``) and how to ask for translations (``params``).

``data`` takes one of three forms:

- nothing (or only ``source_lang: de, target_lang: en``): the built-in German→English sample;
- rows of a file or HF dataset (``path`` or ``hub``, the core's keys), with the columns
  ``source`` and ``reference`` mapped (the reference column may hold a list of references);
- line-aligned files: ``source`` (a file) and ``references`` (a file or a list of files),
  line *i* of each reference file translating line *i* of the source; the train split,
  for few-shot prompts, is ``train_source`` and ``train_references``.

Every form but the sample declares the language pair: ``source_lang`` and ``target_lang``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpbench import (
    SOURCE_KEYS,
    ConfigError,
    PromptTemplates,
    TaskData,
    TaskSpec,
    parse_options,
    prompting,
    task_data,
)

from .languages import check_code
from .params import DEFAULT_MAX_NEW_TOKENS, TranslationParams
from .prompts import DEFAULT_PROMPTS, VARIABLES

#: The keys of line-aligned data: files, not columns.
LINE_KEYS = ("source", "references", "train_source", "train_references")
LANGUAGE_KEYS = ("source_lang", "target_lang")
#: The columns rows map (field → default column).
COLUMNS = {"source": "source", "reference": "reference"}
#: The fields an example fills itself beyond the mapped columns, which ``data.keep`` may not overwrite.
RESERVED_FIELDS = ("references",)
#: The built-in sample's language pair.
SAMPLE_PAIR = ("de", "en")


@dataclass(frozen=True)
class LineFiles:
    """Line-aligned files: line *i* of each of ``references`` translates line *i* of ``source``."""

    source: Path
    references: tuple[Path, ...]

    def describe(self) -> dict[str, Any]:
        return {"source": str(self.source), "references": [str(path) for path in self.references]}


@dataclass(frozen=True)
class DataConfig:
    """``data:``, checked. ``lines`` is set for line-aligned files; otherwise ``rows``
    says where the rows are (its ``source`` is None for the built-in sample)."""

    rows: TaskData
    lines: LineFiles | None
    train_lines: LineFiles | None
    source_lang: str
    target_lang: str
    id_column: str | None = None

    @property
    def builtin(self) -> bool:
        """Whether this is the built-in sample (which has a built-in train split too)."""
        return self.lines is None and self.rows.source is None

    @property
    def has_train(self) -> bool:
        return self.builtin or self.rows.train is not None or self.train_lines is not None

    def describe(self) -> dict[str, Any]:
        facts: dict[str, Any]
        if self.lines is not None:
            facts = {"data": self.lines.describe()}
            if self.train_lines is not None:
                facts["train"] = self.train_lines.describe()
        elif self.builtin:
            facts = {"data": "built-in sample", "train": "built-in sample"}
        else:
            facts = self.rows.describe()
        return {**facts, "source_lang": self.source_lang, "target_lang": self.target_lang}


@dataclass(frozen=True)
class Params:
    """``params:``, checked: the prompt templates, the number of shots, the token budget."""

    templates: PromptTemplates
    shots: int = 0
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS


def _line_form(data: Mapping[str, Any]) -> bool:
    """Whether ``data`` names line-aligned files rather than rows."""
    if any(key in data for key in ("references", "train_source", "train_references")):
        return True
    return "source" in data and not any(key in data for key in ("path", "hub", "hf"))


def _file(spec: TaskSpec, value: Any, where: str) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} must be a file, not {value!r}")
    return spec.resolve(value)


def _files(spec: TaskSpec, value: Any, where: str) -> tuple[Path, ...]:
    """A file, or a non-empty list of files."""
    if isinstance(value, str):
        return (_file(spec, value, where),)
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{where} must be a file or a list of files, not {value!r}")
    return tuple(_file(spec, item, f"{where}[{index}]") for index, item in enumerate(value))


def _line_files(spec: TaskSpec, data: Mapping[str, Any], source_key: str, references_key: str) -> LineFiles | None:
    if source_key not in data and references_key not in data:
        return None
    for key, other in ((source_key, references_key), (references_key, source_key)):
        if key not in data:
            raise ConfigError(f"data.{key} is required with data.{other}: line-aligned data needs both")
    return LineFiles(
        _file(spec, data[source_key], f"data.{source_key}"),
        _files(spec, data[references_key], f"data.{references_key}"),
    )


def data_config(spec: TaskSpec) -> DataConfig:
    """``spec.data`` checked and typed; ConfigError naming the key at fault."""
    data = spec.data
    if not isinstance(data, Mapping):
        raise ConfigError(f"data must be a mapping, not {type(data).__name__}")
    languages = {key: data[key] for key in LANGUAGE_KEYS if key in data}
    lines = train_lines = None
    id_column = None
    if _line_form(data):
        if any(key in data for key in ("path", "hub", "hf")):
            key = next(key for key in ("path", "hub", "hf") if key in data)
            raise ConfigError(
                f"data: give data.{key} (rows with columns) or data.source and data.references "
                "(line-aligned files), not both"
            )
        if "keep" in data:
            raise ConfigError(
                "data.keep needs rows with columns (data.path or data.hub); line-aligned files "
                "(data.source and data.references) have no columns to keep"
            )
        for key in (*SOURCE_KEYS, "id"):
            if key in data:
                hint = (
                    "; give the train split as data.train_source and data.train_references"
                    if key in ("train", "train_split")
                    else ""
                )
                raise ConfigError(
                    f"data.{key} does not apply to line-aligned files (data.source and data.references){hint}"
                )
        rows = task_data(spec, {}, options=(*LINE_KEYS, *LANGUAGE_KEYS))
        lines = _line_files(spec, data, "source", "references")
        if lines is None:
            raise ConfigError("data.source and data.references are required: the train split alone is no test set")
        train_lines = _line_files(spec, data, "train_source", "train_references")
    else:
        rows = task_data(spec, COLUMNS, options=(*LANGUAGE_KEYS, "id"), reserved_fields=RESERVED_FIELDS)
        raw_id = rows.options.get("id")
        if raw_id is not None and (not isinstance(raw_id, str) or not raw_id.strip()):
            raise ConfigError(f"data.id must be a column name, not {raw_id!r}")
        id_column = raw_id
    if lines is None and rows.source is None:  # the built-in sample
        pair = {key: check_code(value, f"data.{key}") for key, value in languages.items()}
        for key, expected in zip(LANGUAGE_KEYS, SAMPLE_PAIR, strict=True):
            if key in pair and pair[key] != expected:
                raise ConfigError(
                    f"data.{key}: the built-in sample is German→English ({key}: {expected}); "
                    "for another pair give data.path or data.source and data.references"
                )
        return DataConfig(rows, None, None, *SAMPLE_PAIR)
    for key in LANGUAGE_KEYS:
        if key not in languages:
            side = "the sources'" if key == "source_lang" else "the translations'"
            raise ConfigError(f"data.{key} is required: {side} language code, such as de or en")
    source_lang = check_code(languages["source_lang"], "data.source_lang")
    target_lang = check_code(languages["target_lang"], "data.target_lang")
    return DataConfig(rows, lines, train_lines, source_lang, target_lang, id_column)


def check_files_exist(config: DataConfig) -> None:
    """ConfigError naming the key of a line-aligned file that is not there."""
    for prefix, files in (("", config.lines), ("train_", config.train_lines)):
        if files is None:
            continue
        if not files.source.is_file():
            raise ConfigError(f"data.{prefix}source: {files.source}: no such file")
        for index, path in enumerate(files.references):
            if not path.is_file():
                raise ConfigError(f"data.{prefix}references[{index}]: {path}: no such file")
    train = config.rows.train
    if train is not None and train.path is not None and not train.path.is_file():
        raise ConfigError(f"data.train: {train.path}: no such file")


def params_config(spec: TaskSpec, has_train: bool) -> Params:
    """``spec.params`` checked and typed; ConfigError naming the key at fault."""
    params = parse_options(TranslationParams, spec.params, "params")
    prompts = prompting(params.model_dump(), variables=VARIABLES, default=DEFAULT_PROMPTS, has_train=has_train)
    return Params(prompts.templates, prompts.shots, params.max_new_tokens)
