"""One leaderboard across run folders (``nlpbench leaderboard RUN RUN…``, ``Run.compare``):
models evaluated in different runs get the tie groups and comparisons they would have
got in one run holding them all."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import nlpbench
from nlpbench.cli import build_cli
from nlpbench.plugins.host import PluginHost
from nlpbench.report.leaderboard_formats import CSV_COLUMNS

#: a lexicon of a few words: a model between the full word list and the majority baselines
SMALL_LEXICON = {"positive": ["good", "great", "best"], "negative": ["bad", "worst", "boring"]}

MODELS = {
    "wordlist": {"name": "wordlist", "type": "wordlist"},
    "small": {"name": "small", "type": "wordlist", "params": {"lexicon": "small.json"}},
    "positive": {"name": "positive", "type": "majority", "params": {"label": "positive"}},
    "negative": {"name": "negative", "type": "majority", "params": {"label": "negative"}},
}
TASKS = [
    {"name": "reviews", "type": "sentiment", "metrics": ["accuracy", "macro-f1"]},
    {"name": "reviews-40", "type": "sentiment", "limit": 40, "metrics": ["accuracy", "mcc"]},
]


def _suite(name: str, models: list[str], tasks: list[dict[str, Any]] = TASKS) -> dict[str, Any]:
    return {
        "name": name,
        "seed": 4321,
        "models": [MODELS[m] for m in models],
        "tasks": tasks,
        "reporters": ["json"],
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Week 1 (two models), week 2 (two others, and a task week 1 lacks) and one run of
    all four: the same seed and data."""
    folder = tmp_path_factory.mktemp("runs")
    lexicon = folder / "small.json"
    lexicon.write_text(json.dumps(SMALL_LEXICON), encoding="utf-8")
    extra = {"name": "extra", "type": "sentiment", "limit": 10}
    suites = {
        "week1": _suite("week1", ["wordlist", "small"]),
        "week2": _suite("week2", ["positive", "negative"], [*TASKS, extra]),
        "all": _suite("all", ["wordlist", "small", "positive", "negative"]),
    }
    out = {}
    for name, suite in suites.items():
        suite["models"] = [
            {**m, "params": {"lexicon": str(lexicon)}} if m["name"] == "small" else m for m in suite["models"]
        ]
        run = nlpbench.evaluate(suite, out=folder / name, progress=False)
        assert run.status == "complete" and all(c["status"] == "ok" for c in run.cells)
        out[name] = run.path
    return out


def _invoke(*args: str) -> Any:
    host = PluginHost()
    return CliRunner().invoke(build_cli(host), list(args), obj={"host": host})


def _groups_of_board(document: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    return {
        (board["task"], row["model"], metric): score["tie_group"]
        for board in document["tasks"]
        for row in board["rows"]
        for metric, score in row["metrics"].items()
    }


def _groups_of_run(results: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    return {
        (cell["task"], cell["model"], metric): score.get("tie_group")
        for cell in results["cells"]
        for metric, score in cell["metrics"].items()
    }


def test_a_board_across_runs_has_the_tie_groups_of_one_run_holding_every_model(runs: dict[str, Path]) -> None:
    result = _invoke("leaderboard", str(runs["week1"]), str(runs["week2"]), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    together = nlpbench.open_run(runs["all"])
    assert _groups_of_board(document) == _groups_of_run(together.results)
    assert len(set(_groups_of_board(document).values())) > 1  # the test means something: not all one group
    # the same ranking too, and each model's run is named
    for board in document["tasks"]:
        single = together.leaderboard(board["task"])
        assert [r["model"] for r in board["rows"]] == [r["model"] for r in single.rows]
        assert {r["model"]: r["run"] for r in board["rows"]} == {
            "wordlist": "week1",
            "small": "week1",
            "positive": "week2",
            "negative": "week2",
        }
    assert [run["label"] for run in document["runs"]] == ["week1", "week2"]


def test_run_compare_gives_the_comparisons_of_one_run(runs: dict[str, Path]) -> None:
    week1 = nlpbench.open_run(runs["week1"])
    entries = week1.compare(runs["week2"])
    together = nlpbench.open_run(runs["all"]).comparisons

    def key(entry: dict[str, Any]) -> tuple[str, str, frozenset[str]]:
        return (entry["task"], entry["metric"], frozenset((entry["a"], entry["b"])))

    def verdict(entry: dict[str, Any]) -> tuple[Any, ...]:
        return (entry["p_adjusted"], entry["better"], entry.get("family"))

    assert {key(e): verdict(e) for e in entries} == {key(e): verdict(e) for e in together}
    assert {e["task"] for e in entries} == {"reviews", "reviews-40"}  # not week 2's extra task


def test_a_task_not_in_every_run_is_left_out_with_a_note(runs: dict[str, Path]) -> None:
    result = _invoke("leaderboard", str(runs["week1"]), str(runs["week2"]))
    assert result.exit_code == 0
    assert "note: week2: extra not in every run; left out" in result.stderr
    assert "extra" not in result.stdout
    assert result.stdout.splitlines()[:2] == ["week1: small, wordlist", "week2: negative, positive"]


def test_a_model_name_two_runs_use_is_told_apart(runs: dict[str, Path]) -> None:
    result = _invoke("leaderboard", str(runs["week1"]), str(runs["all"]), "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["tasks"][0]["rows"]
    models = {row["model"]: row["run"] for row in rows}
    assert models["week1/wordlist"] == "week1" and models["all/wordlist"] == "all"
    assert models["positive"] == "all"  # a name only one run uses stays as it is


@pytest.mark.parametrize("output", ["table", "markdown", "csv", "json"])
def test_every_format_parses(runs: dict[str, Path], output: str) -> None:
    result = _invoke("leaderboard", str(runs["week1"]), str(runs["week2"]), "--format", output)
    assert result.exit_code == 0, result.output
    text = result.stdout
    if output == "json":
        assert {board["task"] for board in json.loads(text)["tasks"]} == {"reviews", "reviews-40"}
    elif output == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert tuple(rows[0]) == CSV_COLUMNS
        assert len(rows) == 4 * 2 * 2  # models × tasks × metrics
        assert {float(row["value"]) for row in rows if row["model"] == "positive" and row["metric"] == "accuracy"}
    elif output == "markdown":
        tables = [line for line in text.splitlines() if line.startswith("|")]
        assert len(tables) == 2 * (2 + 4)  # per task: header, rule and a row per model
        assert {line.count("|") for line in tables} == {tables[0].count("|")}
        assert "| run |" in tables[0] and "### reviews-40" in text
    else:
        assert "tie: groups by accuracy" in text and "wordlist" in text


def test_one_run_prints_its_own_board_in_every_format(runs: dict[str, Path]) -> None:
    document = json.loads(_invoke("leaderboard", str(runs["all"]), "--format", "json").stdout)
    assert _groups_of_board(document) == _groups_of_run(nlpbench.open_run(runs["all"]).results)
    assert document["runs"] == [{"label": "all", "path": str(runs["all"])}]


def test_a_folder_that_is_not_a_run_is_one_line_and_exit_2(runs: dict[str, Path], tmp_path: Path) -> None:
    result = _invoke("leaderboard", str(runs["week1"]), str(tmp_path), "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"Error: {tmp_path}: not a run folder (no results.json)\n"
