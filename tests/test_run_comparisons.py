"""Every run compares its models pairwise on each task and metric, corrected within each
family (by default one task and one metric), and marks tie groups on the leaderboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nlpbench.contracts.errors import ConfigError
from nlpbench.testing import run_suite_text
from nlpbench.testing.harness import tiny_suite

CONTRACT = {"task", "metric", "a", "b", "delta", "ci_low", "ci_high", "test", "p_value", "p_adjusted", "correction"}

MODELS = [
    {"name": "full", "type": "tiny"},
    {"name": "twin", "type": "tiny"},
    {"name": "encoder", "type": "tiny", "params": {"capabilities": ["encode"]}},
]


def _run(tmp_path: Path, **extra: Any) -> Any:
    suite = tiny_suite(models=MODELS, tasks=[{"name": "t", "type": "tiny"}], **extra)
    return run_suite_text(suite, tmp_path)


def test_each_pair_of_models_is_compared_with_the_contracts_fields(tmp_path: Path) -> None:
    run = _run(tmp_path)
    entries = run.results["comparisons"]
    ok = [c["model"] for c in run.results["cells"] if c["status"] == "ok"]
    assert ok == ["full", "twin"]  # the encoder cannot do the tiny task: it is not compared
    (entry,) = entries
    assert set(entry) >= CONTRACT
    assert (entry["a"], entry["b"], entry["task"], entry["metric"]) == ("full", "twin", "t", "tiny-match")
    # the same model twice: no difference, no significance
    assert entry["delta"] == 0 and entry["p_value"] == 1.0 and entry["better"] is None
    assert entry["correction"] == "holm" and entry["n"] == 8 and entry["n_dropped"] == 0
    groups = {c["model"]: c["metrics"]["tiny-match"]["tie_group"] for c in run.results["cells"] if c["status"] == "ok"}
    assert groups == {"full": 1, "twin": 1}
    assert run.results["comparing"] == {"correction": "holm", "alpha": 0.05, "family": "metric"}
    assert (entry["family"], entry["family_size"]) == ("t/tiny-match", 1)


def test_the_correction_is_the_suites(tmp_path: Path) -> None:
    run = _run(tmp_path, comparisons={"correction": "bh", "alpha": 0.1})
    assert {e["correction"] for e in run.results["comparisons"]} == {"bh"}
    assert run.results["comparing"] == {"correction": "bh", "alpha": 0.1, "family": "metric"}


@pytest.mark.parametrize(
    ("comparisons", "message"),
    [
        ({"correction": "bonferroni"}, r"comparisons.correction: must be one of holm, bh, none"),
        ({"alpha": 2}, r"comparisons.alpha: must be a number between 0 and 1"),
        ({"alfa": 0.1}, r"comparisons.alfa: unknown key \(allowed: correction, alpha, family\)"),
        ({"family": "metrics"}, r"suite.yaml:\d+: comparisons.family: must be one of metric, task, run, not 'metrics'"),
    ],
)
def test_bad_comparison_settings_are_one_line(tmp_path: Path, comparisons: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _run(tmp_path, comparisons=comparisons)


def test_a_single_model_has_nothing_to_compare(tmp_path: Path) -> None:
    run = run_suite_text(tiny_suite(), tmp_path)
    assert run.results["comparisons"] == []


def test_the_terminal_leaderboard_shows_tie_groups(tmp_path: Path) -> None:
    from nlpbench.report.leaderboard import render_text

    text = render_text(_run(tmp_path).results)
    assert "tie: groups by tiny-match" in text
    header = next(line for line in text.splitlines() if "model" in line and "#" in line)
    assert header.split()[:3] == ["#", "tie", "model"]
    rows = [line.split() for line in text.splitlines() if line.strip().startswith(("1 ", "2 "))]
    assert [row[1] for row in rows] == ["1", "1"]
