"""The core's seam for data-only audits: run once per task (not per model) before any
model loads, given the task's examples and train split, their entries in results.json
``audits``; the user's mistakes stop the run, the audit's bug is a failed entry; each
ok cell scored again on the clean subset with a paired interval; ``nlpbench data audit``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from click.testing import CliRunner

from nlpbench import ConfigError, DataAuditInput, DataAuditResult, DataError, Example, hookimpl
from nlpbench.cli import build_cli
from nlpbench.report.data_quality import entries_text, task_checks
from nlpbench.running.auditing import AuditSettings
from nlpbench.running.data_auditing import DataAudited, clean_subset_entries, train_split
from nlpbench.testing.harness import make_host, run_suite_text, tiny_suite
from nlpbench.testing.tiny import TinyMatchMetric

#: what each audit_data call saw: (task, example ids, train or the reason there is none)
SEEN: list[tuple[str, list[str], Any]] = []


class CountingAudit:
    """Flags the first two examples; ``mode`` makes it fail on purpose."""

    data_only: ClassVar[bool] = True

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode

    def audit_data(self, data: DataAuditInput) -> DataAuditResult:
        try:
            train: Any = [e.id for e in data.train()]
        except ConfigError as error:
            train = str(error)
        SEEN.append((data.task, [e.id for e in data.examples], train))
        if self.mode == "data-error":
            raise DataError("corpus.txt:3: not UTF-8")
        if self.mode == "bug":
            raise ZeroDivisionError("division by zero")
        ids = [e.id for e in data.examples[:2]]
        found = {"check": "exact-duplicates", "measure": "share", "value": 0.25, "n": len(data.examples),
                 "n_affected": 2, "example_ids": ids}  # fmt: skip
        return DataAuditResult((found,), frozenset(ids), "planted")


class DataPlugin:
    @staticmethod
    @hookimpl
    def register_bias_audits(register: Any) -> None:
        register(CountingAudit, name="counting")


def _run(tmp_path: Path, mode: str = "ok") -> Any:
    SEEN.clear()
    suite = tiny_suite(
        models=[{"name": "a", "type": "tiny"}, {"name": "b", "type": "tiny", "params": {"capabilities": ["generate"]}}],
        audits=[{"type": "counting", "params": {"mode": mode}}],
    )
    return run_suite_text(suite, tmp_path, host=make_host(DataPlugin()))


def test_a_data_only_audit_runs_once_per_task_with_no_model(tmp_path: Path) -> None:
    run = _run(tmp_path)
    run.assert_ok()
    assert [("tiny", [f"tiny-{i}" for i in range(8)], "task type 'tiny' has no train split")] == SEEN
    data = [e for e in run.results["audits"] if e["check"] == "exact-duplicates"]
    assert len(data) == 1
    assert data[0] | {} == {
        "audit": "counting", "model": None, "task": "tiny", "check": "exact-duplicates", "group": None,
        "measure": "share", "value": 0.25, "ci_low": None, "ci_high": None, "n": 8, "n_affected": 2,
        "example_ids": ["tiny-0", "tiny-1"], "reason": None,
    }  # fmt: skip
    # each model's ok cell, scored again without the two flagged examples
    clean = [e for e in run.results["audits"] if e["check"] == "clean-subset"]
    assert [(e["model"], e["measure"], e["n"], e["n_clean"]) for e in clean] == [
        ("a", "metric:tiny-match (clean - full)", 8, 6),
        ("b", "metric:tiny-match (clean - full)", 8, 6),
    ]
    for entry in clean:
        cell = run.cell(entry["model"], "tiny")
        assert entry["full_value"] == pytest.approx(cell["metrics"]["tiny-match"]["value"])
        assert entry["value"] == pytest.approx(entry["clean_value"] - entry["full_value"])
    assert any("tiny (data) audit counting: 1 entries, 1 flag examples" in line for line in run.log)


def test_a_data_error_stops_the_run_before_any_model_loads(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"^audits\[0\] \(counting\): task 'tiny': corpus.txt:3: not UTF-8$"):
        _run(tmp_path, "data-error")
    assert not (tmp_path / "run" / "results.json").exists()


def test_an_audits_bug_is_a_failed_entry_and_the_cells_are_kept(tmp_path: Path) -> None:
    run = _run(tmp_path, "bug")
    assert run.exit_code == 1
    [failed] = [e for e in run.results["audits"] if e["model"] is None]
    assert failed["reason"] == "failed: auditing data: ZeroDivisionError: division by zero"
    assert "ZeroDivisionError" in failed["traceback"]
    assert {c["status"] for c in run.results["cells"]} == {"ok"}
    # a data-quality entry all the same: in the data-quality table, not among the bias audits
    from nlpbench.report.data_quality import is_data_quality

    assert failed["check"] == "audit" and is_data_quality(failed)


def test_the_train_split_comes_from_the_task_or_says_why_not() -> None:
    test = [Example("a", "one", ("x",)), Example("b", "two", ("y",))]

    class WithTrain:
        def train_examples(self) -> list[Example]:
            return [Example("train:a", "one", ("x",))]

    class PoolIsTest:  # lm-evaluation-harness's shots from the split under evaluation
        def train_pool(self) -> list[Example]:
            return list(test)

    assert [e.id for e in train_split(WithTrain(), test)] == ["train:a"]
    with pytest.raises(ConfigError, match="few-shot pool is the test split itself"):
        train_split(PoolIsTest(), test)
    with pytest.raises(ConfigError, match="the task has no train split"):
        train_split(object(), test)


def test_the_clean_subset_interval_is_paired_and_seeded() -> None:
    rows = [[1.0], [1.0], [0.0], [0.0], [1.0], [0.0], [1.0], [1.0]]
    found = DataAudited("dq", "t", [], frozenset({"e0", "e1"}), "planted")
    stats = {("m", "t"): ([f"e{i}" for i in range(8)], {"acc": rows})}
    settings = AuditSettings(500, 0.95, 7)
    [entry] = clean_subset_entries([found], {"t": [("acc", TinyMatchMetric())]}, stats, settings)
    assert (entry["full_value"], entry["clean_value"]) == (5 / 8, 3 / 6)
    assert entry["value"] == pytest.approx(3 / 6 - 5 / 8)
    assert entry["ci_low"] < entry["value"] < entry["ci_high"] <= 0.0  # the two left out are both right
    again = clean_subset_entries([found], {"t": [("acc", TinyMatchMetric())]}, stats, settings)
    assert again == [entry]
    nothing = DataAudited("dq", "t", [], frozenset(), "planted")
    [none] = clean_subset_entries([nothing], {"t": [("acc", TinyMatchMetric())]}, stats, settings)
    assert none["value"] is None and none["reason"].startswith("not computed: no example of this cell is left out")
    assert np.isfinite(entry["ci_low"])


def test_data_audit_command_prints_entries_and_exits_2_on_bad_data(tmp_path: Path) -> None:
    suite = tiny_suite(audits=[{"type": "counting"}])
    (tmp_path / "suite.yaml").write_text(json.dumps(suite), encoding="utf-8")
    cli = build_cli(make_host(DataPlugin()))
    runner = CliRunner()
    done = runner.invoke(
        cli, ["data", "audit", str(tmp_path / "suite.yaml"), "--json"], obj={"host": make_host(DataPlugin())}
    )
    assert done.exit_code == 0, done.output
    [entry] = json.loads(done.stdout)
    assert (entry["task"], entry["check"], entry["example_ids"]) == ("tiny", "exact-duplicates", ["tiny-0", "tiny-1"])
    suite["audits"] = [{"type": "counting", "params": {"mode": "data-error"}}]
    (tmp_path / "suite.yaml").write_text(json.dumps(suite), encoding="utf-8")
    done = runner.invoke(cli, ["data", "audit", str(tmp_path / "suite.yaml")], obj={"host": make_host(DataPlugin())})
    assert done.exit_code == 2
    assert done.stderr.strip() == "Error: audits[0] (counting): task 'tiny': corpus.txt:3: not UTF-8"


def test_without_a_data_only_audit_the_command_says_what_to_install(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text(json.dumps(tiny_suite()), encoding="utf-8")
    host = make_host()
    done = CliRunner().invoke(build_cli(host), ["data", "audit", str(tmp_path / "suite.yaml")], obj={"host": host})
    assert done.exit_code == 2
    assert "no data-only audit is installed" in done.stderr


def test_the_table_and_the_page_rows_list_checks_per_task() -> None:
    entries = [
        {"audit": "dq", "model": None, "task": "t", "check": "exact-duplicates", "group": None, "measure": "share",
         "value": 0.25, "n": 8, "n_affected": 2, "example_ids": ["a", "b"], "reason": None},
        {"audit": "dq", "model": None, "task": "t", "check": "train-test-overlap", "group": None, "measure": "exact",
         "value": None, "n": 8, "n_affected": 0, "reason": "not computed: no train split"},
        {"audit": "bias", "model": "m", "task": "t", "group": "g", "measure": "flip", "value": 0.1},
    ]  # fmt: skip
    [section] = task_checks(entries)
    assert (section.task, len(section.rows), section.flagged) == ("t", 2, 1)
    assert entries_text(entries) == (
        "t\n  exact-duplicates share: 0.25 (n=8, 2 flagged)  ids: a, b\n"
        "  train-test-overlap exact: not computed: no train split\n"
    )
