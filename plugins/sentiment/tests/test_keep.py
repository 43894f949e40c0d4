"""``data.keep``: extra columns (a group label) that each example carries in its fields."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, DataError, TaskSpec
from nlpbench_sentiment import SentimentTask

Write = Callable[[str, str], Path]

DEV = "sentence\tlabel\tgender\nA fine film.\t1\tfemale\nA dull film.\t0\tmale\nAn odd film.\t1\t\n"


def make(base: Path, data: dict[str, Any]) -> SentimentTask:
    return SentimentTask(TaskSpec(name="s", type="sentiment", data=data, base_dir=base))


def test_a_group_column_reaches_the_fields(write: Write) -> None:
    base = write("dev.tsv", DEV).parent
    task = make(base, {"path": "dev.tsv", "text": "sentence", "label": "label", "keep": ["gender"]})
    examples = task.examples()
    assert [e.fields["gender"] for e in examples] == ["female", "male", None]  # an empty label is None
    assert examples[0].fields["text"] == "A fine film." and examples[0].fields["label"] == "positive"


def test_a_mapping_names_the_field(write: Write) -> None:
    base = write("dev.tsv", DEV).parent
    task = make(base, {"path": "dev.tsv", "text": "sentence", "label": "label", "keep": {"group": "gender"}})
    assert [e.fields["group"] for e in task.examples()] == ["female", "male", None]
    assert all("gender" not in e.fields for e in task.examples())


def test_the_built_in_sample_honours_keep() -> None:
    task = SentimentTask(TaskSpec(name="s", type="sentiment", data={"keep": {"sample_id": "id"}}))
    examples = task.examples()
    assert len(examples) == 60
    assert all(e.fields["sample_id"] == e.id for e in examples)


def test_a_train_file_without_the_kept_column_works(write: Write) -> None:
    write("dev.tsv", DEV)
    base = write("train.tsv", "sentence\tlabel\nLovely.\t1\nAwful.\t0\n").parent
    data = {"path": "dev.tsv", "train": "train.tsv", "text": "sentence", "label": "label", "keep": ["gender"]}
    task = make(base, data)
    train = task.train_examples()
    assert [e.input for e in train] == ["Lovely.", "Awful."]
    assert all("gender" not in e.fields for e in train)
    assert task.examples()[1].fields["gender"] == "male"


def test_a_row_without_the_kept_column_names_its_file_and_line(write: Write) -> None:
    path = write(
        "dev.jsonl", '{"text": "Fine.", "label": "positive", "gender": "f"}\n{"text": "Dull.", "label": "negative"}\n'
    )
    task = make(path.parent, {"path": "dev.jsonl", "text": "text", "label": "label", "keep": ["gender"]})
    with pytest.raises(DataError, match=rf"^{path}:2: column 'gender' \(mapped by data\.keep\.gender\) is missing"):
        task.examples()


def test_keep_may_not_overwrite_the_text_or_label(write: Write) -> None:
    base = write("dev.tsv", DEV).parent
    with pytest.raises(ConfigError, match=r"^data\.keep: 'label' is a field the task fills itself"):
        make(base, {"path": "dev.tsv", "text": "sentence", "label": "label", "keep": {"label": "gender"}})


def test_hf_rows_keep_their_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("datasets")
    for name, value in (("HF_HOME", tmp_path / "hf-home"), ("HF_DATASETS_CACHE", tmp_path / "hf-cache")):
        monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    rows = [
        {"sentence": "a fine film .", "label": 1, "meta": {"gender": "female"}},
        {"sentence": "dull .", "label": 0, "meta": {"gender": "male"}},
    ]
    (tmp_path / "dev.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    data = {"hub": "json", "data_files": "dev.jsonl", "split": "train", "text": "sentence", "label": "label",
            "label_names": {0: "negative", 1: "positive"}, "keep": {"group": "meta.gender"}}  # fmt: skip
    assert [e.fields["group"] for e in make(tmp_path, data).examples()] == ["female", "male"]
