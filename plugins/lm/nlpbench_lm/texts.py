"""The texts to score: a plain-text file cut into units, the rows of a file of records
or an HF dataset, or the built-in sample.

A plain-text file is cut by ``data.unit``:

- ``paragraph`` (the default): each block of consecutive non-blank lines is one text,
  its lines joined by ``\\n`` (a line holding only whitespace is blank);
- ``line``: each non-blank line is one text;
- ``file``: the whole file is one text, exactly as it is.

Texts keep their characters exactly (leading spaces, trailing spaces), except that a
line ends in ``\\n`` whatever the file used (``\\r\\n``, ``\\r``) and a UTF-8 byte order
mark is dropped, as Python reads text. Each text's id is the file's stem and the line it
starts on (``test-12``; ``test`` for a whole file), so it is stable across runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from nlpbench import DataError, DataSource, Row, TaskData, column, read_text

#: The built-in sample: paragraphs of plain English prose written for this package.
SAMPLE = "data/sample.txt"


@dataclass(frozen=True)
class Text:
    """One text to score, its id, the line (or row) it starts on, and the ``data.keep``
    columns of its row."""

    id: str
    text: str
    line: int
    kept: Mapping[str, Any] = field(default_factory=dict)


def read_text_file(path: Path) -> str:
    """The file's text with ``\\n`` line ends; DataError naming the file (and, for bytes
    that are not UTF-8, the line) when it cannot be read or holds no text."""
    text = read_text(path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DataError(f"{path}: no text in the file")
    return text


def split_units(text: str, unit: str, stem: str) -> list[Text]:
    """``text`` (a whole file, ``\\n`` line ends) cut into ``unit``s, each named after
    ``stem`` and its first line."""
    if unit == "file":
        return [Text(stem, text, 1)]
    lines = text.split("\n")
    if unit == "line":
        return [Text(f"{stem}-{number}", line, number) for number, line in enumerate(lines, 1) if line.strip()]
    if unit != "paragraph":
        raise ValueError(f"unknown unit {unit!r}")
    texts: list[Text] = []
    block: list[str] = []
    first = 0
    for number, line in enumerate([*lines, ""], 1):  # a blank line at the end closes the last block
        if line.strip():
            if not block:
                first = number
            block.append(line)
        elif block:
            texts.append(Text(f"{stem}-{first}", "\n".join(block), first))
            block = []
    return texts


def texts_from_rows(
    rows: Sequence[Row], where: str, stem: str, text_column: str, id_column: str | None, keep: TaskData | None = None
) -> tuple[list[Text], int]:
    """One text per row, its ``text_column`` verbatim (with ``keep``'s columns), and how many rows were skipped for
    an empty text (WikiText on the hub has a blank row between paragraphs). DataError
    naming ``where`` and the line for a missing or non-text column, an id used twice,
    or no text at all."""
    texts: list[Text] = []
    lines: dict[str, int] = {}
    skipped = 0
    for row in rows:
        value = row.values.get(text_column)
        if isinstance(value, str) and not value.strip():
            skipped += 1
            continue
        value = column(row, text_column, where, "text")  # DataError when missing
        if not isinstance(value, str):
            raise DataError(
                f"{where}:{row.line}: column '{text_column}' (mapped by data.text) must hold text, "
                f"not {type(value).__name__}"
            )
        example_id = str(column(row, id_column, where, "id")) if id_column else f"{stem}-{row.line}"
        if example_id in lines:
            raise DataError(f"{where}:{row.line}: id '{example_id}' is already used on line {lines[example_id]}")
        lines[example_id] = row.line
        texts.append(Text(example_id, value, row.line, keep.kept(row, where) if keep is not None else {}))
    if not texts:
        raise DataError(f"{where}: every row's '{text_column}' column (mapped by data.text) is empty")
    return texts, skipped


def load_texts(
    source: DataSource | None, unit: str, text_column: str, id_column: str | None, keep: TaskData | None = None
) -> tuple[list[Text], int]:
    """Every text of the task, in order (the built-in sample when ``source`` is None), and
    how many rows were skipped for an empty text. Rows carry ``keep``'s columns (plain
    text has none: the config refuses ``data.keep`` there)."""
    if source is None:
        with resources.as_file(resources.files(__package__).joinpath(SAMPLE)) as path:
            return split_units(read_text_file(path), unit, "sample"), 0
    if unit != "row":
        assert source.path is not None  # plain text comes from a file
        return split_units(read_text_file(source.path), unit, source.path.stem), 0
    stem = source.path.stem if source.path is not None else (source.split or "row")
    rows = source.read(text_column=text_column)
    return texts_from_rows(rows, source.label, stem, text_column, id_column, keep)
