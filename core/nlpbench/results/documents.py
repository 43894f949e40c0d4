"""Writing a run's files: ``results.json`` (rewritten atomically after every cell,
so finished cells survive a crash) and ``samples.jsonl`` (appended cell by cell)."""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

RESULTS_FILE = "results.json"
#: The fields of each entry of ``comparisons`` in results.json, in the order tables and
#: CSV show them (DESIGN's contract, then ``n``, ``n_dropped``, ``higher_is_better``, ``better``).
#: ``family`` names the p-values corrected together (``"TASK/METRIC"``, ``"TASK"`` or
#: ``"run"``) and ``family_size`` counts them.
COMPARISON_KEYS = (
    "task",
    "metric",
    "a",
    "b",
    "delta",
    "ci_low",
    "ci_high",
    "test",
    "p_value",
    "p_adjusted",
    "correction",
    "family",
    "family_size",
    "n",
    "n_dropped",
    "higher_is_better",
    "better",
)
SAMPLES_FILE = "samples.jsonl"


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON: dataclasses become objects, numpy scalars numbers,
    non-finite floats null, anything else unknown its string."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return jsonable(value.tolist())
    if isinstance(value, Path):
        return str(value)
    return str(value)


class NotJSONError(TypeError):
    """A value a plugin handed over is not data that JSON can hold."""


def plain_json(value: Any, where: str = "") -> Any:
    """``value`` as plain JSON, strictly: what a plugin hands the runner (a prediction,
    probabilities, ``describe()``'s facts) is stored, compared and written as it is, so
    it must be data. Dataclasses, numpy values, tuples and paths convert as
    :func:`jsonable` converts them and non-finite floats become null; anything else (an
    arbitrary object, whose ``str`` would land in results with its memory address; a set,
    whose order changes between runs) raises :class:`NotJSONError` naming its type and
    where it sits (``['answers'][2]``)."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain_json(getattr(value, f.name), f"{where}[{f.name!r}]") for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        plain = {}
        for key, item in value.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise NotJSONError(f"a key of type {type(key).__name__} at {where or 'the top'}")
            plain[str(key)] = plain_json(item, f"{where}[{key!r}]")
        return plain
    if isinstance(value, (list, tuple)):
        return [plain_json(item, f"{where}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, Path):
        return str(value)
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):  # arrays and scalars
        return plain_json(value.tolist(), where)
    raise NotJSONError(f"{type(value).__name__}" + (f" at {where}" if where else ""))


def write_results(out_dir: Path, document: Mapping[str, Any]) -> Path:
    """Write ``results.json`` atomically: a reader never sees half a file."""
    path = out_dir / RESULTS_FILE
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(jsonable(document), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path


class SamplesWriter:
    """Appends one JSON line per example to ``samples.jsonl``."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / SAMPLES_FILE
        self._file: TextIO = self.path.open("w", encoding="utf-8")

    def write(self, lines: Sequence[Mapping[str, Any]]) -> None:
        for line in lines:
            self._file.write(json.dumps(jsonable(line), ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def read_results(run: Path) -> dict[str, Any]:
    """The results of a run folder (or of a results.json path)."""
    path = run / RESULTS_FILE if run.is_dir() else run
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document
