"""HF datasets through ``data.hub``: a ``save_to_disk`` folder and the ``json`` builder, offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nlpbench import DataError, TaskSpec
from nlpbench_sentiment import SentimentTask

ROWS = [{"sentence": "a fine film .", "label": 1, "idx": 0}, {"sentence": "dull .", "label": 0, "idx": 1}]
TRAIN = [{"sentence": f"review {i} .", "label": i % 2, "idx": i} for i in range(6)]
NAMES = {0: "negative", 1: "positive"}


@pytest.fixture
def offline_hf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")


def make(base: Path, data: dict[str, Any], params: dict[str, Any] | None = None) -> SentimentTask:
    return SentimentTask(TaskSpec(name="s", type="sentiment", data=data, params=params or {}, base_dir=base))


def test_a_dataset_saved_to_disk_with_int_labels_named(tmp_path: Path, offline_hf: None) -> None:
    import datasets

    splits = datasets.DatasetDict(
        {"validation": datasets.Dataset.from_list(ROWS), "train": datasets.Dataset.from_list(TRAIN)}
    )
    splits.save_to_disk(str(tmp_path / "sst2"))
    data = {"hub": "sst2", "split": "validation", "train_split": "train", "text": "sentence", "label": "label",
            "id": "idx", "label_names": NAMES}  # fmt: skip
    task = make(tmp_path, data, {"shots": 2})
    assert [(e.id, e.input, e.references) for e in task.examples()] == [
        ("0", "a fine film .", ("positive",)),
        ("1", "dull .", ("negative",)),
    ]
    assert task.labels == ("negative", "positive")
    assert [e.references[0] for e in task.train_examples()] == ["negative", "positive"] * 3
    (request,) = task.build_requests(task.examples()[0], "generate")
    assert request.prompt.count("Review: review ") == 2 and request.prompt.endswith(  # type: ignore[union-attr]
        "Review: a fine film .\nSentiment:"
    )
    assert task.describe()["data"] == {"hub": "sst2", "split": "validation"}
    assert task.describe()["train"] == {"hub": "sst2", "split": "train"}


def test_the_json_builder_with_data_files(tmp_path: Path, offline_hf: None) -> None:
    (tmp_path / "dev.jsonl").write_text("".join(json.dumps(row) + "\n" for row in ROWS), encoding="utf-8")
    data = {"hub": "json", "data_files": "dev.jsonl", "split": "train", "text": "sentence", "label": "label"}
    task = make(tmp_path, data)
    assert [(e.id, e.references[0]) for e in task.examples()] == [("train-1", "positive"), ("train-2", "negative")]
    with pytest.raises(Exception, match=r"no train split: set data\.train_split"):
        task.train_examples()


def test_a_bad_row_in_a_dataset_names_it_and_the_row(tmp_path: Path, offline_hf: None) -> None:
    rows = [*ROWS, {"sentence": "unlabelled .", "label": -1, "idx": 2}]
    (tmp_path / "test.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    data = {"hub": "json", "data_files": "test.jsonl", "split": "train", "text": "sentence", "label": "label",
            "label_names": NAMES}  # fmt: skip
    with pytest.raises(DataError, match=r"^hf:json\[train\]:3: label '-1' is not in data.label_names \('0', '1'\)$"):
        make(tmp_path, data).examples()
