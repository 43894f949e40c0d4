"""The task's data and params, checked before anything loads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, TaskSpec
from nlpbench_qa import QATask


def _check(data: dict[str, Any] | None = None, params: dict[str, Any] | None = None) -> None:
    QATask.check_spec(TaskSpec(name="qa", type="qa", data=data or {}, params=params or {}, base_dir=Path(".")))


def test_good_entries_pass() -> None:
    _check()
    _check({"path": "dev.json", "train": "train.json"}, {"shots": 2, "max_new_tokens": 8, "no_answer": "no answer"})
    _check({"path": "dev.txt", "format": "squad"})
    _check({"hub": "squad_v2", "split": "validation", "train_split": "train"}, {"shots": 1})
    _check(
        params={"prompt": {"gpt": "Q: {{ question }}\nA:", "my-t5": "question: {{ question }} context: {{ context }}"}}
    )


@pytest.mark.parametrize(
    ("data", "params", "message"),
    [
        ({"path": "d.json", "questoin": "q"}, {}, "data: unknown key 'questoin' (did you mean 'question'?)"),
        ({"path": "d.json", "format": "xml"}, {}, "data.format must be one of squad, json, jsonl, csv, tsv, not 'xml'"),
        ({"question": "q"}, {}, "data.question needs data.path (a file) or data.hub"),
        ({"hub": "squad"}, {}, "data.split is required with data.hub"),
        ({}, {"shot": 1}, "params.shot: unknown option (did you mean 'shots'?)"),
        ({}, {"shots": 2}, "params.shots: 2 shots need a train split; set data.train (or data.train_split)"),
        ({}, {"shots": -1}, "params.shots: must be at least 0, not -1"),
        (
            {"path": "d.json", "train": "t.json"},
            {"shots": 1, "prompt": "Q: {{ question }}\nA:"},
            "params.shots: 1 shots, but no template of params.prompt shows them",
        ),
        ({}, {"max_new_tokens": 0}, "params.max_new_tokens: must be at least 1, not 0"),
        ({}, {"max_new_tokens": True}, "params.max_new_tokens: must be a whole number, not True"),
        ({}, {"max_new_tokens": 10**8}, "params.max_new_tokens: must be at most 32768, not 100000000"),
        ({}, {"shots": 10**6}, "params.shots: must be at most 2048, not 1000000"),
        ({}, {"no_answer": " "}, "params.no_answer: must be a non-empty phrase, not ' '"),
        ({}, {"prompt": "Q: {{ questoin }}"}, "params.prompt: unknown variable 'questoin' (did you mean 'question'?)"),
        ({}, {"prompt": {"gpt": "{{ answer }}"}}, "params.prompt.gpt: unknown variable 'answer'"),
        ({}, {"prompt": "{% for x in %}"}, "params.prompt: template error on its line 1"),
        ({}, {"prompt": 3}, "params.prompt: must be a string or a mapping, not 3"),
    ],
)
def test_bad_entries_name_the_key(data: dict[str, Any], params: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        _check(data, params)
    assert message in str(raised.value)
