"""The task on its own: examples, requests, predictions (what words and bytes count), describe()."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from nlpbench import (
    DataError,
    Example,
    Loglikelihood,
    LoglikelihoodRequest,
    LoglikelihoodRollingRequest,
    TaskError,
    TaskSpec,
)
from nlpbench_lm import LanguageModelingTask
from nlpbench_lm.task import CONVENTION


def task(
    tmp_path: Path, data: dict[str, Any] | None = None, params: dict[str, Any] | None = None
) -> LanguageModelingTask:
    return LanguageModelingTask(
        TaskSpec(name="lm", type="language-modeling", data=data or {}, params=params or {}, base_dir=tmp_path)
    )


def test_requests_for_each_strategy(tmp_path: Path) -> None:
    example = Example("x-1", "Some text.", ())
    assert task(tmp_path, params={"stride": 7}).build_requests(example, "loglikelihood_rolling") == [
        LoglikelihoodRollingRequest("Some text.", stride=7)
    ]
    assert task(tmp_path).build_requests(example, "loglikelihood_rolling") == [
        LoglikelihoodRollingRequest("Some text.")
    ]
    assert task(tmp_path).build_requests(example, "loglikelihood") == [LoglikelihoodRequest("", "Some text.")]
    with pytest.raises(TaskError, match="no strategy 'generate'"):
        task(tmp_path).build_requests(example, "generate")


def test_words_are_whitespace_words_of_the_original_text_and_bytes_are_utf8(tmp_path: Path) -> None:
    text = "  Café — naïve\tcoöperation\u00a0of 東京 \n"
    prediction = task(tmp_path).process_answers(
        Example("x", text, ()), "loglikelihood_rolling", [Loglikelihood(logprob=-20.5, n_tokens=17)]
    )
    assert prediction == {"logprob": -20.5, "tokens": 17, "words": 6, "bytes": 44}
    assert prediction["words"] == len(
        ["Café", "—", "naïve", "coöperation", "of", "東京"]
    )  # a no-break space splits too
    # 2 spaces, Café 5, space, — 3, space, naïve 6, tab, coöperation 12, no-break space 2, of 2, space, 東京 6, space, newline
    assert 2 + 5 + 1 + 3 + 1 + 6 + 1 + 12 + 2 + 2 + 1 + 6 + 1 + 1 == 44
    assert prediction["bytes"] == len(text.encode("utf-8")) > len(text)
    # regression: lm-evaluation-harness counts len(re.split(r"\s+", text)), which counts
    # the empty strings before leading and after trailing whitespace as words
    assert len(re.split(r"\s+", text)) == prediction["words"] + 2


def test_a_wikitext_style_heading_counts_its_words(tmp_path: Path) -> None:
    prediction = task(tmp_path).process_answers(
        Example("x", " = Robert <unk> = ", ()), "loglikelihood", [Loglikelihood(logprob=-3.0, n_tokens=6)]
    )
    assert (prediction["words"], prediction["bytes"]) == (4, 18)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([], "expected 1 answer, got 0"),
        ([Loglikelihood(-1.0, n_tokens=1)] * 2, "expected 1 answer, got 2"),
        ([Loglikelihood(math.nan, n_tokens=1)], "expected a log-probability"),
        ([Loglikelihood(0.5, n_tokens=1)], "expected a log-probability"),
        (["-3.0"], "expected a log-probability"),
        ([Loglikelihood(-1.0, n_tokens=-1)], "expected the number of tokens scored"),
    ],
)
def test_bad_answers_are_task_errors(tmp_path: Path, answers: list[Any], message: str) -> None:
    with pytest.raises(TaskError, match=message):
        task(tmp_path).process_answers(Example("x", "text", ()), "loglikelihood_rolling", answers)


def test_a_text_file_by_unit(tmp_path: Path) -> None:
    (tmp_path / "corpus.txt").write_text("One line.\nTwo lines.\n\nThree.\n", encoding="utf-8")
    by_unit = {
        unit: [(e.id, e.input) for e in task(tmp_path, {"path": "corpus.txt", "unit": unit}).examples()]
        for unit in ("paragraph", "line", "file")
    }
    assert by_unit == {
        "paragraph": [("corpus-1", "One line.\nTwo lines."), ("corpus-4", "Three.")],
        "line": [("corpus-1", "One line."), ("corpus-2", "Two lines."), ("corpus-4", "Three.")],
        "file": [("corpus", "One line.\nTwo lines.\n\nThree.\n")],
    }
    (example,) = task(tmp_path, {"path": "corpus.txt", "unit": "file"}).examples()
    assert example.references == () and example.fields == {"text": example.input, "line": 1}


def test_jsonl_csv_and_tsv_rows_with_a_mapped_column(tmp_path: Path) -> None:
    records = [{"doc": "d1", "body": "First text."}, {"doc": "d2", "body": "Second, with a comma."}]
    (tmp_path / "texts.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    (tmp_path / "texts.csv").write_text('doc,body\nd1,First text.\nd2,"Second, with a comma."\n', encoding="utf-8")
    (tmp_path / "texts.tsv").write_text("doc\tbody\nd1\tFirst text.\nd2\tSecond, with a comma.\n", encoding="utf-8")
    for name in ("texts.jsonl", "texts.csv", "texts.tsv"):
        examples = task(tmp_path, {"path": name, "text": "body", "id": "doc"}).examples()
        assert [(e.id, e.input) for e in examples] == [("d1", "First text."), ("d2", "Second, with a comma.")]
    without_ids = task(tmp_path, {"path": "texts.jsonl", "text": "body"}).examples()
    assert [e.id for e in without_ids] == ["texts-1", "texts-2"]


def test_a_saved_hf_dataset_with_a_mapped_column(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    rows = [{"page": " = Title = "}, {"page": ""}, {"page": " Body text .\n"}]
    datasets.DatasetDict({"test": datasets.Dataset.from_list(rows)}).save_to_disk(str(tmp_path / "wiki"))
    lm = task(tmp_path, {"hub": "wiki", "split": "test", "text": "page"})
    assert [(e.id, e.input) for e in lm.examples()] == [("test-1", " = Title = "), ("test-3", " Body text .\n")]
    assert lm.describe()["empty_rows_skipped"] == 1
    assert lm.describe()["unit"] == "row"


@pytest.mark.parametrize(
    ("name", "content", "data", "message"),
    [
        ("empty.txt", b"", {}, r"empty.txt: no text in the file$"),
        ("latin1.txt", b"ok\nna\xefve\n", {}, r"latin1.txt:2: not UTF-8 text \(byte 0xef at byte offset 5\)"),
        (
            "rows.jsonl",
            b'{"text": "fine"}\n{"body": "no text"}\n',
            {},
            r"rows.jsonl:2: column 'text' \(mapped by data.text\) is missing",
        ),
        ("rows.jsonl", b'{"text": "fine"}\n{"text": "oops"\n', {}, r"rows.jsonl:2: invalid JSON"),
        ("empty.jsonl", b"\n", {}, r"empty.jsonl: no examples in the file"),
    ],
)
def test_bad_data_is_one_line_naming_the_file(
    tmp_path: Path, name: str, content: bytes, data: dict[str, Any], message: str
) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(DataError, match=message) as error:
        task(tmp_path, {"path": name, **data}).examples()
    assert "\n" not in str(error.value)


def test_describe_states_the_convention(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Text.\n", encoding="utf-8")
    facts = task(tmp_path, {"path": "a.txt", "unit": "line"}, {"stride": 32}).describe()
    assert facts["convention"] == CONVENTION
    assert CONVENTION.startswith("token-level perplexity = exp(-(sum of log-probabilities)/(sum of tokens))")
    assert (facts["unit"], facts["stride"], facts["data"]) == ("line", 32, {"path": str(tmp_path / "a.txt")})
    assert facts["texts"] == "each non-empty line is one text"
    assert "original text" in facts["words"] and "UTF-8" in facts["bytes"]
    json.dumps(facts)  # results.json must hold it
    sample = task(tmp_path).describe()
    assert (sample["unit"], sample["stride"], sample["data"]) == ("paragraph", "the model's default", "built-in sample")
