"""Reading documents and their reference summaries: rows of a file or HF dataset, or the
built-in sample. Every problem is a DataError naming the file and line, and the column
and its mapping."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from nlpbench import DataError, DataSource, Example, Row, TaskData, column, read_rows

from .config import COLUMNS
from .text import one_sentence_per_line

#: The built-in sample (12 short news stories) and its train split (4 more), written for
#: this package; JSONL with ``id``, ``document`` and ``summary`` (one sentence a line).
SAMPLE = "data/sample.jsonl"
SAMPLE_TRAIN = "data/sample_train.jsonl"


def summaries_of(raw: Any, where: str) -> tuple[str, ...]:
    """A summary column's value (one text, or a list of them) as a tuple of texts;
    DataError (prefixed by ``where``) for anything else or an empty summary."""
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, Sequence) or isinstance(items, str) or not items:
        what = "an empty list" if isinstance(items, Sequence) else type(raw).__name__
        raise DataError(f"{where} must hold a summary or a list of summaries, not {what}")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, str):
            raise DataError(f"{where}: summary {number} must be text, not {type(item).__name__}")
        if not item.strip():
            raise DataError(f"{where}: summary {number} is empty")
    return tuple(items)


def read_examples(
    rows: Sequence[Row],
    label: str,
    columns: Mapping[str, str],
    id_column: str | None,
    id_prefix: str,
    sentence_split: bool = False,
    keep: TaskData | None = None,
) -> list[Example]:
    """One example per row: the document, and every reference summary (stripped; with
    ``sentence_split``, rewritten one sentence a line). Ids come from ``id_column``,
    else ``{id_prefix}-{line}``; the ``data.keep`` columns of ``keep`` join the fields."""
    examples = []
    lines: dict[str, int] = {}
    for row in rows:
        document = column(row, columns["document"], label, "document")
        if not isinstance(document, str):
            raise DataError(
                f"{label}:{row.line}: column '{columns['document']}' (mapped by data.document) must hold text, "
                f"not {type(document).__name__}"
            )
        raw = column(row, columns["summary"], label, "summary")
        where = f"{label}:{row.line}: column '{columns['summary']}' (mapped by data.summary)"
        summaries = tuple(one_sentence_per_line(s) if sentence_split else s.strip() for s in summaries_of(raw, where))
        example_id = str(column(row, id_column, label, "id")) if id_column else f"{id_prefix}-{row.line}"
        if example_id in lines:
            raise DataError(f"{label}:{row.line}: id '{example_id}' is already used on line {lines[example_id]}")
        lines[example_id] = row.line
        fields = {"document": document, "summaries": list(summaries), **(keep.kept(row, label) if keep else {})}
        examples.append(Example(example_id, document, summaries, fields))
    return examples


def read_source(
    source: DataSource,
    columns: Mapping[str, str],
    id_column: str | None,
    sentence_split: bool,
    keep: TaskData | None = None,
) -> list[Example]:
    """The examples of a file or HF dataset split, with ``keep``'s columns in their fields."""
    prefix = source.path.stem if source.path is not None else str(source.split)
    return read_examples(source.read(), source.label, columns, id_column, prefix, sentence_split, keep)


def read_sample(train: bool = False, sentence_split: bool = False, keep: TaskData | None = None) -> list[Example]:
    """The built-in sample (or its train split), with ``keep``'s columns in their fields."""
    name = SAMPLE_TRAIN if train else SAMPLE
    with resources.as_file(resources.files(__package__).joinpath(name)) as path:
        rows = read_rows(path)
        return read_examples(rows, f"built-in {name}", COLUMNS, "id", path.stem, sentence_split, keep)
