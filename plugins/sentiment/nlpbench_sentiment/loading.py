"""Reading the task's examples: a local file with mapped columns, or the built-in sample."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

from nlpbench import ConfigError, DataError, Example, column, read_rows

from .config import DataConfig
from .labels import LabelNamer, LabelProblem

#: The built-in sample: 60 short reviews written for this package, half positive.
SAMPLE = DataConfig(path="data/sample.jsonl", text="text", label="label", id="id")
SAMPLE_LABELS = ("negative", "positive")


def load(config: DataConfig, resolve: Callable[[str], Path]) -> tuple[list[Example], tuple[str, ...]]:
    """The examples and the task's labels: ``data.labels``, else the sorted names seen."""
    if config.path is None:
        with resources.as_file(resources.files(__package__).joinpath(SAMPLE.path or "")) as path:
            examples = read_examples(path, SAMPLE)
        return examples, SAMPLE_LABELS
    examples = read_examples(resolve(config.path), config)
    labels = config.labels or tuple(sorted({example.references[0] for example in examples}))
    return examples, labels


def no_train_split(config: DataConfig) -> ConfigError:
    """What to set when the task is asked for a train split it was not given."""
    if config.path is None:
        return ConfigError(
            "no train split: the built-in sample has none; set data.path and data.train (files with the same columns)"
        )
    return ConfigError("no train split: set data.train to a file with the same columns as data.path")


def load_train(path: Path, config: DataConfig, labels: Sequence[str]) -> list[Example]:
    """The train split at ``path``, read with the columns of ``data.path``. Every label must
    be one of the task's ``labels``: DataError naming the file and example otherwise."""
    examples = read_examples(path, config)
    for example in examples:
        label = example.references[0]
        if label not in labels:
            raise DataError(
                f"{path}: example '{example.id}' has the label {label!r}, which is not one of the task's labels "
                f"({', '.join(labels)}, as seen in data.path); list every label in data.labels"
            )
    return examples


def read_examples(path: Path, config: DataConfig) -> list[Example]:
    """One Example per row of ``path``; DataError naming the file and line for a bad row."""
    rows = read_rows(path, config.format, text_column=config.text)  # DataError when empty
    namer = LabelNamer(config.labels, config.label_names)
    examples: list[Example] = []
    lines: dict[str, int] = {}
    for row in rows:
        text = column(row, config.text, path, "text")
        if not isinstance(text, str):
            raise DataError(f"{path}:{row.line}: column '{config.text}' must hold text, not {type(text).__name__}")
        text = text.strip()  # SST-2 and friends end lines with a space before the tab
        raw = column(row, config.label, path, "label")
        try:
            label = namer.name(raw)
        except LabelProblem as problem:
            raise DataError(f"{path}:{row.line}: {problem}") from None
        # ids key samples and the store, so they must be stable and unique
        example_id = str(column(row, config.id, path, "id")) if config.id else f"{path.stem}-{row.line}"
        if example_id in lines:
            raise DataError(f"{path}:{row.line}: id '{example_id}' is already used on line {lines[example_id]}")
        lines[example_id] = row.line
        examples.append(Example(id=example_id, input=text, references=(label,), fields={"text": text, "label": label}))
    return examples
