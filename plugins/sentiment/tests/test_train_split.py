"""``data.train``: the train split that ``nlpbench finetune`` learns from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import nlpbench_metrics.plugin
from nlpbench import ConfigError, DataError, TaskSpec
from nlpbench_sentiment import SentimentTask, plugin

DEV = "sentence\tlabel\nA fine film.\t1\nA dull film.\t0\n"
TRAIN = "sentence\tlabel\nLovely.\t1\nAwful.\t0\nGreat fun.\t1\n"


def make(data: dict[str, Any], base: Path) -> SentimentTask:
    return SentimentTask(TaskSpec(name="s", type="sentiment", data=data, base_dir=base))


def files(write: Callable[[str, str], Path], train: str = TRAIN) -> Path:
    write("dev.tsv", DEV)
    return write("train.tsv", train).parent


def test_the_train_split_is_read_with_the_same_columns(write: Callable[[str, str], Path]) -> None:
    base = files(write)
    task = make({"path": "dev.tsv", "text": "sentence", "label": "label", "train": "train.tsv"}, base)
    train = task.train_examples()
    assert [(e.id, e.input, e.references) for e in train] == [
        ("train-2", "Lovely.", ("positive",)),
        ("train-3", "Awful.", ("negative",)),
        ("train-4", "Great fun.", ("positive",)),
    ]
    assert [e.id for e in task.examples()] == ["dev-2", "dev-3"]  # the evaluation data is unchanged
    (request,) = task.build_requests(train[0], "classify")
    assert request.labels == ("negative", "positive")  # type: ignore[union-attr]


def test_the_built_in_sample_has_no_train_split() -> None:
    with pytest.raises(
        ConfigError, match=r"no train split: the built-in sample has none; set data\.path and data\.train"
    ):
        SentimentTask(TaskSpec(name="s", type="sentiment")).train_examples()


def test_a_file_without_data_train_has_no_train_split(write: Callable[[str, str], Path]) -> None:
    task = make({"path": "dev.tsv", "text": "sentence", "label": "label"}, files(write))
    with pytest.raises(
        ConfigError, match=r"no train split: set data\.train to a file with the same columns as data\.path"
    ):
        task.train_examples()


def test_a_train_label_the_task_does_not_have_is_a_data_error(write: Callable[[str, str], Path]) -> None:
    base = files(write, TRAIN + "So-so.\tneutral\n")
    task = make({"path": "dev.tsv", "text": "sentence", "label": "label", "train": "train.tsv"}, base)
    with pytest.raises(DataError, match=r"train\.tsv: example 'train-5' has the label 'neutral', which is not one of"):
        task.train_examples()
    named = make({"path": "dev.tsv", "text": "sentence", "label": "label", "train": "train.tsv",
                  "labels": ["negative", "positive", "neutral"]}, base)  # fmt: skip
    assert named.train_examples()[-1].references == ("neutral",)


def test_check_spec_wants_the_train_file_to_exist(write: Callable[[str, str], Path]) -> None:
    base = files(write)
    data = {"path": "dev.tsv", "text": "sentence", "label": "label", "train": "trian.tsv"}
    with pytest.raises(ConfigError, match=r"data.train: trian\.tsv: no such file"):
        SentimentTask.check_spec(TaskSpec(name="s", type="sentiment", data=data, base_dir=base))
    SentimentTask.check_spec(TaskSpec(name="s", type="sentiment", data={**data, "train": "train.tsv"}, base_dir=base))
    with pytest.raises(ConfigError, match=r"data\.train must be a non-empty string"):
        SentimentTask.check_spec(TaskSpec(name="s", type="sentiment", data={**data, "train": 3}, base_dir=base))


def test_a_suite_with_a_missing_train_file_fails_validation(nlpbench_run: Any) -> None:
    suite = {
        "name": "train",
        "models": [{"name": "tiny", "type": "tiny"}],
        "tasks": [{"name": "t", "type": "sentiment",
                   "data": {"path": "dev.tsv", "text": "sentence", "label": "label", "train": "nope.tsv"}}],
    }  # fmt: skip
    with pytest.raises(ConfigError, match=r"suite\.yaml:\d+: tasks\[0\]: data.train: nope\.tsv: no such file"):
        nlpbench_run(suite, plugins=[plugin, nlpbench_metrics.plugin], files={"dev.tsv": DEV})


def test_a_run_never_reads_the_train_file(nlpbench_run: Any) -> None:
    suite = {
        "name": "train",
        "models": [{"name": "tiny", "type": "tiny"}],
        "tasks": [{"name": "t", "type": "sentiment",
                   "data": {"path": "dev.tsv", "text": "sentence", "label": "label", "train": "train.tsv"}}],
    }  # fmt: skip
    run = nlpbench_run(suite, plugins=[plugin, nlpbench_metrics.plugin], files={"dev.tsv": DEV, "train.tsv": "x\n"})
    assert run.cell("tiny", "t")["status"] == "ok" and run.cell("tiny", "t")["n"] == 2


def test_more_shots_than_the_train_split_has_is_found_with_the_examples(write: Callable[[str, str], Path]) -> None:
    # the examples are what `nlpbench validate` and a run read first: before any model loads
    data = {"path": "dev.tsv", "text": "sentence", "label": "label", "train": "train.tsv"}
    task = SentimentTask(TaskSpec(name="s", type="sentiment", data=data, params={"shots": 4}, base_dir=files(write)))
    with pytest.raises(
        ConfigError, match=r"params\.shots: 4 shots need a train split of at least 4 examples; it has 3"
    ):
        task.examples()
    fits = SentimentTask(TaskSpec(name="s", type="sentiment", data=data, params={"shots": 3}, base_dir=files(write)))
    assert len(fits.examples()) == 2
