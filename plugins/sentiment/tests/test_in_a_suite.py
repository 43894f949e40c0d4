"""The sentiment task in whole suites, on the kit's tiny model, every strategy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import nlpbench_metrics.plugin
from nlpbench_sentiment import plugin

STRATEGIES = ["classify", "loglikelihood", "generate", "encode"]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_each_strategy_runs_end_to_end(nlpbench_run: Any, strategy: str) -> None:
    suite = {
        "name": "sentiment",
        "models": [{"name": "tiny", "type": "tiny", "params": {"capabilities": [strategy]}}],
        "tasks": [{"name": "sample", "type": "sentiment", "limit": 12}],
    }
    run = nlpbench_run(suite, plugins=[plugin, nlpbench_metrics.plugin])
    cell = run.cell("tiny", "sample")
    assert cell["status"] == "ok", cell
    assert cell["strategy"] == strategy and cell["n"] == 12
    assert set(cell["metrics"]) == {"accuracy", "macro-f1", "mcc"}
    assert all(s["prediction"] in ("positive", "negative", None) for s in run.samples)
    if strategy in ("loglikelihood", "generate"):
        assert "Sentiment:" in run.samples[0]["prompt"]


def test_a_local_file_with_mapped_columns(nlpbench_run: Any) -> None:
    files = {"reviews.csv": 'review,stars\n"A good, kind film",1\nDull and grey,0\nGood fun,1\n'}
    suite = {
        "name": "csv",
        "models": [{"name": "tiny", "type": "tiny"}],
        "tasks": [
            {"name": "csv", "type": "sentiment", "data": {"path": "reviews.csv", "text": "review", "label": "stars"}}
        ],
    }
    run = nlpbench_run(suite, plugins=[plugin, nlpbench_metrics.plugin], files=files)
    cell = run.cell("tiny", "csv")
    assert cell["status"] == "ok" and cell["n"] == 3
    assert cell["metrics"]["accuracy"]["value"] == 1.0
    assert [s["references"] for s in run.samples] == [["positive"], ["negative"], ["positive"]]


def test_a_row_missing_its_column_stops_the_run_with_file_and_line(nlpbench_run: Any) -> None:
    from nlpbench import DataError

    files = {"reviews.jsonl": '{"text": "good", "label": "positive"}\n{"text": "bad"}\n'}
    suite = {
        "name": "bad-row",
        "models": [{"name": "tiny", "type": "tiny"}],
        "tasks": [
            {"name": "t", "type": "sentiment", "data": {"path": "reviews.jsonl", "text": "text", "label": "label"}}
        ],
    }
    with pytest.raises(DataError, match=r"reviews\.jsonl:2: column 'label'"):
        nlpbench_run(suite, plugins=[plugin, nlpbench_metrics.plugin], files=files)


def test_few_shot_prompts_and_task_info_in_a_suite(nlpbench_run: Any) -> None:
    files = {
        "dev.tsv": "sentence\tlabel\nA fine film.\t1\nA dull film.\t0\n",
        "train.tsv": "sentence\tlabel\nLovely.\t1\nAwful.\t0\nGreat fun.\t1\n",
    }
    suite = {
        "name": "shots",
        "models": [{"name": "tiny", "type": "tiny", "params": {"capabilities": ["generate"]}}],
        "tasks": [{"name": "t", "type": "sentiment", "params": {"shots": 2},
                   "data": {"path": "dev.tsv", "text": "sentence", "label": "label", "train": "train.tsv"}}],
    }  # fmt: skip
    run = nlpbench_run(suite, plugins=[plugin, nlpbench_metrics.plugin], files=files)
    cell = run.cell("tiny", "t")
    assert cell["status"] == "ok" and cell["n"] == 2
    assert all(s["prompt"].count("\nSentiment: ") == 2 for s in run.samples)  # two shots, each with its word
    assert cell["task_info"]["prompt"]["shots"] == 2
    assert cell["task_info"]["data"]["path"].endswith("dev.tsv")


def test_a_bad_data_file_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "dev.jsonl").write_text('{"text": "good", "label": 1}\n{"text": "odd", "label": 7}\n', encoding="utf-8")
    (tmp_path / "suite.yaml").write_text(
        "name: bad\nmodels: [{name: m, type: majority, params: {label: positive}}]\n"
        "tasks: [{name: t, type: sentiment, data: {path: dev.jsonl, text: text, label: label}}]\n",
        encoding="utf-8",
    )
    nlpbench = Path(sys.executable).parent / "nlpbench"
    done = subprocess.run(
        [str(nlpbench), "run", "suite.yaml", "--out", "run"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"{tmp_path / 'dev.jsonl'}:2: label '7' is a number" in lines[0]
