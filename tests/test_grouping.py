"""Grouping audits (nlpbench.running.grouping): a cell's predictions broken down by group, with
per-group values, gaps and pairwise differences, each with its interval."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pytest

from nlpbench import AuditError, Example
from nlpbench.running.auditing import AuditSettings
from nlpbench.running.grouping import MAX_PAIRWISE_GROUPS, run_grouped_audit
from nlpbench.statistics.bootstrap import clopper_pearson

SETTINGS = AuditSettings(resamples=400, confidence=0.95, seed=7)


class ByField:
    """Groups by the field ``g``; ``hit`` is a proportion over the examples whose reference is 'yes'."""

    measures: ClassVar[tuple[str, ...]] = ("hit", "never")
    measure_kinds: ClassVar[dict[str, str]] = {"hit": "proportion"}

    def partition(self, example: Example) -> str | None:
        return example.fields.get("g")

    def measure_example(self, example: Example, prediction: Any) -> Mapping[str, float]:
        return {"hit": float(prediction == "yes")} if example.references[0] == "yes" else {}


class MeanMetric:
    higher_is_better = True

    def __init__(self) -> None:
        self.fast_calls = 0

    def aggregate(self, rows: Any) -> float:
        return float(np.mean(rows[:, 0]))

    def aggregate_resamples(self, rows: Any, indices: Any) -> Any:
        self.fast_calls += 1
        return rows[indices, 0].mean(axis=1)


def _examples(groups: Sequence[str | None], references: Sequence[str]) -> list[Example]:
    return [Example(f"e{i}", "text", (r,), {"g": g}) for i, (g, r) in enumerate(zip(groups, references, strict=True))]


def _by_key(entries: list[dict[str, Any]]) -> dict[tuple[Any, Any], dict[str, Any]]:
    return {(e["group"], e["measure"]): e for e in entries}


def test_per_group_values_gap_and_difference() -> None:
    groups = ["a"] * 6 + ["b"] * 6 + [None]
    references = ["yes", "yes", "yes", "yes", "no", "no"] * 2 + ["yes"]
    predictions = ["yes", "yes", "yes", "yes", "no", "no", "no", "no", "no", "yes", "no", "no", "yes"]
    metric = MeanMetric()
    rows = [[float(p == r)] for p, r in zip(predictions, references, strict=True)]
    entries, lines = run_grouped_audit(
        "g", ByField(), "m", "t", _examples(groups, references), predictions, SETTINGS, [("acc", metric, rows)]
    )
    found = _by_key(entries)
    a, b = found[("a", "hit")], found[("b", "hit")]
    assert (a["value"], a["k"], a["m"]) == (1.0, 4, 4) and (b["value"], b["k"], b["m"]) == (0.25, 1, 4)
    assert (b["ci_low"], b["ci_high"]) == pytest.approx(clopper_pearson(1, 4, 0.95))
    gap = found[("all", "gap:hit")]
    assert gap["value"] == 0.75 and (gap["highest"], gap["lowest"]) == ("a", "b") and gap["n_unlabelled"] == 1
    assert 0.0 < gap["ci_low"] <= 0.75 <= gap["ci_high"] <= 1.0 and gap["interval"] == "stratified-bootstrap"
    difference = found[("a - b", "difference:hit")]
    assert difference["value"] == 0.75 and difference["ci_low"] > 0 and difference["n"] == 8
    # the metric on each group's rows, resampled with the vectorised path
    assert found[("a", "metric:acc")]["value"] == 1.0 and found[("b", "metric:acc")]["value"] == 0.5
    assert metric.fast_calls == 2 and found[("all", "gap:metric:acc")]["value"] == 0.5
    # a declared measure nothing gave is said, never zero
    assert (
        found[(None, "never")]["value"] is None
        and "no example of this task gives 'never'" in found[(None, "never")]["reason"]
    )
    assert len(lines) == 12 and lines[0]["group"] == "a" and lines[0]["scores"] == {"hit": 1.0}
    again, _ = run_grouped_audit(
        "g", ByField(), "m", "t", _examples(groups, references), predictions, SETTINGS, [("acc", MeanMetric(), rows)]
    )
    assert again == entries  # seeded: the same run gives the same intervals


def test_a_group_without_a_value_is_said_and_left_out_of_the_gap() -> None:
    groups = ["a", "a", "b", "b", "c"]
    references = ["yes", "no", "yes", "no", "no"]  # group c has no 'yes'
    entries, _ = run_grouped_audit(
        "g", ByField(), "m", "t", _examples(groups, references), ["yes", "no", "no", "no", "no"], SETTINGS
    )
    found = _by_key(entries)
    assert found[("c", "hit")]["reason"] == "not computed: no example of this group gives it"
    assert found[("all", "gap:hit")]["value"] == 1.0 and ("a - c", "difference:hit") not in found


def test_many_groups_get_a_gap_but_no_pairwise_differences() -> None:
    groups = [f"g{i}" for i in range(MAX_PAIRWISE_GROUPS + 1) for _ in range(2)]
    entries, _ = run_grouped_audit(
        "g", ByField(), "m", "t", _examples(groups, ["yes"] * len(groups)), ["yes", "no"] * (len(groups) // 2), SETTINGS
    )
    measures = {e["measure"] for e in entries}
    assert "gap:hit" in measures and not any(m.startswith("difference:") for m in measures)


def test_without_resamples_only_exact_intervals_remain() -> None:
    settings = AuditSettings(resamples=0, confidence=0.95, seed=1)
    entries, _ = run_grouped_audit(
        "g", ByField(), "m", "t", _examples(["a", "b"], ["yes", "yes"]), ["yes", "no"], settings
    )
    found = _by_key(entries)
    assert found[("a", "hit")]["ci_low"] is not None
    assert found[("all", "gap:hit")]["value"] == 1.0 and found[("all", "gap:hit")]["ci_low"] is None


def test_problems_name_the_example() -> None:
    class Broken(ByField):
        def partition(self, example: Example) -> str | None:
            raise KeyError("g")

    with pytest.raises(AuditError, match="example 'e0': "):
        run_grouped_audit("g", Broken(), "m", "t", _examples(["a"], ["yes"]), ["yes"], SETTINGS)

    class NotAProportion(ByField):
        def measure_example(self, example: Example, prediction: Any) -> Mapping[str, float]:
            return {"hit": 0.5}

    with pytest.raises(AuditError, match="neither 0 nor 1"):
        run_grouped_audit("g", NotAProportion(), "m", "t", _examples(["a", "b"], ["yes", "yes"]), ["x", "y"], SETTINGS)
