"""Reading sentence pairs: line-aligned files, rows of a file or HF dataset, or the
built-in sample. Every problem is a DataError naming the file and line (or the
column and its mapping)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from nlpbench import DataError, DataSource, Example, Row, TaskData, column, read_rows, read_text

from .config import COLUMNS, LineFiles

#: The built-in German→English sample (25 pairs) and its train split (8 pairs), written
#: for this package; JSONL with ``id``, ``source`` and ``reference``.
SAMPLE = "data/sample.jsonl"
SAMPLE_TRAIN = "data/sample_train.jsonl"


# -- line-aligned files -----------------------------------------------------------


def read_lines(path: Path) -> list[str]:
    """Every line of ``path``, as is but without its line ending (``\\n`` or ``\\r\\n``; a
    final newline ends the last line rather than starting an empty one). Only ``\\n``
    ends a line: ``str.splitlines`` would also split at U+2028 and form feeds, which
    would misalign the files. DataError for a missing, unreadable or non-UTF-8 file."""
    text = read_text(path)
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def read_line_pairs(files: LineFiles, id_prefix: str = "") -> list[Example]:
    """One example per line of ``files.source``, with the same line of each reference file.

    Example ids are ``id_prefix`` and the line number ("1", "2", ...), as the ``replay``
    baseline numbers the lines of a system's output file. DataError when the files' line counts differ
    (naming both and their counts) or a line is empty (naming the file and line).
    """
    sources = read_lines(files.source)
    if not sources:
        raise DataError(f"{files.source}: no lines in the file")
    references = [read_lines(path) for path in files.references]
    for path, lines in zip(files.references, references, strict=True):
        if len(lines) != len(sources):
            raise DataError(
                f"line counts differ: {files.source} has {len(sources)} lines but {path} has {len(lines)}; "
                "line-aligned files must match line for line"
            )
    checks = [(files.source, sources, "source")]
    checks += [(path, lines, "reference") for path, lines in zip(files.references, references, strict=True)]
    for path, lines, what in checks:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                raise DataError(f"{path}:{number}: empty {what} line; every line needs a sentence")
    examples = []
    for index, source in enumerate(sources):
        refs = tuple(lines[index] for lines in references)
        examples.append(Example(f"{id_prefix}{index + 1}", source, refs, {"source": source, "references": list(refs)}))
    return examples


# -- rows of a file or HF dataset ---------------------------------------------------


def value(row: Row, name: str, label: str, field: str) -> Any:
    """``row[name]``; a dotted name reaches into nested mappings (``translation.de``, as
    WMT datasets on the hub store pairs). DataError naming the file, line and mapping
    when it is missing or empty."""
    return column(row, name, label, field)


def references_of(raw: Any, where: str) -> tuple[str, ...]:
    """A reference column's value (one text, or a list of them) as a tuple of texts;
    DataError (prefixed by ``where``) for anything else or an empty reference."""
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, Sequence) or isinstance(items, str) or not items:
        what = "an empty list" if isinstance(items, Sequence) else type(raw).__name__
        raise DataError(f"{where} must hold a reference or a list of references, not {what}")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, str):
            raise DataError(f"{where}: reference {number} must be text, not {type(item).__name__}")
        if not item.strip():
            raise DataError(f"{where}: reference {number} is empty")
    return tuple(items)


def read_row_pairs(
    rows: Sequence[Row],
    label: str,
    columns: Mapping[str, str],
    id_column: str | None,
    id_prefix: str,
    keep: TaskData | None = None,
) -> list[Example]:
    """One example per row. Ids come from ``id_column``, else ``{id_prefix}-{line}``; the
    ``data.keep`` columns of ``keep`` join each example's fields."""
    examples = []
    lines: dict[str, int] = {}
    for row in rows:
        source = value(row, columns["source"], label, "source")
        if not isinstance(source, str):
            raise DataError(
                f"{label}:{row.line}: column '{columns['source']}' (mapped by data.source) must hold text, "
                f"not {type(source).__name__}"
            )
        raw = value(row, columns["reference"], label, "reference")
        refs = references_of(raw, f"{label}:{row.line}: column '{columns['reference']}' (mapped by data.reference)")
        example_id = str(value(row, id_column, label, "id")) if id_column else f"{id_prefix}-{row.line}"
        if example_id in lines:
            raise DataError(f"{label}:{row.line}: id '{example_id}' is already used on line {lines[example_id]}")
        lines[example_id] = row.line
        kept = keep.kept(row, label) if keep is not None else {}
        examples.append(Example(example_id, source, refs, {"source": source, "references": list(refs), **kept}))
    return examples


def read_source(
    source: DataSource, columns: Mapping[str, str], id_column: str | None, keep: TaskData | None = None
) -> list[Example]:
    """The examples of a file or HF dataset split, with ``keep``'s columns in their fields."""
    prefix = source.path.stem if source.path is not None else str(source.split)
    return read_row_pairs(source.read(), source.label, columns, id_column, prefix, keep)


def read_sample(train: bool = False, keep: TaskData | None = None) -> list[Example]:
    """The built-in sample (or its train split), with ``keep``'s columns in their fields."""
    name = SAMPLE_TRAIN if train else SAMPLE
    with resources.as_file(resources.files(__package__).joinpath(name)) as path:
        rows = read_rows(path)
        return read_row_pairs(rows, f"built-in {name}", COLUMNS, "id", path.stem, keep)
