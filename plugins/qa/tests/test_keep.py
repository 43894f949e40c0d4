"""``data.keep``: extra columns (a group label) that each question carries in its fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, DataError, TaskSpec
from nlpbench_qa import QATask

ROWS = [
    {"id": "q1", "context": "Ada wrote the notes.", "question": "Who wrote?", "answers": ["Ada"], "gender": "female"},
    {"id": "q2", "context": "Bo ran.", "question": "Who ran?", "answers": ["Bo"], "gender": ""},
]


def make(base: Path, data: dict[str, Any]) -> QATask:
    return QATask(TaskSpec(name="qa", type="qa", data=data, base_dir=base))


def test_a_kept_column_of_flat_rows_reaches_the_fields(tmp_path: Path) -> None:
    (tmp_path / "dev.jsonl").write_text("".join(json.dumps(row) + "\n" for row in ROWS), encoding="utf-8")
    examples = make(tmp_path, {"path": "dev.jsonl", "keep": {"group": "gender"}}).examples()
    assert [e.fields["group"] for e in examples] == ["female", None]
    assert examples[0].fields["context"] == "Ada wrote the notes." and examples[0].fields["answers"] == ["Ada"]


def test_squad_json_keeps_keys_of_each_question_object(tmp_path: Path) -> None:
    qas = [
        {"id": "a", "question": "Who?", "answers": [{"text": "Ada", "answer_start": 0}], "meta": {"gender": "f"}},
        {"id": "b", "question": "Who ran?", "answers": [{"text": "Ada", "answer_start": 0}]},
    ]
    document = {"version": "1.1", "data": [{"title": "T", "paragraphs": [{"context": "Ada ran.", "qas": qas}]}]}
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    task = make(tmp_path, {"path": "dev.json", "keep": {"group": "meta.gender"}})
    with pytest.raises(DataError) as error:
        task.examples()
    assert str(error.value).startswith(
        f"{path}: question 'b' (data[0].paragraphs[0].qas[1]): data.keep.group: the question has no 'meta.gender'"
    )
    qas[1]["meta"] = {"gender": "m"}
    path.write_text(json.dumps(document), encoding="utf-8")
    examples = make(tmp_path, {"path": "dev.json", "keep": {"group": "meta.gender"}}).examples()
    assert [e.fields["group"] for e in examples] == ["f", "m"]


def test_the_built_in_sample_honours_keep() -> None:
    examples = QATask(TaskSpec(name="qa", type="qa", data={"keep": {"qid": "id"}})).examples()
    assert all(e.fields["qid"] == e.id for e in examples)


def test_a_train_file_need_not_carry_the_kept_column(tmp_path: Path) -> None:
    (tmp_path / "dev.jsonl").write_text("".join(json.dumps(row) + "\n" for row in ROWS), encoding="utf-8")
    train = [{k: v for k, v in row.items() if k != "gender"} for row in ROWS]
    (tmp_path / "train.jsonl").write_text("".join(json.dumps(row) + "\n" for row in train), encoding="utf-8")
    task = make(tmp_path, {"path": "dev.jsonl", "train": "train.jsonl", "keep": ["gender"]})
    assert [e.id for e in task.train_examples()] == ["q1", "q2"]
    assert task.examples()[0].fields["gender"] == "female"


@pytest.mark.parametrize("name", ["context", "answers", "answer_starts", "title"])
def test_keep_may_not_overwrite_a_field_of_the_question(name: str) -> None:
    with pytest.raises(ConfigError, match=rf"^data\.keep: '{name}' is a field the task fills itself"):
        QATask.check_spec(TaskSpec(name="qa", type="qa", data={"keep": {name: "gender"}}))
