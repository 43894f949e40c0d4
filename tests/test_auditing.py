"""Bias audits: the runner perturbs, re-asks the model and measures shifts per group."""

from __future__ import annotations

import json
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


class TalliedSwapAudit(WordSwapAudit):
    """The swap, counting how often it measures a prediction: whether a rerun computed it again."""

    measured: ClassVar[int] = 0

    def measure(
        self, example: Example, original: Any, perturbation: Perturbation, perturbed: Any
    ) -> Mapping[str, float]:
        TalliedSwapAudit.measured += 1
        return super().measure(example, original, perturbation, perturbed)


class TalliedPlugin:
    NLPBENCH_PLUGIN_NAME = "tallied-swap"

    @hookimpl
    def register_bias_audits(self, register: Any) -> None:
        register(TalliedSwapAudit, name="tallied-swap")


def test_an_identical_rerun_takes_audits_comparisons_and_ranking_from_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nlpbench.running.runner as runner_module

    models = [{"name": "m1", "type": "tiny"}, {"name": "m2", "type": "tiny"}]
    suite = {**tiny_suite(models=models), "audits": [{"type": "tallied-swap"}]}
    TalliedSwapAudit.measured = 0
    first = run_suite_text(suite, tmp_path, host=make_host(TalliedPlugin()))
    assert TalliedSwapAudit.measured == 10 and first.results["comparisons"]  # 5 swaps per model

    def no_comparing(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the comparisons were computed again")

    with monkeypatch.context() as patched:
        patched.setattr(runner_module, "compare_cells", no_comparing)
        patched.setattr(runner_module, "rank_models", no_comparing)
        again = run_suite_text(suite, tmp_path, host=make_host(TalliedPlugin()))
    assert TalliedSwapAudit.measured == 10  # nothing measured again
    assert again.results["audits"] == first.results["audits"]
    assert again.results["comparisons"] == first.results["comparisons"]
    assert again.results["ranking"] == json.loads(json.dumps(first.results["ranking"])) and first.results["ranking"]
    assert [s for s in again.samples if "audit" in s] == [s for s in first.samples if "audit" in s]
    # what decides an audit's entries is in the key: other params measure again
    changed = {**suite, "audits": [{"type": "tallied-swap", "params": {"replacement": "fair"}}]}
    third = run_suite_text(changed, tmp_path, host=make_host(TalliedPlugin()))
    assert TalliedSwapAudit.measured == 20
    # the store served every cell: the audit loaded m1, and its entries say how long that took
    # (m2 is the same model: the store has m1's answers to the new perturbations for it)
    assert all("load_seconds" not in cell for cell in third.results["cells"])
    loads = {(entry["model"], "load_seconds" in entry) for entry in third.results["audits"]}
    assert loads == {("m1", True), ("m2", False)}
    assert all("load_seconds" not in entry for entry in first.results["audits"])  # the cells loaded them


def test_a_rerun_without_the_cache_computes_audits_again(tmp_path: Path) -> None:
    from nlpbench.running.runner import run_suite
    from nlpbench.suites.suite import load_suite

    suite = {**tiny_suite(), "audits": [{"type": "tallied-swap"}]}
    TalliedSwapAudit.measured = 0
    run_suite_text(suite, tmp_path, host=make_host(TalliedPlugin()))
    host = make_host(TalliedPlugin())
    run_suite(load_suite(tmp_path / "suite.yaml", host), host, tmp_path / "run", progress=False, use_cache=False)
    assert TalliedSwapAudit.measured == 10
