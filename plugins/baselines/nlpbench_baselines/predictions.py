"""Reading saved predictions for the ``replay`` model: a JSONL file keyed by example id, a
JSON object of id → prediction (SQuAD's prediction files), or plain text with one
prediction a line, whose ids come from the line numbers; and checking that they line up
with a task's examples (:func:`misalignment`)."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpbench import ConfigError, did_you_mean

FORMATS = ("jsonl", "json", "text")
ID_FIELDS = ("line", "index")


@dataclass(frozen=True)
class SavedPredictions:
    """Predictions by example id, read from ``path``; ``lines`` says where each id was."""

    path: Path
    format: str
    by_id: dict[str, str]
    #: the line of each id (for JSON, its place among the object's entries)
    lines: dict[str, int]
    #: for text: the format that built each line's id (``{line}``, ``{index}``)
    id_format: str | None = None

    def __len__(self) -> int:
        return len(self.by_id)


def format_of(path: Path, declared: str | None, where: str) -> str:
    """``declared``, else ``jsonl`` for a .jsonl or .ndjson file, ``json`` for a .json file
    and ``text`` for any other."""
    if declared is not None:
        return declared
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
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
    if format == "jsonl":
        rows = _jsonl(raw, path, id_column, prediction_column)
    elif format == "json":
        rows = _json_object(raw, path)
    else:
        rows = _text(raw, id_format)
    by_id: dict[str, str] = {}
    lines: dict[str, int] = {}
    for line, example_id, prediction in rows:
        if example_id in by_id:
            raise ConfigError(f"{path}:{line}: id '{example_id}' again (first on line {lines[example_id]})")
        by_id[example_id], lines[example_id] = prediction, line
    if not by_id:
        raise ConfigError(f"{where}: {path}: no predictions in the file")
    return SavedPredictions(path, format, by_id, lines, id_format if format == "text" else None)


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


def _json_object(raw: str, path: Path) -> list[tuple[int, str, str]]:
    """SQuAD's prediction file: one JSON object, example id → predicted text."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen:
                raise ConfigError(f"{path}: id '{key}' twice in the JSON object")
            seen[key] = value
        return seen

    try:
        value = json.loads(raw, object_pairs_hook=pairs)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}:{error.lineno}: invalid JSON: {error.msg}") from None
    if not isinstance(value, dict):
        raise ConfigError(
            f"{path}: a JSON predictions file must be one object of example id → prediction (as SQuAD's), "
            f"not a {type(value).__name__}; for one object a line use JSONL"
        )
    return [
        (position, key, _text_of(prediction, f"{path}: the prediction of '{key}'"))
        for position, (key, prediction) in enumerate(value.items(), start=1)
    ]


def _field(row: dict[str, Any], name: str, param: str, path: Path, number: int) -> str:
    """A column's value as text (numbers too, so a saved label 1 matches "1")."""
    if name not in row:
        present = ", ".join(sorted(row)) or "none"
        raise ConfigError(f"{path}:{number}: no column '{name}' (set by params.{param}); columns: {present}")
    return _text_of(row[name], f"{path}:{number}: column '{name}'")


def _text_of(value: Any, what: str) -> str:
    """A saved value as text (numbers too, so a saved label 1 matches "1"); ConfigError naming ``what``."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and not isinstance(value, bool):
        return str(int(value)) if value.is_integer() else repr(value)
    raise ConfigError(f"{what} must be text or a number, not {json.dumps(value)}")


def _text(raw: str, id_format: str) -> list[tuple[int, str, str]]:
    # only "\n" ends a line, as for the tools that wrote it: every line counts, empty ones too
    lines = raw.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [
        (number, id_format.format(line=number, index=number - 1), text.removesuffix("\r"))
        for number, text in enumerate(lines, start=1)
    ]


# -- lining saved predictions up with a task's examples ------------------------------

#: An id that ends in a number: what is before it, the digits, and what is after.
_NUMBERED = re.compile(r"^(.*?)(\d+)(\D*)$")


def shifted(example_id: str, by: int) -> str | None:
    """``example_id`` with its number moved by ``by`` ("x-7", 1 → "x-8"; leading zeros kept),
    or None when it has no number or the number would go below 0."""
    match = _NUMBERED.match(example_id)
    if match is None:
        return None
    prefix, digits, suffix = match.groups()
    number = int(digits) + by
    if number < 0:
        return None
    text = str(number).zfill(len(digits)) if digits.startswith("0") and len(digits) > 1 else str(number)
    return f"{prefix}{text}{suffix}"


def misalignment(saved: SavedPredictions, task: str, ids: Sequence[str], selected: Sequence[str]) -> str | None:
    """Why ``saved`` cannot answer the task's examples, in one line, or None when it can.

    ``ids`` are every example of the task (before ``sample`` and ``limit``), ``selected``
    those this run asks about. Every selected example needs its prediction by id; a file
    with predictions for more examples than were selected is fine. When the ids match
    better with every number moved by one (a file counted from 0 for a task counted from
    1, or the other way), the file and the task are off by one: each example would be
    scored against its neighbour's prediction, so that is refused even if every selected
    id happens to be present (a ``limit`` that leaves out the last example).
    """
    everything = list(ids) or list(selected)
    matched = sum(1 for example_id in everything if example_id in saved.by_id)
    best, best_matched = 0, matched
    for by in (-1, 1):
        count = sum(1 for example_id in everything if shifted(example_id, by) in saved.by_id)
        if count > best_matched:
            best, best_matched = by, count
    if best != 0:
        example = next(i for i in everything if shifted(i, best) in saved.by_id)
        told = f"all {best_matched}" if best_matched == len(everything) else str(best_matched)
        return (
            f"replay: the predictions in {saved.path} match {matched} of the {len(everything)} examples of task "
            f"'{task}' by id, but {told} if each example took the prediction numbered one "
            f"{'lower' if best < 0 else 'higher'} (example '{example}', saved as '{shifted(example, best)}'): the "
            f"file and the task count from different starts; {_shift_fix(saved, best)}"
        )
    missing = [example_id for example_id in selected if example_id not in saved.by_id]
    if missing:
        first = next(iter(saved.by_id))
        return (
            f"replay: {saved.path} has predictions for {len(selected) - len(missing)} of the {len(selected)} "
            f"examples of task '{task}' asked for (the first without one: '{missing[0]}'; the file's ids look like "
            f"'{first}'); every example needs its own prediction by id"
            + ("; set params.id_format to build the task's ids from line numbers" if saved.format == "text" else "")
        )
    return None


def _shift_fix(saved: SavedPredictions, by: int) -> str:
    """What to change so the ids line up, given that the task's ids are the saved ones moved by ``-by``."""
    id_format = saved.id_format
    if saved.format == "text" and id_format is not None:
        fields = {name for _, name, _, _ in string.Formatter().parse(id_format) if name is not None}
        if by < 0 and fields == {"index"}:  # ids counted from 0, the task's from 1
            return f"set params.id_format to '{id_format.replace('{index', '{line')}' (lines counted from 1)"
        if by > 0 and fields == {"line"}:  # ids counted from 1, the task's from 0
            return f"set params.id_format to '{id_format.replace('{line', '{index')}' (lines counted from 0)"
        return (
            "no params.id_format numbers lines that way (does the task's data file start with a header line?); "
            "save the predictions as JSONL with the task's ids"
        )
    return "renumber the saved ids to the task's, or save them under the task's own ids"
