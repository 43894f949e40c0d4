"""Where a task's examples come from: the ``data:`` entry every task shares.

``data:`` names a local file (``path``, with ``format`` when the extension doesn't
tell, and ``quoting`` for a CSV or TSV file whose quoting is not its format's default) or a Hugging Face dataset (``hub``, or ``hf`` as the design calls it: a hub id, a builder such as ``json`` with
``data_files``, or a folder written by ``save_to_disk``; with ``config``, ``split``
and ``revision``), a train split for few-shot prompts and fine-tuning (``train``: a
file; ``train_split``: a split of the same HF dataset), and the task's own keys: the
columns it maps (``question: query``) and its options. Every task reads its data
through this module, so every task gets the same keys and the same one-line errors.

``datasets`` is imported only when a suite names ``hub``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlpbench.contracts.components import TaskSpec
from nlpbench.contracts.data import DEFAULT_QUOTING, QUOTING, Row, detect_format, optional_column, read_rows
from nlpbench.contracts.errors import ConfigError, DataError, one_line
from nlpbench.plugins.suggest import did_you_mean
from nlpbench.suites.paths import is_folder

#: The keys of ``data:`` that say where examples come from, shared by every task.
SOURCE_KEYS = (
    "path", "format", "hub", "hf", "config", "split", "revision", "data_files", "train", "train_split", "quoting",
)  # fmt: skip
#: The key naming extra columns each example keeps in its ``fields``.
KEEP_KEY = "keep"


@dataclass(frozen=True)
class DataSource:
    """One split of data: a local file, or an HF dataset split."""

    path: Path | None = None
    format: str | None = None
    hub: str | None = None
    config: str | None = None
    split: str | None = None
    revision: str | None = None
    data_files: tuple[Path, ...] = ()
    local_dataset: Path | None = None
    #: how a CSV or TSV file quotes its fields (``none`` or ``csv``; None: the format's default)
    quoting: str | None = None

    @property
    def label(self) -> str:
        """How errors name this source: the file, or ``hf:ID[config/split]``."""
        if self.path is not None:
            return str(self.path)
        detail = "/".join(part for part in (self.config, self.split) if part)
        return f"hf:{self.hub}[{detail}]"

    def describe(self) -> dict[str, Any]:
        """The source for results: enough to load the same data again."""
        if self.path is not None:
            return {
                "path": str(self.path),
                **({"format": self.format} if self.format else {}),
                **({"quoting": self.quoting} if self.quoting else {}),
            }
        facts: dict[str, Any] = {"hub": self.hub, "config": self.config, "split": self.split, "revision": self.revision}
        if self.data_files:
            facts["data_files"] = [str(p) for p in self.data_files]
        return {k: v for k, v in facts.items() if v is not None}

    def read(self, text_column: str = "text") -> list[Row]:
        """Every record; DataError naming the file and line, or the dataset, for a problem."""
        if self.path is not None:
            return read_rows(self.path, self.format, text_column=text_column, quoting=self.quoting)
        return _read_hub(self)


@dataclass(frozen=True)
class TaskData:
    """``data:``, checked: the test source (None: the task's built-in sample), the train
    source (None: no train split), the column of each field the task maps, and the
    task's own options. ``keep`` maps each extra field an example keeps to its column."""

    source: DataSource | None
    train: DataSource | None
    columns: Mapping[str, str]
    options: Mapping[str, Any] = field(default_factory=dict)
    keep: Mapping[str, str] = field(default_factory=dict)

    def kept(self, row: Row, where: str | Path) -> dict[str, Any]:
        """The ``keep`` columns of ``row`` as ``{field: value}``. An empty value is None (an
        example with no group label is left out of a group's counts, not dropped); a
        column the row lacks is a DataError naming the file and line."""
        return {name: optional_column(row, source, where, f"keep.{name}") for name, source in self.keep.items()}

    def describe(self) -> dict[str, Any]:
        facts: dict[str, Any] = {"data": self.source.describe() if self.source else "built-in sample"}
        if self.train is not None:
            facts["train"] = self.train.describe()
        return facts


def optional_string(mapping: Mapping[str, Any], key: str, where: str = "data") -> str | None:
    """``mapping[key]``: None when absent, else a non-empty string; ConfigError naming
    ``where.key`` for anything else."""
    value = mapping.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}.{key} must be a non-empty string, not {value!r}")
    return value


def task_data(
    spec: TaskSpec,
    columns: Mapping[str, str],
    options: Collection[str] = (),
    *,
    required: Collection[str] = (),
    reserved_fields: Collection[str] = (),
) -> TaskData:
    """``spec.data`` checked. ``columns`` maps each field the task reads to its default
    column name; ``required`` lists the fields a user's file must map explicitly (there
    is no sensible default); ``options`` names the task's other keys;
    ``reserved_fields`` names the task's own example fields beyond ``columns``, which
    ``keep`` may not overwrite. ConfigError names the key at fault, with a suggestion
    for a typo."""
    data = spec.data
    if not isinstance(data, Mapping):
        raise ConfigError(f"data must be a mapping, not {type(data).__name__}")
    known = (*SOURCE_KEYS, KEEP_KEY, *columns, *options)
    for key in data:
        if key not in known:
            raise ConfigError(f"data: unknown key '{key}'{did_you_mean(str(key), known)}; known: {', '.join(known)}")
    mapped = {name: optional_string(data, name) or default for name, default in columns.items()}
    extra = {key: data[key] for key in options if key in data}
    keep = _keep(data.get(KEEP_KEY), reserved=(*columns, *reserved_fields))
    if "hf" in data:  # the design's name for it: `hf` and `hub` mean the same
        if "hub" in data:
            raise ConfigError("data: give data.hub or data.hf (the same thing), not both")
        data = {("hub" if key == "hf" else key): value for key, value in data.items()}
    path, hub = optional_string(data, "path"), optional_string(data, "hub")
    if path is None and hub is None:
        leftovers = [key for key in data if key in SOURCE_KEYS or key in columns]
        if leftovers:
            raise ConfigError(
                f"data.{leftovers[0]} needs data.path (a file) or data.hub (an HF dataset) to say where examples are"
            )
        return TaskData(None, None, mapped, extra, keep)
    if path is not None and hub is not None:
        raise ConfigError("data: give data.path (a file) or data.hub (an HF dataset), not both")
    for name in required:
        if name not in data:
            raise ConfigError(
                f"data.{name} is required with data.{'path' if path else 'hub'}: the column of the {name}"
            )
    if path is not None:
        for key in ("config", "split", "revision", "data_files", "train_split"):
            if key in data:
                raise ConfigError(f"data.{key} applies to data.hub (an HF dataset), not to a file in data.path")
        source = DataSource(path=spec.resolve(path), format=optional_string(data, "format"))
        source = dataclasses.replace(source, quoting=_quoting(data, source))
        train_path = optional_string(data, "train")
        train = (
            DataSource(path=spec.resolve(train_path), format=source.format, quoting=source.quoting)
            if train_path
            else None
        )
        return TaskData(source, train, mapped, extra, keep)
    assert hub is not None
    if "format" in data:
        raise ConfigError("data.format applies to a file in data.path; for an HF dataset name a builder in data.hub")
    if "quoting" in data:
        raise ConfigError("data.quoting applies to a CSV or TSV file in data.path, not to an HF dataset")
    if "train" in data:
        raise ConfigError("data.train is a file; with data.hub name the train split in data.train_split")
    split = optional_string(data, "split")
    if split is None:
        raise ConfigError("data.split is required with data.hub: the split to evaluate on (say, validation)")
    files = data.get("data_files")
    if files is not None and not (
        isinstance(files, str) or (isinstance(files, list) and files and all(isinstance(f, str) for f in files))
    ):
        raise ConfigError(f"data.data_files must be a file or a list of files, not {files!r}")
    data_files = tuple(spec.resolve(f) for f in ([files] if isinstance(files, str) else files or []))
    local = spec.resolve(hub)
    source = DataSource(
        hub=hub,
        config=optional_string(data, "config"),
        split=split,
        revision=optional_string(data, "revision"),
        data_files=data_files,
        local_dataset=local if is_folder(local) else None,  # a hub id too long for a path is no folder
    )
    train_split = optional_string(data, "train_split")
    train = _with_split(source, train_split) if train_split else None
    return TaskData(source, train, mapped, extra, keep)


def _quoting(data: Mapping[str, Any], source: DataSource) -> str | None:
    """``data.quoting`` checked against its values and the file's format (None when not given)."""
    quoting = optional_string(data, "quoting")
    if quoting is None:
        return None
    if quoting not in QUOTING:
        raise ConfigError(f"data.quoting must be one of {', '.join(QUOTING)}, not {quoting!r}")
    assert source.path is not None
    try:
        kind = detect_format(source.path, source.format)
    except DataError:  # the format is reported when the file is read
        return quoting
    if kind not in DEFAULT_QUOTING:
        raise ConfigError(f"data.quoting applies to CSV and TSV files, not to {kind} ({source.path})")
    return quoting


def _keep(value: Any, reserved: Collection[str]) -> dict[str, str]:
    """``data.keep``: a list of columns (each kept under its own name) or a mapping of
    field → column; ConfigError for anything else, or for a name the task uses itself."""
    if value is None:
        return {}
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        keep = {v: v for v in value}
    elif isinstance(value, Mapping) and all(
        isinstance(k, str) and k.strip() and isinstance(v, str) and v.strip() for k, v in value.items()
    ):
        keep = dict(value)
    else:
        raise ConfigError(f"data.keep must be a list of columns or a mapping of field to column, not {value!r}")
    for name in keep:
        if name in reserved:
            raise ConfigError(f"data.keep: '{name}' is a field the task fills itself; keep it under another name")
    return keep


def _with_split(source: DataSource, split: str) -> DataSource:
    return DataSource(
        hub=source.hub,
        config=source.config,
        split=split,
        revision=source.revision,
        data_files=source.data_files,
        local_dataset=source.local_dataset,
    )


def _read_hub(source: DataSource) -> list[Row]:
    try:
        import datasets
    except ImportError:
        raise ConfigError(
            "data.hub needs the HF `datasets` package: pip install 'nlpbench[hf]' (or datasets)"
        ) from None
    what = f"data.hub: cannot load the HF dataset {source.label}"
    with _QuietHub(datasets):
        return _load_hub(datasets, source, what)


def _load_hub(datasets: Any, source: DataSource, what: str) -> list[Row]:
    try:
        if source.local_dataset is not None and _saved_to_disk(source.local_dataset):
            loaded: Any = datasets.load_from_disk(str(source.local_dataset))
            if isinstance(loaded, datasets.DatasetDict):
                if source.split not in loaded:
                    raise DataError(f"{what}: no split '{source.split}'; it has {', '.join(loaded)}")
                loaded = loaded[source.split]
        else:
            kwargs: dict[str, Any] = {"name": source.config, "split": source.split, "revision": source.revision}
            if source.data_files:
                kwargs["data_files"] = [str(p) for p in source.data_files]
            target = str(source.local_dataset) if source.local_dataset is not None else str(source.hub)
            loaded = datasets.load_dataset(target, **kwargs)
    except DataError:
        raise
    except Exception as error:  # offline, no such dataset, no such split, a bad file: all one line
        hint = "" if os.environ.get("HF_HUB_OFFLINE") else " (offline? set HF_HUB_OFFLINE=1 to fail at once)"
        raise DataError(f"{what}: {one_line(error)}{hint}") from None
    rows = [Row(index + 1, dict(record)) for index, record in enumerate(loaded)]
    if not rows:
        raise DataError(f"{source.label}: no examples in the split")
    return rows


class _QuietHub:
    """Silences the hub libraries' retry warnings and progress bars while loading: the
    user gets one line, from us, whatever happens."""

    NAMES = ("huggingface_hub", "datasets", "fsspec")

    def __init__(self, datasets: Any) -> None:
        self.datasets = datasets

    def __enter__(self) -> None:
        self.levels = {name: logging.getLogger(name).level for name in self.NAMES}
        for name in self.NAMES:
            logging.getLogger(name).setLevel(logging.ERROR)
        self.bars = bool(self.datasets.is_progress_bar_enabled())
        self.datasets.disable_progress_bars()

    def __exit__(self, *exc: object) -> None:
        for name, level in self.levels.items():
            logging.getLogger(name).setLevel(level)
        if self.bars:
            self.datasets.enable_progress_bars()


def _saved_to_disk(folder: Path) -> bool:
    """Whether ``folder`` was written by ``save_to_disk`` (a dataset or a dict of splits)."""
    return (folder / "dataset_info.json").is_file() or (folder / "dataset_dict.json").is_file()
