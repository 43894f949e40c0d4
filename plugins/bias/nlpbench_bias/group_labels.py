"""The ``group-gap`` audit on labelled data: a task's own examples, each carrying a group
label (a column kept with ``data.keep``), broken down by that group.

For a classification task (one that has labels), per group: accuracy, and for the
``positive`` label, the true-positive rate (of the examples whose reference is
positive, the share predicted positive) and the false-positive rate (of the others,
the share predicted positive), each a proportion with its exact interval. For every
task, each of the cell's metrics per group. The core adds each measure's gap across
groups and the pairwise differences, with stratified bootstrap intervals (see
:mod:`nlpbench.running.grouping`). The model is not asked again: these are the cell's own
predictions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from nlpbench import AuditError, ConfigError, Example


class GroupLabelsAudit:
    """Group gap on labelled data: per-group accuracy, true- and false-positive rates and metrics, and their gaps.

    options: ``field`` (the example field that holds each example's group: a column
    kept with ``data.keep``), ``positive`` (the label whose true- and false-positive
    rates are reported, default ``positive``) and ``groups`` (only these groups; default
    every group the examples carry). An example whose group is empty is left out.
    """

    measures: ClassVar[tuple[str, ...]] = ("accuracy", "true_positive_rate", "false_positive_rate")
    measure_kinds: ClassVar[dict[str, str]] = {measure: "proportion" for measure in measures}

    def __init__(self, field: str, positive: str = "positive", groups: Sequence[str] | None = None) -> None:
        if not isinstance(field, str) or not field.strip():
            raise ConfigError(f"field must name the example field that holds the group, not {field!r}")
        if not isinstance(positive, str) or not positive.strip():
            raise ConfigError(f"positive must be a label name, not {positive!r}")
        if groups is not None and (
            not isinstance(groups, (list, tuple)) or len(groups) < 2 or not all(isinstance(g, str) for g in groups)
        ):
            raise ConfigError(f"groups must list at least two group names, not {groups!r}")
        self.field = field
        self.positive = positive
        self.groups = tuple(groups) if groups is not None else None

    def partition(self, example: Example) -> str | None:
        """The example's group: its ``field``, or None when that is empty (or not among ``groups``)."""
        if self.field not in example.fields:
            have = ", ".join(sorted(map(str, example.fields))) or "none"
            raise AuditError(
                f"option field: example '{example.id}' has no field '{self.field}' (it has: {have}); "
                f"keep the column with the task's data.keep: [{self.field}]"
            )
        value = example.fields[self.field]
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        group = str(value).strip()
        return group if self.groups is None or group in self.groups else None

    def measure_example(
        self, example: Example, prediction: Any, labels: Sequence[str] | None = None
    ) -> Mapping[str, float]:
        """Accuracy and the positive label's TPR or FPR event, for a classification task
        (``labels``: its label names); nothing for other tasks (their metrics are broken
        down by the core)."""
        if labels is None or not example.references:
            return {}
        if self.positive not in labels:
            raise AuditError(
                f"option positive: '{self.positive}' is not one of the task's labels ({', '.join(labels)})"
            )
        reference = example.references[0]
        said_positive = float(prediction == self.positive)
        rate = "true_positive_rate" if reference == self.positive else "false_positive_rate"
        return {"accuracy": float(prediction == reference), rate: said_positive}

    def describe(self) -> dict[str, Any]:
        return {"field": self.field, "positive": self.positive, "groups": list(self.groups) if self.groups else "all"}
