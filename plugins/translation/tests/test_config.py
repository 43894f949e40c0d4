"""The suite entry, checked before anything loads: one ConfigError line naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from nlpbench import ConfigError, TaskSpec
from nlpbench_translation import TranslationTask

PAIR = {"source_lang": "de", "target_lang": "en"}
LINES = {"source": "src.de", "references": ["ref.en"], **PAIR}


def check(data: dict[str, Any] | None = None, params: dict[str, Any] | None = None) -> None:
    spec = TaskSpec(name="t", type="translation", data=data or {}, params=params or {})
    TranslationTask.check_spec(spec)
    TranslationTask(spec)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"path": "p.jsonl", "target_lang": "en"}, "data.source_lang is required: the sources' language code, such as de or en"),
        ({"source": "s.de", "references": "r.en", "source_lang": "de"}, "data.target_lang is required: the translations' language code"),
        ({"path": "p.jsonl", "source_lang": "German", "target_lang": "en"}, "data.source_lang must be a language code such as de, en or zh-Hans, not 'German'"),
        ({"source_lang": "fr"}, "data.source_lang: the built-in sample is German→English (source_lang: de)"),
        ({"source": "s.de", **PAIR}, "data.references is required with data.source: line-aligned data needs both"),
        ({"references": ["r.en"], **PAIR}, "data.source is required with data.references"),
        ({"train_source": "t.de", "train_references": "t.en", **PAIR}, "data.source and data.references are required: the train split alone is no test set"),
        ({**LINES, "train_source": "t.de"}, "data.train_references is required with data.train_source"),
        ({**LINES, "path": "p.jsonl"}, "data: give data.path (rows with columns) or data.source and data.references (line-aligned files), not both"),
        ({**LINES, "train": "t.jsonl"}, "data.train does not apply to line-aligned files (data.source and data.references); give the train split as data.train_source and data.train_references"),
        ({**LINES, "id": "k"}, "data.id does not apply to line-aligned files"),
        ({**LINES, "reference": "x"}, "data: unknown key 'reference' (did you mean 'references'?)"),
        ({**LINES, "references": []}, "data.references must be a file or a list of files, not []"),
        ({**LINES, "references": ["r.en", 3]}, "data.references[1] must be a file, not 3"),
        ({"path": "p.jsonl", "refernce": "en", **PAIR}, "data: unknown key 'refernce' (did you mean 'reference'?)"),
        ({"path": "p.jsonl", "id": 3, **PAIR}, "data.id must be a column name, not 3"),
        ({"path": "p.jsonl", "source": "", **PAIR}, "data.source must be a non-empty string"),
        ({"hub": "wmt16", **PAIR}, "data.split is required with data.hub"),
    ],
)  # fmt: skip
def test_bad_data(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        check(data)
    assert message in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"shot": 2}, "params.shot: unknown option (did you mean 'shots'?)"),
        ({"shots": -1}, "params.shots: must be at least 0, not -1"),
        ({"shots": 10**6}, "params.shots: must be at most 2048, not 1000000"),
        ({"max_new_tokens": 0}, "params.max_new_tokens: must be at least 1, not 0"),
        ({"max_new_tokens": "64"}, "params.max_new_tokens: must be a whole number, not '64'"),
        ({"max_new_tokens": 1e8}, "params.max_new_tokens: must be a whole number, not 100000000.0"),
        ({"max_new_tokens": 10**8}, "params.max_new_tokens: must be at most 32768, not 100000000"),
        ({"prompt": "Translate: {{ sorce }}"}, "params.prompt: unknown variable 'sorce' (did you mean 'source'?)"),
        ({"prompt": {"t5": "{{ source }"}}, "params.prompt.t5: template error"),
        ({"prompt": "{{ source }}", "shots": 2}, "params.shots: 2 shots, but no template of params.prompt shows them"),
    ],
)  # fmt: skip
def test_bad_params(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        check(params=params)
    assert message in str(raised.value)


def test_shots_need_a_train_split() -> None:
    with pytest.raises(ConfigError, match=r"params.shots: 2 shots need a train split"):
        TranslationTask.check_spec(TaskSpec(name="t", type="translation", data={"path": "p.jsonl", **PAIR}, params={"shots": 2}))  # fmt: skip


def test_good_entries() -> None:
    check()
    check(PAIR, {"shots": 3, "max_new_tokens": 32, "prompt": {"t5": "translate to English: {{ source }}"}})
    data = {"path": "p.jsonl", "source": "de", "reference": "en", "id": "k", "train": "t.jsonl", "source_lang": "de-CH", "target_lang": "en"}  # fmt: skip
    # files are read when examples are asked for, not before
    task = TranslationTask(TaskSpec(name="t", type="translation", data=data))
    assert (task.data.source_lang, task.data.id_column, task.data.rows.columns) == ("de-CH", "k", {"source": "de", "reference": "en"})  # fmt: skip


def test_more_shots_than_the_train_split_has_is_found_with_the_examples() -> None:
    # the examples are what `nlpbench validate` and a run read first: before any model loads
    task = TranslationTask(TaskSpec(name="mt", type="translation", params={"shots": 2000}))
    with pytest.raises(ConfigError, match=r"params\.shots: 2000 shots need a train split of at least 2000 examples"):
        task.examples()
