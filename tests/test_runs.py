"""Finished runs, from their folders and stores, with no model loaded: rescoring and
comparing within and across runs."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nlpbench.cli import build_cli
from nlpbench.contracts.errors import ConfigError, DataError
from nlpbench.results.runs import compare_runs, rescore
from nlpbench.results.store import SCHEMA_VERSION, STORE_FILE, Store
from nlpbench.testing import make_host, run_suite_text
from nlpbench.testing.harness import tiny_suite

MODELS = [
    {"name": "full", "type": "tiny"},
    {"name": "generator", "type": "tiny", "params": {"capabilities": ["generate"]}},
]


def _run(folder: Path, **task: Any) -> Path:
    run = run_suite_text(tiny_suite(models=MODELS, tasks=[{"name": "t", "type": "tiny", **task}]), folder)
    assert run.exit_code == 0
    return run.out_dir


def _metrics(folder: Path) -> dict[tuple[str, str], Any]:
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    return {(c["model"], c["task"]): c["metrics"] for c in results["cells"]}


def _invoke(*args: str) -> Any:
    host = make_host()
    return CliRunner().invoke(build_cli(host), list(args), obj={"host": host})


def test_rescoring_reproduces_the_run_without_a_model(tmp_path: Path) -> None:
    folder = _run(tmp_path)
    before = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    results = rescore(folder, make_host())
    assert _metrics(folder) == {(c["model"], c["task"]): c["metrics"] for c in before["cells"]}
    assert results["comparisons"] == before["comparisons"]
    assert results["rescored"] == {"metrics": None}


def test_rescoring_with_other_metrics(tmp_path: Path) -> None:
    folder = _run(tmp_path)
    results = rescore(folder, make_host(), ["tiny-match"])
    assert all(set(c["metrics"]) == {"tiny-match"} for c in results["cells"])
    with pytest.raises(ConfigError, match=r"unknown metric 'tiny-mach' \(did you mean 'tiny-match'\?\)"):
        rescore(folder, make_host(), ["tiny-mach"])


def test_compare_across_runs_uses_the_examples_both_answered(tmp_path: Path) -> None:
    whole = _run(tmp_path / "whole")
    part = _run(tmp_path / "part", limit=5)
    notes: list[str] = []
    entries = compare_runs([whole, part], make_host(), log=notes.append)
    # the same model names in both runs are told apart by their run folders
    across = [e for e in entries if e["a"].startswith("whole/run/") and e["b"].startswith("part/run/")]
    assert {(e["a"], e["b"]) for e in across} >= {("whole/run/full", "part/run/full")}
    assert all(e["n"] == 5 and e["n_dropped"] == 3 for e in across)
    assert any("dropped" in note for note in notes)
    assert all(e["correction"] == "holm" for e in entries)


def test_compare_from_the_command_line(tmp_path: Path) -> None:
    folder = _run(tmp_path)
    table = _invoke("compare", str(folder))
    assert table.exit_code == 0, table.output
    assert "full" in table.stdout and "generator" in table.stdout
    csv_out = _invoke("compare", str(folder), "--format", "csv", "--correction", "bh")
    assert csv_out.stdout.splitlines()[0].startswith("task,metric,a,b,delta")
    as_json = json.loads(_invoke("compare", str(folder), "--format", "json").stdout)
    assert {e["metric"] for e in as_json} == {"tiny-match"}


@pytest.mark.parametrize("command", ["compare", "rescore"])
def test_a_folder_that_is_not_a_run_is_one_line(tmp_path: Path, command: str) -> None:
    result = _invoke(command, str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {tmp_path}: not a run folder (no results.json)"


def test_unreadable_results_and_stores_are_one_line_and_nothing_is_overwritten(tmp_path: Path) -> None:
    folder = _run(tmp_path)
    results = folder / "results.json"
    good = results.read_text(encoding="utf-8")
    results.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match=r"results.json: not readable results"):
        rescore(folder, make_host())
    assert results.read_text(encoding="utf-8") == "{not json"
    results.write_text(good, encoding="utf-8")
    store = folder / STORE_FILE
    with sqlite3.connect(store) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(ConfigError, match=r"written by a newer nlpbench"):
        rescore(folder, make_host())
    assert results.read_text(encoding="utf-8") == good
    store.write_bytes(b"garbage" * 100)
    result = _invoke("rescore", str(folder))
    assert result.exit_code == 2 and "not a readable nlpbench store" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert results.read_text(encoding="utf-8") == good


def _entries(folder: Path) -> list[dict[str, Any]]:
    return compare_runs([folder], make_host())


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_compare_reads_a_run_in_a_read_only_folder(tmp_path: Path) -> None:
    folder = _run(tmp_path / "moved")
    # moved, as a run copied onto a read-only share is: the store is the folder's own
    moved = folder.rename(tmp_path / "shared")
    expected = _entries(moved)
    files = sorted(p.name for p in moved.iterdir())
    for path in [moved, *moved.iterdir()]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        assert _entries(moved) == expected
        result = _invoke("compare", str(moved), "--format", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == expected
        assert sorted(p.name for p in moved.iterdir()) == files  # no -wal or -shm left behind
    finally:
        moved.chmod(0o755)


def test_compare_writes_nothing_into_the_store(tmp_path: Path) -> None:
    folder = _run(tmp_path)
    store = folder / STORE_FILE
    with sqlite3.connect(store) as db:  # as an older nlpbench left it: opening read-write would upgrade it
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    db.close()
    before = store.read_bytes()
    assert _entries(folder)
    assert store.read_bytes() == before
    assert not list(folder.glob(f"{STORE_FILE}-*"))  # nor -wal or -shm files


def test_a_read_only_store_refuses_writes(tmp_path: Path) -> None:
    store = _run(tmp_path) / STORE_FILE
    with Store(store, read_only=True) as opened:
        assert opened.latest_run(tmp_path / "run") == 1
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            opened.finish_run(1, "now", "ok")
    with pytest.raises(ConfigError, match="no results store here"):
        Store(tmp_path / "nothing.sqlite", read_only=True)
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    with pytest.raises(ConfigError, match="not an nlpbench store"):
        Store(empty, read_only=True)
