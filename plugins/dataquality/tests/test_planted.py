"""On a planted test set the data-quality audit finds exactly what was planted: through
``nlpbench data audit --json``, through a suite run (results.json ``audits``), and the
clean-subset rescoring of the run's majority baseline."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from nlpbench.testing import make_host, run_suite_text

_spec = importlib.util.spec_from_file_location("dataquality_planted", Path(__file__).with_name("planted.py"))
assert _spec is not None and _spec.loader is not None
planted = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(planted)

NLPBENCH = [sys.executable, "-c", "from nlpbench.cli import main; main()"]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*NLPBENCH, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def _by_key(entries: list[dict[str, Any]], task: str) -> dict[tuple[str, str, str | None], dict[str, Any]]:
    return {(e["check"], e["measure"], e["group"]): e for e in entries if e["task"] == task and e["model"] is None}


def _assert_planted(entries: list[dict[str, Any]]) -> None:
    found = _by_key(entries, "planted")
    for key, (value, n, ids) in planted.EXPECTED.items():
        entry = found[key]
        assert entry["value"] == pytest.approx(value), key
        assert (entry["n"], entry["example_ids"], entry["reason"]) == (n, ids, None), key
    for label, share in planted.LABEL_SHARES.items():
        assert found[("label-balance", "share", label)]["value"] == pytest.approx(share)
    majority = found[("label-balance", "majority-class accuracy", "positive")]
    assert majority["value"] == pytest.approx(0.95)
    near = found[("near-duplicates", "share", None)]
    assert near["pairs"] == [{"a": "t03", "b": "t04", "jaccard": round(16 / 18, 4)}]
    assert found[("exact-duplicates", "share", None)]["groups"] == [["t01", "t02"]]
    assert found[("train-test-overlap", "exact", None)]["matches"] == [{"id": "t05", "train_id": "train:tr03"}]
    words = found[("length", "words", None)]
    assert (words["min"], words["max"], words["n"]) == (0, 19, 20)
    # nothing else is flagged: every other entry lists no example
    flagged = {key for key, e in found.items() if e.get("example_ids")}
    assert flagged == {key for key, (_, _, ids) in planted.EXPECTED.items() if ids}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    planted.write_planted(tmp_path)
    (tmp_path / "suite.yaml").write_text(planted.suite_text(), encoding="utf-8")
    return tmp_path


def test_the_cli_finds_exactly_what_was_planted(folder: Path) -> None:
    done = _cli("data", "audit", "suite.yaml", "--json", cwd=folder)
    assert done.returncode == 0, done.stderr
    entries = json.loads(done.stdout)
    for entry in entries:  # the contract's fields
        assert {"task", "check", "measure", "value", "n"} <= set(entry)
    _assert_planted(entries)
    table = _cli("data", "audit", "suite.yaml", cwd=folder)
    assert "exact-duplicates share: 0.05 (n=20, 2 flagged)  ids: t01, t02" in table.stdout


def test_a_suite_run_records_them_and_scores_the_clean_subset(folder: Path) -> None:
    run = run_suite_text(planted.suite_text(), folder, host=make_host(entry_points=True))
    run.assert_ok()
    entries = run.results["audits"]
    _assert_planted(entries)
    assert all(e["audit"] == "data-quality" for e in entries)
    clean = {e["measure"]: e for e in entries if e["check"] == "clean-subset"}
    accuracy = clean["metric:accuracy (clean - full)"]
    # always "positive": 18 of 19 right; the clean subset leaves out the leaked t05 and t06
    # and the reviews too short to be checked for contamination (t01, t02, t08), all
    # positive: 13 of 14
    assert accuracy["model"] == "always-positive"
    excluded = ["t01", "t02", "t05", "t06", "t08"]
    assert (accuracy["n"], accuracy["n_clean"], accuracy["example_ids"]) == (19, 14, excluded)
    assert accuracy["full_value"] == pytest.approx(18 / 19)
    assert accuracy["clean_value"] == pytest.approx(13 / 14)
    assert accuracy["value"] == pytest.approx(13 / 14 - 18 / 19)
    assert accuracy["ci_low"] <= accuracy["value"] <= accuracy["ci_high"]
    assert accuracy["interval"] == "paired-bootstrap"
    assert set(clean) == {f"metric:{m} (clean - full)" for m in ("accuracy", "macro-f1", "mcc")}
    # the same rescoring from the finished run, without running anything
    done = _cli("data", "audit", "suite.yaml", "--json", "--run", str(run.out_dir), cwd=folder)
    assert done.returncode == 0, done.stderr
    again = {e["measure"]: e for e in json.loads(done.stdout) if e["check"] == "clean-subset"}
    assert again["metric:accuracy (clean - full)"] == accuracy


def test_the_report_page_lists_each_tasks_checks(folder: Path) -> None:
    run = run_suite_text(planted.suite_text().replace("[json]", "[html]"), folder, host=make_host(entry_points=True))
    page = (run.out_dir / "report.html").read_text(encoding="utf-8")
    assert "<h2>Data quality</h2>" in page and "id='data-quality-0'" in page
    assert "<td>exact-duplicates</td><td>share</td>" in page and "t01, t02" in page
