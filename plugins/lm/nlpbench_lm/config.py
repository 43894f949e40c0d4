"""The task's entry in a suite, checked before anything loads: ``data`` (where the texts
are, and how a plain-text file is cut into examples) and ``params`` (the stride)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from nlpbench import (
    ConfigError,
    TaskData,
    TaskSpec,
    detect_format,
    did_you_mean,
    optional_string,
    parse_options,
    task_data,
)

from .params import LMParams

#: How a plain-text file is cut into examples (see :mod:`nlpbench_lm.texts`).
UNITS = ("paragraph", "line", "file")
DEFAULT_UNIT = "paragraph"

#: What each unit makes an example of, for results and errors.
UNIT_MEANINGS = {
    "paragraph": "each block of lines between blank lines is one text",
    "line": "each non-empty line is one text",
    "file": "the whole file is one text",
    "row": "each row of the data is one text (its mapped text column)",
}

#: The task's own keys of ``data:`` besides the shared source keys.
DATA_OPTIONS = ("unit", "id")
#: The fields an example fills itself beyond the mapped text, which ``data.keep`` may not overwrite.
RESERVED_FIELDS = ("line",)


@dataclass(frozen=True)
class LMConfig:
    """The entry, checked: the data, the unit (``row`` for a file of records or an HF
    dataset), the column of example ids (None: made up from the line), and the stride
    of the sliding windows (None: the model's default)."""

    data: TaskData
    unit: str
    id_column: str | None
    stride: int | None

    @property
    def plain_text(self) -> bool:
        return self.unit != "row"


def lm_config(spec: TaskSpec) -> LMConfig:
    """``spec.data`` and ``spec.params`` checked; ConfigError naming the key at fault."""
    data = task_data(spec, columns={"text": "text"}, options=DATA_OPTIONS, reserved_fields=RESERVED_FIELDS)
    raw = spec.data if isinstance(spec.data, Mapping) else {}
    source = data.source
    plain = source is None or (source.path is not None and detect_format(source.path, source.format) == "txt")
    unit = optional_string(data.options, "unit")
    id_column = optional_string(data.options, "id")
    if plain:
        for key in ("text", "id"):
            if key in raw:
                raise ConfigError(
                    f"data.{key} names a column, and a plain-text file has none; data.unit says how it is cut "
                    f"into texts ({', '.join(UNITS)})"
                )
        if data.keep:
            what = "the built-in sample is" if source is None else "a plain-text file has"
            raise ConfigError(
                f"data.keep needs rows with columns (a JSONL, JSON, CSV or TSV file or an HF dataset); "
                f"{what} no columns to keep"
            )
        if unit is not None and unit not in UNITS:
            raise ConfigError(f"data.unit: unknown unit '{unit}'{did_you_mean(unit, UNITS)}; known: {', '.join(UNITS)}")
        unit = unit or DEFAULT_UNIT
    else:
        if unit is not None:
            raise ConfigError(
                "data.unit applies to a plain-text file; each row of a JSONL, JSON, CSV or TSV file or of an "
                "HF dataset is one text (its data.text column)"
            )
        unit = "row"
    stride = parse_options(LMParams, spec.params, "params").stride
    return LMConfig(data=data, unit=unit, id_column=id_column, stride=stride)
