"""``data.keep``: extra columns (a group label) that each document carries in its fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlpbench import ConfigError, DataError, TaskSpec
from nlpbench_summarization import SummarizationTask

ROWS = [
    {"article": "Ada won the race. It rained.", "highlights": "Ada won.", "topic": "sport"},
    {"article": "Prices rose. Shops were full.", "highlights": "Prices rose.", "topic": "economy"},
]


def test_a_kept_column_reaches_the_fields(tmp_path: Path) -> None:
    (tmp_path / "dev.jsonl").write_text("".join(json.dumps(row) + "\n" for row in ROWS), encoding="utf-8")
    train = {"article": "A cat sat. It slept.", "highlights": "A cat slept."}
    (tmp_path / "train.jsonl").write_text(json.dumps(train) + "\n", encoding="utf-8")
    data = {"path": "dev.jsonl", "train": "train.jsonl", "document": "article", "summary": "highlights",
            "keep": ["topic"]}  # fmt: skip
    task = SummarizationTask(TaskSpec(name="s", type="summarization", data=data, base_dir=tmp_path))
    examples = task.examples()
    assert [e.fields["topic"] for e in examples] == ["sport", "economy"]
    assert examples[0].fields["document"] == ROWS[0]["article"] and examples[0].fields["summaries"] == ["Ada won."]
    assert len(task.train_examples()) == 1  # the train split need not carry the column


def test_a_row_without_the_kept_column_names_its_file_and_line(tmp_path: Path) -> None:
    rows = [ROWS[0], {k: v for k, v in ROWS[1].items() if k != "topic"}]
    path = tmp_path / "dev.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    data = {"path": "dev.jsonl", "document": "article", "summary": "highlights", "keep": ["topic"]}
    task = SummarizationTask(TaskSpec(name="s", type="summarization", data=data, base_dir=tmp_path))
    with pytest.raises(DataError, match=rf"^{path}:2: column 'topic' \(mapped by data\.keep\.topic\) is missing"):
        task.examples()


def test_the_built_in_sample_honours_keep() -> None:
    task = SummarizationTask(TaskSpec(name="s", type="summarization", data={"keep": {"story": "id"}}))
    assert all(e.fields["story"] == e.id for e in task.examples())


def test_keep_may_not_overwrite_the_summaries() -> None:
    with pytest.raises(ConfigError, match=r"^data\.keep: 'summaries' is a field the task fills itself"):
        SummarizationTask.check_spec(TaskSpec(name="s", type="summarization", data={"keep": {"summaries": "x"}}))
