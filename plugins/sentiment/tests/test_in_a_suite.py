"""The sentiment task in whole suites, on the kit's tiny model, every strategy."""

from __future__ import annotations

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
    assert set(cell["metrics"]) == {"accuracy", "macro-f1"}
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
