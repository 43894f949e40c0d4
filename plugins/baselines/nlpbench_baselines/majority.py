"""The ``majority`` model type: always answers the most frequent label of its training data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from nlpbench import (
    ClassifyRequest,
    ConfigError,
    DataError,
    ModelError,
    ModelSpec,
    column,
    detect_format,
    parse_options,
    read_rows,
)

from .params import MajorityParams, check_sources

HINT = "set params.label to a label, or params.data to a training file"


class MajorityModel:
    """Majority-class baseline: always answers one label, the commonest in a training file or the one named.

    params: ``label`` (the label to answer), or ``data`` (a JSONL, CSV or TSV file)
    with ``label_column`` (default "label"), optionally ``format`` and
    ``label_names`` (raw value → label name, for files with numeric labels).
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"classify"})
    options: ClassVar[type[MajorityParams]] = MajorityParams

    def __init__(self, spec: ModelSpec) -> None:
        self.label, self.source, self.counts = _answer(spec, _checked_params(spec))

    @classmethod
    def check_spec(cls, spec: ModelSpec) -> MajorityParams:
        """The params; ConfigErrors for bad ones, a ConfigError unless they give exactly one
        of ``label`` and ``data`` (and the data's keys only with data), or for weights, and
        one naming ``params.data`` when its training file cannot be read or counted (read
        here, so that ``nlpbench validate`` finds it)."""
        params = _checked_params(spec)
        _answer(spec, params)
        return params

    @classmethod
    def check_labels(cls, spec: ModelSpec, labels: Sequence[str]) -> None:
        """ConfigError, naming the param to fix, when the label this model answers is not
        among the ``labels`` a task asks it to choose from (``nlpbench validate`` asks)."""
        label, source, _ = _answer(spec, _checked_params(spec))
        if label in labels:
            return
        asked = ", ".join(labels)
        if source == "params.label":
            raise ConfigError(f"params.label: '{label}' is not among the task's labels ({asked})")
        raise ConfigError(
            f"params.data: the majority label of {source}, '{label}', is not among the task's labels ({asked}); "
            "set params.label_names to name the file's labels as the task does"
        )

    def classify(self, requests: list[ClassifyRequest]) -> list[dict[str, float]]:
        """Probability 1.0 on the majority label; ModelError when a request doesn't offer it."""
        answers = []
        for request in requests:
            if self.label not in request.labels:
                raise ModelError(
                    f"the majority label '{self.label}' is not among the labels asked for "
                    f"({', '.join(request.labels)}); set params.label or params.label_names to match"
                )
            answers.append({label: 1.0 if label == self.label else 0.0 for label in request.labels})
        return answers

    def describe(self) -> dict[str, Any]:
        facts: dict[str, Any] = {"majority_label": self.label, "source": self.source}
        if self.counts:  # only a training file has counts
            facts["label_counts"] = dict(sorted(self.counts.items()))
        return facts


def _checked_params(spec: ModelSpec) -> MajorityParams:
    """The params, checked on their own (the training file is not read here)."""
    check_sources(spec, HINT)
    params = parse_options(MajorityParams, spec.params, "params")
    if params.label is None and params.data is None:
        raise ConfigError(f"the majority model needs to know what to answer: {HINT}")
    if params.label is not None and params.data is not None:
        raise ConfigError("the majority model takes params.label or params.data, not both")
    if params.label is not None:
        for key in ("label_column", "format", "label_names"):
            if key in spec.params:
                raise ConfigError(f"params.{key} only applies with params.data")
    if params.format is not None:
        try:
            detect_format(Path("data"), params.format)
        except DataError as error:
            raise ConfigError(f"params.format: {str(error).removeprefix('data: ')}") from None
    return params


def _answer(spec: ModelSpec, params: MajorityParams) -> tuple[str, str, dict[str, int]]:
    """The label to answer, where it came from, and the training file's label counts
    (none for ``params.label``); ConfigError naming ``params.data`` for a file that cannot
    be read or counted (its own message names the file and line)."""
    if params.label is not None:
        return params.label, "params.label", {}
    assert params.data is not None  # _checked_params insists on one of the two
    path = spec.resolve(params.data)
    try:
        counts = count_labels(path, params.label_column or "label", params.format, params.label_names)
    except DataError as error:
        raise ConfigError(f"params.data: {error}") from None
    # most frequent; ties go to the name that sorts first, so runs agree
    return min(counts, key=lambda name: (-counts[name], name)), str(path), counts


def count_labels(path: Path, label_column: str, format: str | None, label_names: Any) -> dict[str, int]:
    """How often each label occurs in the training file; DataError naming file and line."""
    names = {_key(raw): str(name) for raw, name in label_names.items()} if label_names else None
    counts: Counter[str] = Counter()
    for row in read_rows(path, format):
        raw = column(row, label_column, path)  # no field: column() would call params.label_column data.label_column
        label = _key(raw)
        if names is not None:
            if label not in names:
                raise DataError(f"{path}:{row.line}: label {label!r} is not in params.label_names ({', '.join(names)})")
            label = names[label]
        counts[label] += 1
    return dict(counts)


def _key(value: Any) -> str:
    # YAML's 1:, JSON's 1 and a TSV's "1" are the same label
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
