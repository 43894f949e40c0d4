"""The task's entry is checked before anything loads: data.unit, the columns, params.stride."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, DataError, TaskSpec
from nlpbench_lm import LanguageModelingTask
from nlpbench_lm.config import lm_config


def spec(data: dict[str, Any] | None = None, params: dict[str, Any] | None = None) -> TaskSpec:
    return TaskSpec(name="lm", type="language-modeling", data=data or {}, params=params or {}, base_dir=Path("/suite"))


def test_the_built_in_sample_is_cut_into_paragraphs_by_default() -> None:
    config = lm_config(spec())
    assert (config.data.source, config.unit, config.stride, config.id_column) == (None, "paragraph", None, None)
    assert lm_config(spec({"unit": "line"})).unit == "line"


@pytest.mark.parametrize("unit", ["paragraph", "line", "file"])
def test_a_text_file_takes_a_unit(unit: str) -> None:
    config = lm_config(spec({"path": "wiki.test.txt", "unit": unit}, {"stride": 256}))
    assert config.unit == unit and config.plain_text
    assert config.stride == 256
    assert config.data.source is not None and config.data.source.path == Path("/suite/wiki.test.txt")


def test_records_are_one_text_per_row() -> None:
    config = lm_config(spec({"path": "texts.jsonl", "text": "body", "id": "doc_id"}))
    assert (config.unit, config.data.columns["text"], config.id_column) == ("row", "body", "doc_id")
    assert not config.plain_text
    assert lm_config(spec({"path": "texts.csv"})).data.columns["text"] == "text"  # the default column
    assert lm_config(spec({"path": "notes", "format": "txt"})).unit == "paragraph"
    hub = lm_config(spec({"hub": "wikitext", "config": "wikitext-2-raw-v1", "split": "test"}))
    assert hub.unit == "row"


@pytest.mark.parametrize(
    ("data", "params", "message"),
    [
        (
            {"path": "a.txt", "unit": "sentence"},
            {},
            r"data.unit: unknown unit 'sentence'; known: paragraph, line, file",
        ),
        ({"path": "a.txt", "unit": "lines"}, {}, r"did you mean 'line'"),
        ({"path": "a.txt", "text": "body"}, {}, r"data.text names a column, and a plain-text file has none"),
        ({"id": "doc"}, {}, r"data.id names a column"),
        ({"path": "a.jsonl", "unit": "line"}, {}, r"data.unit applies to a plain-text file"),
        ({"hub": "wikitext", "split": "test", "unit": "file"}, {}, r"data.unit applies to a plain-text file"),
        ({"path": "a.txt", "unti": "line"}, {}, r"data: unknown key 'unti' \(did you mean 'unit'\?\)"),
        ({"path": "a.txt", "unit": 3}, {}, r"data.unit must be a non-empty string"),
        ({}, {"unit": "line"}, r"params: the unit is part of data: write params.unit as data.unit"),
        ({}, {"strid": 4}, r"params\.strid: unknown option \(did you mean 'stride'\?\)"),
        ({}, {"stride": 0}, r"params\.stride: must be at least 1, not 0"),
        ({}, {"stride": "8"}, r"params\.stride: must be a whole number, not '8'"),
        ({}, {"stride": True}, r"params\.stride: must be a whole number, not True"),
        ({}, {"stride": 2.5}, r"params\.stride: must be a whole number, not 2\.5"),
        ({}, {"stride": 10**9}, r"params\.stride: must be at most 1048576"),
    ],
)
def test_bad_entries_name_the_key(data: dict[str, Any], params: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        LanguageModelingTask.check_spec(spec(data, params))


def test_a_file_whose_format_cannot_be_told_is_a_data_error() -> None:
    with pytest.raises(DataError, match=r"set data\.format"):
        LanguageModelingTask.check_spec(spec({"path": "corpus.raw"}))
