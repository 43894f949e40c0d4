"""The suite entry, checked before anything loads: one ConfigError line naming the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, TaskSpec
from nlpbench_summarization import SummarizationTask


def check(data: dict[str, Any] | None = None, params: dict[str, Any] | None = None) -> None:
    spec = TaskSpec(name="s", type="summarization", data=data or {}, params=params or {})
    SummarizationTask.check_spec(spec)
    SummarizationTask(spec)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"path": "n.jsonl", "documnet": "article"}, "data: unknown key 'documnet' (did you mean 'document'?)"),
        ({"document": "article"}, "data.document needs data.path (a file) or data.hub (an HF dataset)"),
        ({"id": "id"}, "data.id needs data.path or data.hub: the built-in sample has its own ids"),
        ({"path": "n.jsonl", "id": 3}, "data.id must be a column name, not 3"),
        ({"path": "n.jsonl", "sentence_split": "yes"}, "data.sentence_split must be true or false, not 'yes'"),
        ({"path": "n.jsonl", "summary": ""}, "data.summary must be a non-empty string"),
        ({"hub": "cnn_dailymail", "config": "3.0.0"}, "data.split is required with data.hub"),
    ],
)  # fmt: skip
def test_bad_data(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        check(data)
    assert message in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"max_word": 50}, "params.max_word: unknown option (did you mean 'max_words'?)"),
        ({"min_words": 5}, "params.min_words: unknown option (did you mean 'max_words'?)"),
        ({"max_words": 0}, "params.max_words: must be at least 1, not 0"),
        ({"max_input_words": 1.5}, "params.max_input_words: must be a whole number, not 1.5"),
        ({"max_input_chars": True}, "params.max_input_chars: must be a whole number, not True"),
        ({"max_new_tokens": -3}, "params.max_new_tokens: must be at least 1, not -3"),
        ({"max_new_tokens": 10**8}, "params.max_new_tokens: must be at most 32768, not 100000000"),
        ({"prompt": "{{ article }}"}, "params.prompt: unknown variable 'article'; a template may use document, shots"),
        ({"prompt": {"gpt": "{{ document }} TL;DR:"}, "shots": 1}, None),
        ({"prompt": "{{ document }}", "shots": 1}, "params.shots: 1 shots, but no template of params.prompt shows them"),
        ({"shots": "2"}, "params.shots: must be a whole number, not '2'"),
    ],
)  # fmt: skip
def test_bad_params(params: dict[str, Any], message: str | None) -> None:
    if message is None:  # the default template still shows shots for the other models
        check(params=params)
        return
    with pytest.raises(ConfigError) as raised:
        check(params=params)
    assert message in str(raised.value)


def test_shots_need_a_train_split_and_the_train_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"params.shots: 1 shots need a train split"):
        SummarizationTask.check_spec(TaskSpec(name="s", type="summarization", data={"path": "n.jsonl"}, params={"shots": 1}))  # fmt: skip
    spec = TaskSpec(name="s", type="summarization", data={"path": "n.jsonl", "train": "t.jsonl"}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match=rf"^data.train: {tmp_path / 't.jsonl'}: no such file$"):
        SummarizationTask.check_spec(spec)


def test_good_entries() -> None:
    check()
    check({"sentence_split": True}, {"shots": 2, "max_words": 60, "max_input_words": 400, "max_input_chars": 3000})
    task = SummarizationTask(TaskSpec(name="s", type="summarization",
                                      data={"path": "n.jsonl", "document": "article", "summary": "highlights", "id": "id"}))  # fmt: skip
    assert (task.data.id_column, task.data.rows.columns) == ("id", {"document": "article", "summary": "highlights"})
    assert (task.params.max_new_tokens, task.params.max_words, task.params.shots) == (128, None, 0)
