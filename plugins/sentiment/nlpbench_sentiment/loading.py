"""Reading the task's examples: a local file or an HF dataset split with mapped columns
(through the core's :class:`nlpbench.DataSource`), or the built-in sample."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from importlib import resources
from pathlib import Path

from nlpbench import ConfigError, DataError, DataSource, Example, Row, column

from .config import DataConfig
from .labels import LabelNamer, LabelProblem, likely_typo

#: The built-in sample: 60 short reviews written for this package, half positive.
SAMPLE = DataConfig(path="data/sample.jsonl", text="text", label="label", id="id")
SAMPLE_LABELS = ("negative", "positive")


def source_of(config: DataConfig, resolve: Callable[[str], Path]) -> DataSource | None:
    """Where ``config``'s examples are: None for the built-in sample."""
    if config.sources is not None:
        return config.sources.source
    if config.path is None:
        return None
    return DataSource(path=resolve(config.path), format=config.format)


def train_source_of(config: DataConfig, resolve: Callable[[str], Path]) -> DataSource | None:
    """Where ``config``'s train split is: None when it has none."""
    if config.sources is not None:
        return config.sources.train
    if config.train is None:
        return None
    return DataSource(path=resolve(config.train), format=config.format)


def load(config: DataConfig, resolve: Callable[[str], Path]) -> tuple[list[Example], tuple[str, ...]]:
    """The examples and the task's labels: ``data.labels``, else the sorted names seen."""
    source = source_of(config, resolve)
    if source is None:
        with resources.as_file(resources.files(__package__).joinpath(SAMPLE.path or "")) as path:
            examples = read_examples(path, replace(SAMPLE, sources=config.sources))  # data.keep applies to it too
        return examples, SAMPLE_LABELS
    lines: dict[str, int] = {}
    examples = read_source(source, config, lines=lines)
    if config.labels is not None:
        return examples, config.labels
    check_label_typos(examples, source, lines)
    return examples, tuple(sorted({example.references[0] for example in examples}))


def check_label_typos(examples: Sequence[Example], source: DataSource, lines: Mapping[str, int]) -> None:
    """DataError naming the row of a label that looks like a typo of another (``positve``
    beside 400 ``positive``): without data.labels the labels are whatever the data holds,
    and a typo would silently become a class of its own."""
    counts = Counter(example.references[0] for example in examples)
    typo = likely_typo(counts)
    if typo is None:
        return
    label, meant = typo
    first = next(example for example in examples if example.references[0] == label)
    raise DataError(
        f"{source.label}:{lines[first.id]}: label {label!r} looks like a typo of {meant!r} ({counts[label]} row"
        f"{'s' if counts[label] != 1 else ''} against {counts[meant]}); fix it, or list every label in data.labels"
    )


def no_train_split(config: DataConfig) -> ConfigError:
    """What to set when the task is asked for a train split it was not given."""
    if config.hub is not None:
        return ConfigError("no train split: set data.train_split to a split of the dataset in data.hub")
    if config.path is None:
        return ConfigError(
            "no train split: the built-in sample has none; set data.path and data.train (files with the same "
            "columns), or data.hub and data.train_split"
        )
    return ConfigError("no train split: set data.train to a file with the same columns as data.path")


def load_train(source: DataSource | Path, config: DataConfig, labels: Sequence[str]) -> list[Example]:
    """The train split ``source``, read with the columns of ``data``. Every label must
    be one of the task's ``labels``: DataError naming the source and example otherwise."""
    if isinstance(source, Path):
        source = DataSource(path=source, format=config.format)
    examples = read_source(source, config, keep=False)  # a train file need not carry the kept columns
    for example in examples:
        label = example.references[0]
        if label not in labels:
            raise DataError(
                f"{source.label}: example '{example.id}' has the label {label!r}, which is not one of the task's "
                f"labels ({', '.join(labels)}, as seen in the evaluation data); list every label in data.labels"
            )
    return examples


def read_examples(path: Path, config: DataConfig) -> list[Example]:
    """One Example per row of the file ``path``; DataError naming the file and line for a bad row."""
    return read_source(DataSource(path=path, format=config.format), config)


def read_source(
    source: DataSource, config: DataConfig, *, keep: bool = True, lines: dict[str, int] | None = None
) -> list[Example]:
    """One Example per row of ``source``, with the ``data.keep`` columns among its fields
    when ``keep``; DataError naming the file (or dataset) and line for a bad row.
    ``lines``, when given, receives each example's line (id → line)."""
    rows = source.read(text_column=config.text)  # DataError when empty
    where = source.label
    # an example without a mapped id is named by its file (or split) and line
    prefix = source.path.stem if source.path is not None else str(source.split)
    namer = LabelNamer(config.labels, config.label_names)
    examples: list[Example] = []
    lines = {} if lines is None else lines
    for row in rows:
        text = _text(row, config.text, where)
        raw = column(row, config.label, where, "label")
        try:
            label = namer.name(raw)
        except LabelProblem as problem:
            raise DataError(f"{where}:{row.line}: {problem}") from None
        # ids key samples and the store, so they must be stable and unique
        example_id = str(column(row, config.id, where, "id")) if config.id else f"{prefix}-{row.line}"
        if example_id in lines:
            raise DataError(f"{where}:{row.line}: id '{example_id}' is already used on line {lines[example_id]}")
        lines[example_id] = row.line
        kept = config.sources.kept(row, where) if keep and config.sources is not None else {}
        fields = {"text": text, "label": label, **kept}
        examples.append(Example(id=example_id, input=text, references=(label,), fields=fields))
    return examples


def _text(row: Row, name: str, where: str) -> str:
    text = column(row, name, where, "text")
    if not isinstance(text, str):
        raise DataError(f"{where}:{row.line}: column '{name}' must hold text, not {type(text).__name__}")
    return text.strip()  # SST-2 and friends end lines with a space before the tab
