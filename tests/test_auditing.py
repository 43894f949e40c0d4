"""Bias audits: the runner perturbs, re-asks the model and measures shifts per group."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest

from nlpbench import ConfigError, Example, Perturbation, hookimpl
from nlpbench.testing import make_host, run_suite_text
from nlpbench.testing.harness import tiny_suite


class WordSwapAudit:
    """Swaps one word for another and counts flipped predictions."""

    measures: ClassVar[tuple[str, ...]] = ("flip-rate",)

    def __init__(self, word: str = "good", replacement: str = "fine", fail: bool = False) -> None:
        self.word, self.replacement, self.fail = word, replacement, fail

    def perturb(self, example: Example) -> Iterable[Perturbation]:
        if self.fail:
            raise RuntimeError("cannot perturb")
        text = str(example.input)
        if self.word in text:
            swapped = text.replace(self.word, self.replacement)
            yield Perturbation(
                f"{self.word}->{self.replacement}", Example(f"{example.id}/swap", swapped, example.references)
            )

    def measure(
        self, example: Example, original: Any, perturbation: Perturbation, perturbed: Any
    ) -> Mapping[str, float]:
        return {"flip-rate": float(original != perturbed)}


class CountingSwapAudit(WordSwapAudit):
    """The same swap, its flips declared a proportion (an exact binomial interval), describing itself."""

    measure_kinds: ClassVar[dict[str, str]] = {"flip-rate": "proportion"}

    def describe(self) -> dict[str, Any]:
        return {"swap": [self.word, self.replacement]}


class AuditPlugin:
    NLPBENCH_PLUGIN_NAME = "word-swap"

    @hookimpl
    def register_bias_audits(self, register: Any) -> None:
        register(WordSwapAudit, name="word-swap")
        register(CountingSwapAudit, name="counting-swap")


def _run(tmp_path: Path, audits: list[dict[str, Any]], **suite: Any) -> Any:
    return run_suite_text({**tiny_suite(**suite), "audits": audits}, tmp_path, host=make_host(AuditPlugin()))


def test_an_audit_measures_each_cell(tmp_path: Path) -> None:
    run = _run(tmp_path, [{"type": "word-swap"}])
    [entry] = [e for e in run.results["audits"] if e["measure"] == "flip-rate"]
    assert entry == {
        "audit": "word-swap", "model": "tiny", "task": "tiny", "group": "good->fine", "measure": "flip-rate",
        "value": 1.0, "ci_low": 1.0, "ci_high": 1.0, "n": 5, "n_affected": 5, "n_examples": 8, "reason": None,
        "interval": "bootstrap",
    }  # fmt: skip
    audit_lines = [s for s in run.samples if "audit" in s]
    assert len(audit_lines) == 5
    assert audit_lines[0]["id"] == "tiny-0" and audit_lines[0]["perturbed_id"] == "tiny-0/swap"
    assert audit_lines[0]["original_prediction"] == "positive" and audit_lines[0]["prediction"] == "negative"
    assert run.exit_code == 0


def test_an_audit_that_changes_nothing_reports_why(tmp_path: Path) -> None:
    run = _run(tmp_path, [{"type": "word-swap", "params": {"word": "zebra"}}])
    [entry] = run.results["audits"]
    assert entry["value"] is None and entry["reason"] == "no example mentions anything the audit perturbs"
    assert run.exit_code == 0


def test_an_audit_that_fails_is_kept_and_the_run_goes_on(tmp_path: Path) -> None:
    run = _run(tmp_path, [{"type": "word-swap", "params": {"fail": True}}])
    [entry] = run.results["audits"]
    assert (
        entry["value"] is None
        and entry["reason"] == "failed: perturbing example 'tiny-0': RuntimeError: cannot perturb"
    )
    assert run.results["cells"][0]["status"] == "ok"
    assert run.exit_code == 1


def test_audits_apply_to_the_tasks_and_models_they_name(tmp_path: Path) -> None:
    run = _run(
        tmp_path,
        [{"type": "word-swap", "tasks": ["b"], "models": ["m2"]}],
        models=[{"name": "m1", "type": "tiny"}, {"name": "m2", "type": "tiny"}],
        tasks=[{"name": "a", "type": "tiny"}, {"name": "b", "type": "tiny"}],
    )
    assert {(e["model"], e["task"]) for e in run.results["audits"]} == {("m2", "b")}


def test_bad_audit_params_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"audits\[0\] \(word-swap\): bad params: TypeError"):
        _run(tmp_path, [{"type": "word-swap", "params": {"colour": "red"}}])


def test_a_proportion_gets_the_exact_binomial_interval(tmp_path: Path) -> None:
    run = _run(tmp_path, [{"type": "counting-swap"}])
    [entry] = [e for e in run.results["audits"] if e["measure"] == "flip-rate"]
    assert (entry["k"], entry["m"], entry["value"], entry["interval"]) == (5, 5, 1.0, "exact-binomial")
    assert entry["ci_low"] == pytest.approx(0.4782, abs=1e-4) and entry["ci_high"] == 1.0  # Clopper-Pearson, 5 of 5
    assert entry["info"] == {"swap": ["good", "fine"]}


def test_each_metric_is_scored_again_on_the_perturbed_examples(tmp_path: Path) -> None:
    run = _run(tmp_path, [{"type": "word-swap"}])
    shifts = {e["measure"]: e for e in run.results["audits"] if e["measure"] != "flip-rate"}
    shift = shifts["metric:tiny-match"]
    # the swap turns "good" into "fine": the tiny model's right answers on those 5 become wrong
    assert (shift["group"], shift["n"], shift["n_examples"]) == ("good->fine", 5, 8)
    assert shift["original_value"] == pytest.approx(0.8) and shift["perturbed_value"] == pytest.approx(0.2)
    assert shift["value"] == pytest.approx(-0.6) and shift["ci_low"] <= -0.6 <= shift["ci_high"]
    assert shift["test"] == "approximate-randomization" and 0 < shift["p_value"] <= 1
    assert shift["interval"] == "paired-bootstrap"
    # HELM's worst case needs a per-example score, which the tiny metric lacks: said, not zero
    worst = shifts["worst-case:tiny-match"]
    assert worst["value"] is None and worst["reason"] == "not computed: 'tiny-match' gives no per-example score"


@pytest.mark.parametrize(
    ("k", "m", "p", "expected"),
    [(0, 10, 0.5, 2 / 1024), (8, 10, 0.5, 2 * 56 / 1024), (2, 3, 0.5, 1.0), (0, 0, 0.5, 1.0), (0, 5, 0.2, 0.65536)],
)
def test_the_exact_binomial_test(k: int, m: int, p: float, expected: float) -> None:
    from nlpbench.statistics.significance import binomial_test

    # two-sided: twice the smaller tail, capped at 1 (k = 0 of 5 at 0.2: 2 * 0.8^5 = 0.65536)
    assert binomial_test(k, m, p) == pytest.approx(min(1.0, expected), rel=1e-12)


def test_a_declared_measure_no_prediction_gives_is_not_computed(tmp_path: Path) -> None:
    class TwoMeasures(WordSwapAudit):
        measures: ClassVar[tuple[str, ...]] = ("flip-rate", "probability_change")

    class Plugin:
        NLPBENCH_PLUGIN_NAME = "two-measures"

        @hookimpl
        def register_bias_audits(self, register: Any) -> None:
            register(TwoMeasures, name="two-measures")

    suite = {**tiny_suite(), "audits": [{"type": "two-measures"}]}
    run = run_suite_text(suite, tmp_path, host=make_host(Plugin()))
    [entry] = [e for e in run.results["audits"] if e["measure"] == "probability_change"]
    assert entry["value"] is None
    assert entry["reason"] == "not computed: no prediction of this task gives 'probability_change'"
