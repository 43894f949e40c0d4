"""``data.keep``: extra columns (a group label) that each text carries in its fields; rows only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlpbench import ConfigError, TaskSpec
from nlpbench_lm import LanguageModelingTask


def test_a_kept_column_of_rows_reaches_the_fields(tmp_path: Path) -> None:
    rows = [
        {"text": "She sang.", "dialect": "scots"},
        {"text": "  ", "dialect": "x"},
        {"text": "He ran.", "dialect": ""},
    ]
    (tmp_path / "dev.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    data = {"path": "dev.jsonl", "keep": {"group": "dialect"}}
    examples = LanguageModelingTask(
        TaskSpec(name="lm", type="language-modeling", data=data, base_dir=tmp_path)
    ).examples()
    assert [(e.input, e.fields["group"], e.fields["line"]) for e in examples] == [
        ("She sang.", "scots", 1),
        ("He ran.", None, 3),
    ]


@pytest.mark.parametrize(
    ("data", "what"),
    [
        ({"path": "corpus.txt", "keep": ["gender"]}, "a plain-text file has"),
        ({"keep": ["gender"]}, "the built-in sample is"),
    ],
)
def test_plain_text_has_no_columns_to_keep(tmp_path: Path, data: dict[str, object], what: str) -> None:
    with pytest.raises(ConfigError, match=rf"^data\.keep needs rows with columns .*; {what} no columns to keep$"):
        LanguageModelingTask.check_spec(TaskSpec(name="lm", type="language-modeling", data=data, base_dir=tmp_path))


def test_keep_may_not_overwrite_the_line() -> None:
    data = {"path": "x.jsonl", "keep": {"line": "n"}}
    with pytest.raises(ConfigError, match=r"^data\.keep: 'line' is a field the task fills itself"):
        LanguageModelingTask.check_spec(TaskSpec(name="lm", type="language-modeling", data=data))
