from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, Loglikelihood, Task, TaskSpec
from nlpbench_sentiment import SentimentTask


def make(
    data: dict[str, Any] | None = None, params: dict[str, Any] | None = None, base: Path = Path(".")
) -> SentimentTask:
    return SentimentTask(TaskSpec(name="s", type="sentiment", data=data or {}, params=params or {}, base_dir=base))


def test_follows_the_protocol() -> None:
    task = make()
    assert isinstance(task, Task)
    assert SentimentTask.strategies == ("classify", "loglikelihood", "generate", "encode")
    assert SentimentTask.default_metrics == ("accuracy", "macro-f1", "mcc")
    assert (SentimentTask.__doc__ or "").startswith("Sentiment classification")


def test_sample_end_to_end_with_a_fake_model() -> None:
    task = make(params={"verbalizers": {"positive": "great", "negative": "terrible"}})
    predictions = []
    for example in task.examples():
        requests = task.build_requests(example, "loglikelihood")
        # a "model" that knows the answer: the right word gets the higher log-probability
        word = " great" if example.references[0] == "positive" else " terrible"
        answers = [Loglikelihood(-0.1 if r.continuation == word else -5.0) for r in requests]  # type: ignore[union-attr]
        predictions.append(task.process_answers(example, "loglikelihood", answers))
    assert predictions == [e.references[0] for e in task.examples()]


def test_each_strategy_answers_with_a_label() -> None:
    task = make()
    example = task.examples()[0]
    assert task.process_answers(example, "classify", [{"negative": 0.1, "positive": 0.9}]) == "positive"
    assert task.process_answers(example, "generate", [" negative"]) == "negative"
    assert task.process_answers(example, "generate", [""]) is None
    assert task.process_answers(example, "encode", [[1.0, 0.0], [0.0, 1.0], [1.0, 0.1]]) == "positive"


def test_a_rewritten_input_is_what_is_asked() -> None:
    from dataclasses import replace

    task = make()
    example = replace(task.examples()[0], input="She was wonderful.")
    (request,) = task.build_requests(example, "classify")
    assert request.text == "She was wonderful."  # type: ignore[union-attr]


def test_file_data_relative_to_the_suite(write: Callable[[str, str], Path]) -> None:
    path = write("r.csv", "t,l\nNice.,1\nBad.,0\nMeh.,1\n")
    task = make({"path": "r.csv", "text": "t", "label": "l"}, base=path.parent)
    assert task.labels == ("negative", "positive")
    assert [e.id for e in task.examples()] == ["r-2", "r-3", "r-4"]


def test_verbalizer_for_a_label_the_data_lacks(write: Callable[[str, str], Path]) -> None:
    path = write("r.csv", "t,l\nNice.,good\nBad.,bad\n")
    task = make({"path": str(path), "text": "t", "label": "l"}, {"verbalizers": {"positive": "nice"}})
    with pytest.raises(
        ConfigError, match=r"params.verbalizers: 'positive' is not a label of the task; labels: bad, good"
    ):
        task.examples()


def test_construction_checks_the_spec() -> None:
    with pytest.raises(ConfigError, match="unknown key 'lable'"):
        make({"path": "x.tsv", "text": "t", "lable": "l"})
