"""Flat rows (JSONL, CSV, TSV) with mapped columns, and HF datasets through data.hub."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, DataError
from nlpbench_qa import QATask

CONTEXT = "Agnes Pell kept the light at Marrow Point until 1968."


@pytest.mark.parametrize(
    ("answers", "references", "starts"),
    [
        (["Agnes Pell", "Pell"], ("Agnes Pell", "Pell"), [None, None]),
        ([{"text": "Agnes Pell", "answer_start": 0}], ("Agnes Pell",), [0]),
        ({"text": ["Agnes Pell", "1968"], "answer_start": [0, 48]}, ("Agnes Pell", "1968"), [0, 48]),
        ("Agnes Pell", ("Agnes Pell",), [None]),
        ([], (), []),
    ],
    ids=["strings", "objects", "hf-dict", "string", "no-answer"],
)
def test_jsonl_with_each_answers_shape(
    answers: Any,
    references: tuple[str, ...],
    starts: list[int | None],
    make_task: Callable[..., QATask],
    write_jsonl: Callable[[str, list[dict[str, Any]]], Path],
) -> None:
    write_jsonl("dev.jsonl", [{"context": CONTEXT, "question": "Who kept the light?", "answers": answers}])
    (example,) = make_task({"path": "dev.jsonl"}).examples()
    assert example.id == "dev-1"  # no id column: the file's name and the line
    assert example.input == "Who kept the light?"
    assert example.references == references
    assert example.fields["answer_starts"] == starts
    assert example.fields["context"] == CONTEXT and example.fields["title"] == ""


def test_mapped_columns_with_ids_and_titles(
    make_task: Callable[..., QATask], write_jsonl: Callable[[str, list[dict[str, Any]]], Path]
) -> None:
    rows = [
        {"qid": "x1", "passage": CONTEXT, "query": "When?", "gold": ["1968"], "doc": "Lights"},
        {"qid": "x2", "passage": CONTEXT, "query": "Where?", "gold": ["Marrow Point"], "doc": "Lights"},
    ]
    write_jsonl("dev.jsonl", rows)
    data = {
        "path": "dev.jsonl",
        "id": "qid",
        "context": "passage",
        "question": "query",
        "answers": "gold",
        "title": "doc",
    }
    examples = make_task(data).examples()
    assert [(e.id, e.input, e.references, e.fields["title"]) for e in examples] == [
        ("x1", "When?", ("1968",), "Lights"),
        ("x2", "Where?", ("Marrow Point",), "Lights"),
    ]


def test_csv_and_tsv(make_task: Callable[..., QATask], write: Callable[[str, str], Path]) -> None:
    write(
        "dev.csv",
        "id,context,question,answers\n"
        f'c1,"{CONTEXT}",Who kept the light?,Agnes Pell\n'
        f'c2,"{CONTEXT}",Until when?,"[""1968"", ""until 1968""]"\n'
        f'c3,"{CONTEXT}",Who built it?,[]\n',
    )
    examples = make_task({"path": "dev.csv"}).examples()
    assert [(e.id, e.references) for e in examples] == [
        ("c1", ("Agnes Pell",)),
        ("c2", ("1968", "until 1968")),
        ("c3", ()),
    ]
    write("dev.tsv", f"context\tquestion\tanswers\n{CONTEXT}\tWhere?\tMarrow Point\n")
    (example,) = make_task({"path": "dev.tsv"}).examples()
    assert (example.id, example.references) == ("dev-2", ("Marrow Point",))  # the header is line 1


@pytest.mark.parametrize(
    ("content", "data", "message"),
    [
        (
            '{"context": "c", "question": "q", "answers": ["a"]}\n{"context": "c", "question": \n',
            {},
            r"dev.jsonl:2: invalid JSON",
        ),
        (
            '{"context": "c", "query": "q", "answers": ["a"]}\n',
            {},
            r"dev.jsonl:1: column 'question' \(mapped by data.question\) is missing; columns: answers, context, query",
        ),
        (
            '{"context": "c", "question": "q", "answers": ["a"]}\n',
            {"question": "query"},
            r"dev.jsonl:1: column 'query' \(mapped by data.question\) is missing",
        ),
        (
            '{"context": "c", "question": "q", "answers": 7}\n',
            {},
            r"dev.jsonl:1: column 'answers' \(mapped by data.answers\) must hold the answers \(a list of strings, .*\), not int",
        ),
        (
            '{"context": "c", "question": "q", "answers": [{"txt": "a"}]}\n',
            {},
            r"dev.jsonl:1: column 'answers' \(mapped by data.answers\) answer 0 has no 'text'",
        ),
        (
            '{"context": "c", "question": "  ", "answers": ["a"]}\n',
            {},
            r"dev.jsonl:1: column 'question' \(mapped by data.question\) is empty",
        ),
        (
            '{"context": "c", "question": "q", "answers": ""}\n',
            {},
            r"dev.jsonl:1: column 'answers' \(mapped by data.answers\) is empty",
        ),
        (
            '{"context": ["c"], "question": "q", "answers": ["a"]}\n',
            {},
            r"dev.jsonl:1: column 'context' \(mapped by data.context\) must hold text, not list",
        ),
        (
            '{"context": "c", "question": "q", "answers": ["a"]}\n',
            {"id": "qid"},
            r"dev.jsonl:1: column 'qid' \(mapped by data.id\) is missing",
        ),
        (
            '{"id": 1, "context": "c", "question": "q", "answers": ["a"]}\n{"id": 1, "context": "c", "question": "r", "answers": ["a"]}\n',
            {},
            r"dev.jsonl:2: id '1' is already used on line 1",
        ),
    ],
    ids=[
        "malformed-line",
        "missing-column",
        "missing-mapped-column",
        "answers-type",
        "answer-object",
        "empty-question",
        "empty-answer",
        "context-type",
        "missing-id",
        "repeated-id",
    ],
)
def test_bad_rows_are_one_line_errors(
    content: str,
    data: dict[str, str],
    message: str,
    make_task: Callable[..., QATask],
    write: Callable[[str, str], Path],
) -> None:
    path = write("dev.jsonl", content)
    with pytest.raises(DataError, match=message) as raised:
        make_task({"path": "dev.jsonl", **data}).examples()
    assert str(raised.value).startswith(f"{path}:")
    assert "\n" not in str(raised.value)


def test_a_missing_file(make_task: Callable[..., QATask], tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nowhere.json: no such file"):
        make_task({"path": "nowhere.json"}).examples()


def test_a_train_file(
    make_task: Callable[..., QATask], write_jsonl: Callable[[str, list[dict[str, Any]]], Path]
) -> None:
    write_jsonl("dev.jsonl", [{"context": CONTEXT, "question": "Who?", "answers": ["Agnes Pell"]}])
    write_jsonl(
        "train.jsonl",
        [
            {"id": "t1", "context": CONTEXT, "question": "When?", "answers": ["1968"]},
            {"id": "t2", "context": CONTEXT, "question": "Why?", "answers": []},
            {
                "id": "t3",
                "context": CONTEXT,
                "question": "Where?",
                "answers": {"text": ["Marrow Point"], "answer_start": [29]},
            },
        ],
    )
    task = make_task({"path": "dev.jsonl", "train": "train.jsonl"})
    # fine-tuning learns from the questions that have an answer
    train = task.train_examples()
    assert [(e.id, e.references[0]) for e in train] == [("t1", "1968"), ("t3", "Marrow Point")]
    for example in train:  # what nlpbench finetune needs: one request per example, whatever the strategy
        assert len(task.build_requests(example, "extract_span")) == len(task.build_requests(example, "generate")) == 1


def test_no_train_split(
    make_task: Callable[..., QATask], write_jsonl: Callable[[str, list[dict[str, Any]]], Path]
) -> None:
    with pytest.raises(ConfigError, match="no train split: the built-in sample has none"):
        make_task().train_examples()
    write_jsonl("dev.jsonl", [{"context": CONTEXT, "question": "Who?", "answers": ["Agnes Pell"]}])
    with pytest.raises(ConfigError, match=r"no train split: set data.train \(a file like data.path\)"):
        make_task({"path": "dev.jsonl"}).train_examples()


HF_ROWS = [
    {
        "id": "h1",
        "title": "Lights",
        "context": CONTEXT,
        "question": "Who kept the light?",
        "answers": {"text": ["Agnes Pell"], "answer_start": [0]},
    },
    {
        "id": "h2",
        "title": "Lights",
        "context": CONTEXT,
        "question": "Who built it?",
        "answers": {"text": [], "answer_start": []},
    },
]


def test_an_hf_dataset_through_a_builder(
    offline_hf: None, make_task: Callable[..., QATask], write: Callable[[str, str], Path]
) -> None:
    # the shape HF's squad and squad_v2 have: answers as {"text": [...], "answer_start": [...]}
    write("dev.jsonl", "".join(json.dumps(row) + "\n" for row in HF_ROWS))
    data = {"hub": "json", "data_files": "dev.jsonl", "split": "train"}
    examples = make_task(data).examples()
    assert [(e.id, e.references, e.fields["answer_starts"], e.fields["title"]) for e in examples] == [
        ("h1", ("Agnes Pell",), [0], "Lights"),
        ("h2", (), [], "Lights"),
    ]


def test_an_hf_dataset_saved_to_disk_with_a_train_split(
    offline_hf: None, make_task: Callable[..., QATask], tmp_path: Path
) -> None:
    import datasets

    rows = [{k: v for k, v in row.items() if k != "id"} for row in HF_ROWS]
    datasets.DatasetDict(
        {"validation": datasets.Dataset.from_list(rows), "train": datasets.Dataset.from_list(rows * 2)}
    ).save_to_disk(str(tmp_path / "saved"))
    task = make_task({"hub": "saved", "split": "validation", "train_split": "train"})
    assert [e.id for e in task.examples()] == ["validation-1", "validation-2"]  # no id column: split and row
    assert [e.id for e in task.train_examples()] == ["train-1", "train-3"]


def test_a_bad_hf_row_names_the_dataset_and_row(
    offline_hf: None, make_task: Callable[..., QATask], write: Callable[[str, str], Path]
) -> None:
    write("dev.jsonl", json.dumps({"context": CONTEXT, "question": "q", "answers": 3}) + "\n")
    with pytest.raises(DataError, match=r"^hf:json\[train\]:1: column 'answers' \(mapped by data.answers\) must hold"):
        make_task({"hub": "json", "data_files": "dev.jsonl", "split": "train"}).examples()
