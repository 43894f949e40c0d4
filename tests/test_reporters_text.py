"""The built-in text reporters: json, markdown and csv, in real runs and on planted results."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ModelError, ModelSpec, ReporterError, hookimpl
from nlpbench.report.text import (
    COMPARISON_COLUMNS,
    CSV_COLUMNS,
    CsvReporter,
    JsonReporter,
    MarkdownReporter,
    escape_markdown,
    render_markdown,
)
from nlpbench.testing import make_host, run_suite_text
from nlpbench.testing.harness import tiny_suite
from nlpbench.testing.tiny import TinyModel

#: The error the broken model raises: a pipe would end a Markdown cell, a comma and a
#: quote must survive CSV quoting.
BROKEN = 'weights "a|b", shard 2 is corrupt'


class BrokenModel(TinyModel):
    """Fails to load, with a message full of table delimiters."""

    def __init__(self, spec: ModelSpec) -> None:
        raise ModelError(BROKEN)


class BrokenPlugin:
    NLPBENCH_PLUGIN_NAME = "broken-bits"

    @hookimpl
    def register_models(self, register: Any) -> None:
        register(BrokenModel, name="broken")


def run_with(directory: Path, reporters: list[Any]) -> Any:
    suite = tiny_suite(
        models=[
            {"name": "tiny", "type": "tiny"},
            {"name": "tiny_two", "type": "tiny"},
            {"name": "bad", "type": "broken"},
        ],
        reporters=reporters,
    )
    return run_suite_text(suite, directory, host=make_host(BrokenPlugin()))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def cells_of(row: str) -> list[str]:
    """A Markdown table row split on its unescaped pipes."""
    parts, current, escaped = [], "", False
    for char in row.strip()[1:-1]:
        if char == "|" and not escaped:
            parts.append(current.strip())
            current = ""
        else:
            current += char
        escaped = char == "\\" and not escaped
    return [*parts, current.strip()]


# ---------------------------------------------------------------------------
# a real run
# ---------------------------------------------------------------------------


def test_a_run_writes_markdown_csv_and_json(tmp_path: Path) -> None:
    run = run_with(tmp_path, ["markdown", "csv", "json"])
    assert run.exit_code == 1  # the broken model's cell failed; the rest ran
    out = run.out_dir
    written = {p.name for p in out.iterdir()}
    assert {"comparisons.csv", "report.md", "results.csv", "results.json"} <= written
    assert "report.html" not in written  # the suite named its reporters: only those ran
    assert not [name for name in written if name.endswith(".partial")]
    # json: the document the run produced, as the runner wrote it
    assert json.loads((out / "results.json").read_text(encoding="utf-8")) == run.results

    # csv: one row per cell and metric, values exact (a float's repr reads back as itself)
    rows = read_csv(out / "results.csv")
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [(r["model"], r["task"], r["metric"], r["status"]) for r in rows] == [
        ("tiny", "tiny", "tiny-match", "ok"),
        ("tiny_two", "tiny", "tiny-match", "ok"),
        ("bad", "tiny", "", "failed"),
    ]
    cell = run.cell("tiny", "tiny")
    score = cell["metrics"]["tiny-match"]
    tiny = rows[0]
    assert float(tiny["value"]) == score["value"] == 0.875  # 7 of 8: "not as good" fools it
    assert (float(tiny["ci_low"]), float(tiny["ci_high"])) == (score["ci_low"], score["ci_high"])
    assert score["ci_low"] < score["value"] < score["ci_high"]
    assert tiny["higher_is_better"] == "true"
    assert int(tiny["n"]) == cell["n"] == 8
    assert tiny["strategy"] == cell["strategy"] == "classify"
    assert float(tiny["seconds"]) == cell["seconds"]
    assert float(tiny["examples_per_second"]) == cell["examples_per_second"]
    assert tiny["detail"] == ""
    bad = rows[2]
    assert bad["detail"] == run.cell("bad", "tiny")["error"]
    assert BROKEN in bad["detail"]  # quotes, comma and pipe came back whole
    assert (bad["value"], bad["ci_low"], bad["n"]) == ("", "", "0")

    comparisons = read_csv(out / "comparisons.csv")
    assert (out / "comparisons.csv").read_text(encoding="utf-8").splitlines()[0] == ",".join(COMPARISON_COLUMNS)
    assert len(comparisons) == len(run.results["comparisons"])
    for row, entry in zip(comparisons, run.results["comparisons"], strict=True):
        assert (row["task"], row["metric"], row["a"], row["b"]) == (
            entry["task"],
            entry["metric"],
            entry["a"],
            entry["b"],
        )
        assert float(row["delta"]) == entry["delta"]

    # markdown: a table per task, every row as wide as its header, the pipe escaped
    text = (out / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# nlpbench: tiny\n")
    table = text.split("### tiny\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(table) == 2 + 3
    assert cells_of(table[0])[:3] == ["#", "model", "tiny-match ↑"]
    assert all(len(cells_of(row)) == len(cells_of(table[0])) for row in table)
    by_model = {cells_of(row)[1]: cells_of(row) for row in table[2:]}
    assert set(by_model) == {"tiny", "tiny\\_two", "bad"}
    assert by_model["tiny"][0] == "1"
    assert by_model["tiny"][2] == f"0.875 [{score['ci_low']:.4g}, {score['ci_high']:.4g}]"
    assert by_model["bad"][0] == "-"
    assert by_model["bad"][-1].startswith("failed: ")
    assert 'weights "a\\|b", shard 2 is corrupt' in by_model["bad"][-1]
    assert "## Comparisons" in text
    assert "## Provenance" in text and "| nlpbench | " in text


def test_json_is_rewritten_only_when_it_changed_and_copies_go_where_told(tmp_path: Path) -> None:
    run = run_with(tmp_path, ["json", {"name": "json", "file": "copies/run.json"}])
    out = run.out_dir
    original = (out / "results.json").read_text(encoding="utf-8")
    assert (out / "copies" / "run.json").read_text(encoding="utf-8") == original
    before = os.stat(out / "results.json").st_mtime_ns
    os.utime(out / "results.json", ns=(before - 10**9, before - 10**9))
    assert JsonReporter().write(run.results, out) == str(out / "results.json")
    assert os.stat(out / "results.json").st_mtime_ns == before - 10**9  # identical: left alone
    changed = {**run.results, "status": "rescored"}
    JsonReporter().write(changed, out)
    assert json.loads((out / "results.json").read_text(encoding="utf-8"))["status"] == "rescored"
    assert not [p.name for p in out.rglob("*.partial")]


def test_a_failing_write_is_a_warning_and_the_results_are_kept(tmp_path: Path) -> None:
    # a file where the reporter wants a folder fails even for root, who ignores permissions
    run = run_with(tmp_path, [{"name": "markdown", "file": "results.json/report.md"}, "csv"])
    assert run.exit_code == 1
    warning = [line for line in run.log if line.startswith("warning: reporter 'markdown' failed: cannot write ")]
    assert len(warning) == 1 and "\n" not in warning[0]
    assert json.loads((run.out_dir / "results.json").read_text(encoding="utf-8"))["status"] == "complete"
    assert (run.out_dir / "results.csv").is_file()  # the next reporter still ran


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_a_reporter_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "report.md").write_text("old\n", encoding="utf-8")
    folder.chmod(0o555)
    try:
        with pytest.raises(ReporterError, match=r"^cannot write .*report\.md: Permission denied$"):
            MarkdownReporter().write(PLANTED, folder)
        with pytest.raises(ReporterError, match=r"results\.csv"):
            CsvReporter().write(PLANTED, folder)
    finally:
        folder.chmod(0o755)
    assert (folder / "report.md").read_text(encoding="utf-8") == "old\n"  # nothing half-written


def test_a_refused_write_is_a_reporter_error_and_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read-only folder as root sees it too: the folder refuses the temporary file."""
    (tmp_path / "report.md").write_text("old\n", encoding="utf-8")

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("nlpbench.results.run_files._create_beside", refuse)
    with pytest.raises(ReporterError, match=r"^cannot write \S+report\.md: Permission denied$"):
        MarkdownReporter().write(PLANTED, tmp_path)
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == "old\n"


def test_a_write_into_a_file_is_a_one_line_reporter_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    with pytest.raises(ReporterError, match=r"^cannot write \S+taken/report\.md: ") as caught:
        MarkdownReporter(file="taken/report.md").write(PLANTED, tmp_path)
    assert "\n" not in str(caught.value)
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


# ---------------------------------------------------------------------------
# planted results: comparisons and tie groups
# ---------------------------------------------------------------------------


def _score(value: float, tie_group: int | None = None) -> dict[str, Any]:
    score: dict[str, Any] = {"value": value, "ci_low": value - 0.1, "ci_high": value + 0.1, "higher_is_better": True}
    return score if tie_group is None else {**score, "tie_group": tie_group}


PLANTED: dict[str, Any] = {
    "nlpbench": {"version": "0.1.0", "plugins": {"nlpbench": "0.1.0", "nlpbench-x|y": "2.0"}},
    "suite": {"name": "planted", "hash": "sha256:abc", "seed": 7, "path": "suite.yaml"},
    "started": "2026-11-30T12:00:00Z",
    "finished": "2026-11-30T12:01:00Z",
    "status": "complete",
    "bootstrap": {"method": "percentile", "resamples": 1000, "confidence": 0.95},
    "cells": [
        {
            "model": "b",
            "task": "qa",
            "status": "ok",
            "n": 9,
            "strategy": "generate",
            "seconds": 1.5,
            "examples_per_second": 6.0,
            "metrics": {"f1": _score(0.5, 2)},
        },
        {
            "model": "a",
            "task": "qa",
            "status": "ok",
            "n": 9,
            "strategy": "generate",
            "seconds": 2.0,
            "examples_per_second": 4.5,
            "metrics": {"f1": _score(0.75, 1)},
        },
        {
            "model": "c",
            "task": "qa",
            "status": "not_applicable",
            "n": 0,
            "reason": "needs generate\nor classify",
            "metrics": {},
        },
    ],
    "comparisons": [
        {
            "task": "qa",
            "metric": "f1",
            "a": "a",
            "b": "b",
            "delta": 0.25,
            "ci_low": 0.05,
            "ci_high": 0.45,
            "test": "paired-bootstrap",
            "p_value": 0.00001,
            "p_adjusted": 0.0123,
            "correction": "holm",
            "family": "qa/f1",
            "family_size": 1,
            "n": 9,
            "n_dropped": 0,
            "better": "a",
        },
    ],
    "audits": [],
}


def test_markdown_shows_tie_groups_comparisons_and_provenance() -> None:
    text = render_markdown(PLANTED)
    assert (
        "### qa\n\n| # | model | f1 ↑ | f1 tie group | n | status |\n| ---: | --- | ---: | ---: | ---: | --- |\n"
        in text
    )
    assert "| 1 | a | 0.75 [0.65, 0.85] | 1 | 9 | ok |\n" in text
    assert "| 2 | b | 0.5 [0.4, 0.6] | 2 | 9 | ok |\n" in text
    assert "| - | c | — |  | 0 | not\\_applicable: needs generate<br>or classify |\n" in text
    assert "95% paired-bootstrap interval; p is from the test each row names" in text
    assert "adjusted (holm) within the family the row names" in text
    assert (
        "| task | metric | a | b | delta | 95% CI | test | p | p adjusted | family | better | note |\n"
        "| --- | --- | --- | --- | ---: | ---: | --- | ---: | ---: | --- | --- | --- |\n"
        "| qa | f1 | a | b | 0.25 | [0.05, 0.45] | paired-bootstrap | <0.001 | 0.012 | qa/f1 (1) | a |  |\n"
    ) in text
    assert "| nlpbench-x\\|y | 2.0 |" in text
    assert "- suite file: `suite.yaml`" in text


def test_markdown_without_comparisons_says_why() -> None:
    text = render_markdown({**PLANTED, "comparisons": []})
    assert "No comparisons in these results (a comparison needs two models with results on the same task)." in text
    assert "tie group" in text


def test_csv_says_how_many_predictions_came_from_the_store(tmp_path: Path) -> None:
    suite = tiny_suite(reporters=["csv"])
    first = run_suite_text(suite, tmp_path)
    assert [row["cached"] for row in read_csv(first.out_dir / "results.csv")] == ["0"]
    again = run_suite_text(suite, tmp_path)  # the same store: every prediction is in it
    rows = read_csv(again.out_dir / "results.csv")
    assert [(row["n"], row["cached"], row["examples_per_second"]) for row in rows] == [("8", "8", "")]
    assert again.cell("tiny", "tiny")["cached"] == 8


def test_csv_of_planted_results(tmp_path: Path) -> None:
    assert CsvReporter().write(PLANTED, tmp_path) == str(tmp_path / "results.csv")
    rows = read_csv(tmp_path / "results.csv")
    assert [(r["model"], r["metric"], r["value"], r["tie_group"], r["status"]) for r in rows] == [
        ("b", "f1", "0.5", "2", "ok"),
        ("a", "f1", "0.75", "1", "ok"),
        ("c", "", "", "", "not_applicable"),
    ]
    assert rows[2]["detail"] == "needs generate\nor classify"  # quoted, whole
    text = (tmp_path / "comparisons.csv").read_text(encoding="utf-8")
    assert text == (
        "task,metric,a,b,delta,ci_low,ci_high,test,p_value,p_adjusted,correction,family,family_size,n,n_dropped\n"
        "qa,f1,a,b,0.25,0.05,0.45,paired-bootstrap,1e-05,0.0123,holm,qa/f1,1,9,0\n"
    )
    assert list(csv.reader(io.StringIO(text)))[1][8] == "1e-05"


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", "a\\|b"),
        ("two\nlines\r\nthree", "two<br>lines<br>three"),
        ("<script>", "\\<script\\>"),
        ("snake_case *bold*", "snake\\_case \\*bold\\*"),
        ("back\\slash", "back\\\\slash"),
        (None, ""),
        (3, "3"),
    ],
)
def test_escape_markdown(raw: Any, escaped: str) -> None:
    assert escape_markdown(raw) == escaped
