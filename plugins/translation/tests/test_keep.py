"""``data.keep``: extra columns (a group label) that each sentence pair carries in its fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, TaskSpec
from nlpbench_translation import TranslationTask

PAIR = {"source_lang": "de", "target_lang": "en"}


def make(base: Path, data: dict[str, Any]) -> TranslationTask:
    return TranslationTask(TaskSpec(name="t", type="translation", data=data, base_dir=base))


def test_a_kept_column_of_rows_reaches_the_fields(tmp_path: Path) -> None:
    rows = [{"de": "Sie liest.", "en": "She reads.", "speaker": {"gender": "female"}},
            {"de": "Er liest.", "en": "He reads.", "speaker": {"gender": "male"}}]  # fmt: skip
    (tmp_path / "dev.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    (tmp_path / "train.jsonl").write_text(json.dumps({"de": "Ja.", "en": "Yes."}) + "\n", encoding="utf-8")
    data = {"path": "dev.jsonl", "train": "train.jsonl", "source": "de", "reference": "en", **PAIR,
            "keep": {"group": "speaker.gender"}}  # fmt: skip
    task = make(tmp_path, data)
    examples = task.examples()
    assert [e.fields["group"] for e in examples] == ["female", "male"]
    assert examples[0].fields["source"] == "Sie liest." and examples[0].fields["references"] == ["She reads."]
    assert [e.input for e in task.train_examples()] == ["Ja."]  # the train split need not carry the column


def test_the_built_in_sample_honours_keep() -> None:
    examples = TranslationTask(TaskSpec(name="t", type="translation", data={"keep": {"pair": "id"}})).examples()
    assert len(examples) == 25 and all(e.fields["pair"] == e.id for e in examples)


def test_line_aligned_files_have_no_columns_to_keep(tmp_path: Path) -> None:
    data = {"source": "src.de", "references": "ref.en", **PAIR, "keep": ["gender"]}
    with pytest.raises(ConfigError, match=r"^data\.keep needs rows with columns \(data\.path or data\.hub\)"):
        TranslationTask.check_spec(TaskSpec(name="t", type="translation", data=data, base_dir=tmp_path))


def test_keep_may_not_overwrite_the_references() -> None:
    with pytest.raises(ConfigError, match=r"^data\.keep: 'references' is a field the task fills itself"):
        TranslationTask.check_spec(TaskSpec(name="t", type="translation", data={"keep": {"references": "x"}}))
