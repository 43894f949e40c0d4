"""Reading a task's local data: JSONL, JSON, CSV, TSV or plain text, with column
mapping. Every task uses this, so every task gets the same clear errors: the file,
the line and the column."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpbench.contracts.errors import DataError
from nlpbench.plugins.suggest import did_you_mean

FORMATS = ("jsonl", "json", "csv", "tsv", "txt")
#: How a CSV or TSV file's fields are quoted: ``csv``, the CSV convention (a field in
#: double quotes may hold the delimiter, newlines and doubled quotes); ``none``, every
#: character as it is (a line is a record, a tab or comma ends a field).
QUOTING = ("none", "csv")
#: Each delimited format's quoting unless ``quoting`` says otherwise: TSV files (SST-2,
#: MR, GLUE) are written without quoting, and a sentence that starts with ``"`` must keep it.
DEFAULT_QUOTING = {"csv": "csv", "tsv": "none"}


@dataclass(frozen=True)
class Row:
    """One record of a data file and the line it starts on (1-based)."""

    line: int
    values: Mapping[str, Any]


def detect_format(path: Path, declared: str | None = None) -> str:
    """The file's format: ``declared`` if given, else from its extension."""
    if declared is not None:
        if declared not in FORMATS:
            raise DataError(f"{path}: unknown data format '{declared}' (known: {', '.join(FORMATS)})")
        return declared
    suffixes = [s.lstrip(".").lower() for s in path.suffixes]
    for suffix in reversed(suffixes):
        if suffix in FORMATS:
            return suffix
        if suffix == "ndjson":
            return "jsonl"
    raise DataError(
        f"{path}: cannot tell the format from the extension; set data.format to one of {', '.join(FORMATS)}"
    )


def read_text(path: Path) -> str:
    """The whole of a UTF-8 text file (a byte-order mark dropped, line ends kept);
    DataError naming the file, and for bytes that are not UTF-8 the line, the byte and
    its offset, so the user can find it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a file") from None
    except OSError as error:
        raise DataError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise DataError(
            f"{path}:{line}: not UTF-8 text (byte 0x{raw[error.start]:02x} at byte offset {error.start}); "
            "save the file as UTF-8"
        ) from None


def read_rows(
    path: Path, format: str | None = None, text_column: str = "text", quoting: str | None = None
) -> list[Row]:
    """Every record of ``path``; DataError naming the file and line for anything malformed.

    Plain text gives one row per non-empty line, under ``text_column``. ``quoting``
    (:data:`QUOTING`) says how a CSV or TSV file quotes its fields; by default CSV is
    quoted and TSV is read as it is (:data:`DEFAULT_QUOTING`).
    """
    kind = detect_format(path, format)
    quoting = check_quoting(path, kind, quoting)
    rows = list(_parse(path, kind, read_text(path), text_column, quoting))
    if not rows:
        raise DataError(f"{path}: no examples in the file")
    return rows


def check_quoting(path: Path | str, kind: str, quoting: str | None) -> str | None:
    """The quoting a file of format ``kind`` is read with; DataError naming the file for
    an unknown value, or for quoting given to a format without delimited fields."""
    if quoting is None:
        return DEFAULT_QUOTING.get(kind)
    if quoting not in QUOTING:
        raise DataError(f"{path}: unknown quoting '{quoting}' (known: {', '.join(QUOTING)})")
    if kind not in DEFAULT_QUOTING:
        raise DataError(f"{path}: quoting applies to CSV and TSV files, not to {kind}")
    return quoting


def _parse(path: Path, kind: str, raw: str, text_column: str, quoting: str | None = None) -> Iterator[Row]:
    if kind == "jsonl":
        for number, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                raise DataError(f"{path}:{number}: invalid JSON: {error.msg}") from None
            except RecursionError:  # thousands of nested [ or {
                raise DataError(f"{path}:{number}: invalid JSON: nested too deeply") from None
            if not isinstance(value, dict):
                raise DataError(f"{path}:{number}: each line must be a JSON object")
            yield Row(number, value)
    elif kind == "json":
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as error:
            raise DataError(f"{path}:{error.lineno}: invalid JSON: {error.msg}") from None
        except RecursionError:  # thousands of nested [ or {
            raise DataError(f"{path}: invalid JSON: nested too deeply") from None
        if isinstance(value, dict) and isinstance(value.get("data"), list):
            value = value["data"]
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise DataError(f"{path}: expected a JSON list of objects")
        for index, item in enumerate(value):
            yield Row(index + 1, item)  # no line numbers in a JSON array: use the position
    elif kind in ("csv", "tsv"):
        delimiter = "\t" if kind == "tsv" else ","
        # a StringIO keeps quoted newlines inside one field; line_num counts physical lines
        unquoted = (quoting or DEFAULT_QUOTING[kind]) == "none"
        reader = csv.DictReader(
            io.StringIO(raw, newline=""),
            delimiter=delimiter,
            quoting=csv.QUOTE_NONE if unquoted else csv.QUOTE_MINIMAL,
        )
        try:
            if not reader.fieldnames:  # reading the header may fail too: a name past the csv module's field limit
                return
            start = reader.line_num + 1
            for values in reader:
                if None in values:
                    raise DataError(f"{path}:{start}: more fields than the header has")
                yield Row(start, dict(values))
                start = reader.line_num + 1
        except csv.Error as error:
            at = max(reader.line_num, 1)  # 0 while the header's line is still being read
            raise DataError(f"{path}:{at}: malformed {kind.upper()}: {error}") from None
    else:
        for number, text in enumerate(raw.splitlines(), start=1):
            if text.strip():
                yield Row(number, {text_column: text})


_MISSING = object()


def _lookup(values: Mapping[str, Any], name: str) -> Any:
    """``values[name]``, or a nested field by a dotted path (``translation.de`` in HF's
    WMT rows) when no column has the dotted name itself."""
    if name in values:
        return values[name]
    value: Any = values
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def column(row: Row, name: str, path: Path | str, field: str = "") -> Any:
    """``row[name]`` (``a.b`` reaches into a nested field); DataError naming the file,
    line and mapping if it is missing or empty."""
    value = _lookup(row.values, name)
    if value is _MISSING or value is None or (isinstance(value, str) and not value.strip()):
        mapped = f" (mapped by data.{field})" if field else ""
        present = ", ".join(sorted(map(str, row.values))) or "none"
        what = "is missing" if value is _MISSING else "is empty"
        hint = did_you_mean(name, [str(key) for key in row.values]) if value is _MISSING else ""
        raise DataError(f"{path}:{row.line}: column '{name}'{mapped} {what}{hint}; columns: {present}")
    return value


def optional_column(row: Row, name: str, path: Path | str, field: str = "") -> Any:
    """``row[name]`` like :func:`column`, but an empty value (None, blank text) is None:
    only a column the row lacks altogether is a DataError."""
    value = _lookup(row.values, name)
    if value is _MISSING:
        return column(row, name, path, field)  # raises, naming the columns there are
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def map_columns(rows: Sequence[Row], mapping: Mapping[str, str], path: Path | str) -> list[dict[str, Any]]:
    """Each row as ``{our field: value}``, where ``mapping`` is ``{our field: their column}``."""
    return [{field: column(row, source, path, field) for field, source in mapping.items()} for row in rows]
