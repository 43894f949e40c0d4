"""Reading saved predictions for the ``replay`` model: a JSONL file keyed by example id, or
plain text with one prediction a line, whose ids come from the line numbers."""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpbench import ConfigError, did_you_mean

FORMATS = ("jsonl", "text")
ID_FIELDS = ("line", "index")


@dataclass(frozen=True)
class SavedPredictions:
    """Predictions by example id, read from ``path``; ``lines`` says where each id was."""

    path: Path
    format: str
    by_id: dict[str, str]
    lines: dict[str, int]

    def __len__(self) -> int:
        return len(self.by_id)


def format_of(path: Path, declared: str | None, where: str) -> str:
    """``declared``, else ``jsonl`` for a .jsonl or .ndjson file and ``text`` for any other but .json."""
    if declared is not None:
        return declared
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        raise ConfigError(
            f"{where}: {path}: replay reads JSONL (one object a line) or plain text (one prediction a line), "
            "not a JSON document; set params.format if the file is one of those"
        )
    return "text"


def check_id_format(id_format: str) -> None:
    """ConfigError unless ``id_format`` builds an id from ``{line}`` (1-based) or ``{index}`` (0-based)."""
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(id_format) if name is not None}
    except ValueError as error:
        raise ConfigError(f"params.id_format '{id_format}' is not a valid format: {error}") from None
    unknown = sorted(fields - set(ID_FIELDS))
    if unknown:
        raise ConfigError(
            f"params.id_format '{id_format}' has an unknown field '{{{unknown[0]}}}'"
            f"{did_you_mean(unknown[0], ID_FIELDS)}; it takes {{line}} (1-based) and {{index}} (0-based)"
        )
    try:
        id_format.format(line=1, index=0)
    except ValueError as error:  # a bad format spec: "{line:q}"
        raise ConfigError(f"params.id_format '{id_format}' is not a valid format: {error}") from None
    if not fields:
        raise ConfigError(
            f"params.id_format '{id_format}' must contain {{line}} or {{index}}, or every line gets one id"
        )


def read_predictions(
    path: Path,
    format: str,
    where: str,
    id_column: str = "id",
    prediction_column: str = "prediction",
    id_format: str = "{line}",
) -> SavedPredictions:
    """The predictions saved in ``path``; ConfigError naming the file and line for anything wrong.

    ``where`` names the suite field that gave the path, for messages.
    """
    if path.is_dir():
        raise ConfigError(f"{where}: {path} is a folder; replay reads one file of predictions")
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{where}: {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{where}: {path}: cannot read: {error}") from None
    rows = _jsonl(raw, path, id_column, prediction_column) if format == "jsonl" else _text(raw, id_format)
    by_id: dict[str, str] = {}
    lines: dict[str, int] = {}
    for line, example_id, prediction in rows:
        if example_id in by_id:
            raise ConfigError(f"{path}:{line}: id '{example_id}' again (first on line {lines[example_id]})")
        by_id[example_id], lines[example_id] = prediction, line
    if not by_id:
        raise ConfigError(f"{where}: {path}: no predictions in the file")
    return SavedPredictions(path, format, by_id, lines)


def _jsonl(raw: str, path: Path, id_column: str, prediction_column: str) -> list[tuple[int, str, str]]:
    rows = []
    # split on "\n" only: a JSON string may hold U+2028, which str.splitlines() would split on
    for number, line in enumerate(raw.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise ConfigError(f"{path}:{number}: invalid JSON: {error.msg}") from None
        if not isinstance(value, dict):
            raise ConfigError(f"{path}:{number}: each line must be a JSON object")
        example_id = _field(value, id_column, "id", path, number)
        prediction = _field(value, prediction_column, "prediction", path, number)
        rows.append((number, example_id, prediction))
    return rows


def _field(row: dict[str, Any], name: str, param: str, path: Path, number: int) -> str:
    """A column's value as text (numbers too, so a saved label 1 matches "1")."""
    if name not in row:
        present = ", ".join(sorted(row)) or "none"
        raise ConfigError(f"{path}:{number}: no column '{name}' (set by params.{param}); columns: {present}")
    value = row[name]
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and not isinstance(value, bool):
        return str(int(value)) if value.is_integer() else repr(value)
    raise ConfigError(f"{path}:{number}: column '{name}' must be text or a number, not {json.dumps(value)}")


def _text(raw: str, id_format: str) -> list[tuple[int, str, str]]:
    # only "\n" ends a line, as for the tools that wrote it: every line counts, empty ones too
    lines = raw.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [
        (number, id_format.format(line=number, index=number - 1), text.removesuffix("\r"))
        for number, text in enumerate(lines, start=1)
    ]
