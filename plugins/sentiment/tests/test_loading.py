from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from nlpbench import DataError, TaskSpec
from nlpbench_sentiment import SentimentTask
from nlpbench_sentiment.config import DataConfig
from nlpbench_sentiment.loading import load, read_examples

Write = Callable[[str, str], Path]


def test_sample() -> None:
    examples, labels = load(DataConfig(), Path)
    assert labels == ("negative", "positive")
    assert len(examples) == 60
    assert [e.id for e in examples[:2]] == ["sample-0001", "sample-0002"]
    assert sorted(e.references[0] for e in examples).count("positive") == 30
    assert all(e.fields["text"] == e.input and e.fields["label"] == e.references[0] for e in examples)


def test_jsonl_with_mapping(write: Write) -> None:
    path = write(
        "reviews.jsonl",
        '{"uid": "r1", "review": "Lovely.", "stars": "good"}\n\n{"uid": "r2", "review": "Awful.", "stars": "bad"}\n',
    )
    examples, labels = load(DataConfig(path=str(path), text="review", label="stars", id="uid"), Path)
    assert labels == ("bad", "good")  # sorted names seen
    assert [(e.id, e.input, e.references) for e in examples] == [
        ("r1", "Lovely.", ("good",)),
        ("r2", "Awful.", ("bad",)),
    ]


def test_csv_with_numeric_labels(write: Write) -> None:
    path = write("reviews.csv", 'text,y\n"Great, really great.",1\nDull.,0\n')
    examples, labels = load(DataConfig(path=str(path), text="text", label="y"), Path)
    assert labels == ("negative", "positive")
    assert [(e.id, e.input, e.references[0]) for e in examples] == [
        ("reviews-2", "Great, really great.", "positive"),
        ("reviews-3", "Dull.", "negative"),
    ]


def test_tsv_with_label_names_and_labels(write: Write) -> None:
    path = write("dev.tsv", "sentence\tlabel\tid\nfine .\t1\ta\nbad .\t0\tb\nok .\t2\tc\n")
    config = DataConfig(
        path=str(path),
        text="sentence",
        label="label",
        id="id",
        labels=("pos", "neg", "neutral"),
        label_names={"0": "neg", "1": "pos", "2": "neutral"},
    )
    examples, labels = load(config, Path)
    assert labels == ("pos", "neg", "neutral")  # as given, in order
    assert [e.references[0] for e in examples] == ["pos", "neg", "neutral"]


def test_format_overrides_the_extension(write: Write) -> None:
    path = write("reviews.txt", "text\tlabel\nnice\tpositive\n")
    examples, _ = load(DataConfig(path=str(path), format="tsv"), Path)
    assert examples[0].references == ("positive",)


def test_relative_paths_resolve_against_the_suite(write: Write) -> None:
    path = write("r.jsonl", '{"text": "Nice.", "label": "positive"}\n')
    spec = TaskSpec(name="s", type="sentiment", base_dir=path.parent)
    examples, _ = load(DataConfig(path="r.jsonl"), spec.resolve)
    assert examples[0].id == "r-1"


def test_real_sst2_dev(sst2_dev: Path) -> None:
    examples, labels = load(DataConfig(path=str(sst2_dev), text="sentence", label="label"), Path)
    assert len(examples) == 872
    assert labels == ("negative", "positive")
    assert sum(e.references[0] == "positive" for e in examples) == 444
    assert examples[0].id == "dev-2" and examples[0].input == "it 's a charming and often affecting journey ."


# -- every DataError names the file (and the line, where there is one) ----------


def test_empty_file(write: Write) -> None:
    path = write("empty.jsonl", "\n")
    with pytest.raises(DataError, match=f"{path}: no examples"):
        read_examples(path, DataConfig(path=str(path)))


def test_header_only(write: Write) -> None:
    path = write("empty.csv", "text,label\n")
    with pytest.raises(DataError, match=f"{path}: no examples"):
        read_examples(path, DataConfig(path=str(path)))


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.tsv"
    with pytest.raises(DataError, match=f"{path}: no such file"):
        read_examples(path, DataConfig(path=str(path)))


@pytest.mark.parametrize(
    ("content", "config", "message"),
    [
        ('{"text": "a", "label": "x"}\n{"label": "y"}\n', {}, ":2: column 'text' (mapped by data.text) is missing"),
        (
            '{"text": "a", "label": "x"}\n{"text": "b", "label": ""}\n',
            {},
            ":2: column 'label' (mapped by data.label) is empty",
        ),
        ('{"text": "a", "label": 7}\n', {}, ":1: label '7' is a number"),
        (
            '{"text": "a", "label": "x"}\n\n{"text": "b", "label": "y"}\n',
            {"labels": ("x", "z")},
            ":3: label 'y' is not one of data.labels (did you mean 'x'?): x, z",
        ),
        (
            '{"text": "a", "label": 1}\n{"text": "b", "label": 2}\n',
            {"label_names": {"1": "p"}},
            ":2: label '2' is not in data.label_names",
        ),
        ('{"text": "a", "label": 5}\n', {"labels": ("x", "y")}, ":1: label 5 is out of range"),
        (
            '{"text": "a", "label": "x", "k": 1}\n{"text": "b", "label": "x", "k": 1}\n',
            {"id": "k"},
            ":2: id '1' is already used on line 1",
        ),
        ('{"text": ["a"], "label": "x"}\n', {}, ":1: column 'text' must hold text, not list"),
        ('{"text": "a", "label": "x"}\nnot json\n', {}, ":2: invalid JSON"),
    ],
)
def test_bad_rows_name_file_and_line(write: Write, content: str, config: dict[str, object], message: str) -> None:
    path = write("data.jsonl", content)
    with pytest.raises(DataError) as raised:
        read_examples(path, DataConfig(path=str(path), **config))  # type: ignore[arg-type]
    assert str(raised.value).startswith(f"{path}:")
    assert message in str(raised.value)


def test_bad_tsv_row_names_its_line(write: Write) -> None:
    path = write("d.tsv", "sentence\tlabel\ngood .\t1\nbad .\t\n")
    with pytest.raises(DataError, match=f"{path}:3: column 'label'"):
        read_examples(path, DataConfig(path=str(path), text="sentence"))


def test_a_label_spelt_like_a_commoner_one_is_a_typo(tmp_path: Path) -> None:
    rows = [{"text": f"r{i}", "label": "positive" if i % 2 else "negative"} for i in range(24)]
    rows.insert(7, {"text": "oops", "label": "positve"})
    path = tmp_path / "reviews.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    data = {"path": str(path), "text": "text", "label": "label"}
    with pytest.raises(DataError) as raised:
        SentimentTask(TaskSpec(name="s", type="sentiment", data=data)).examples()
    assert str(raised.value) == (
        f"{path}:8: label 'positve' looks like a typo of 'positive' (1 row against 12); "
        "fix it, or list every label in data.labels"
    )
    with pytest.raises(
        DataError, match=r"reviews\.jsonl:8: label 'positve' is not one of data\.labels \(did you mean 'positive'\?\)"
    ):
        SentimentTask(
            TaskSpec(name="s", type="sentiment", data={**data, "labels": ["negative", "positive"]})
        ).examples()


def test_labels_alike_and_as_common_are_labels_of_their_own(tmp_path: Path) -> None:
    rows = [{"text": f"r{i}", "label": f"label_{i % 3}"} for i in range(30)]
    path = tmp_path / "three.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    task = SentimentTask(
        TaskSpec(name="s", type="sentiment", data={"path": str(path), "text": "text", "label": "label"})
    )
    assert task.labels == ("label_0", "label_1", "label_2")


def test_a_misspelt_column_gets_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "reviews.jsonl"
    path.write_text('{"sentence": "Fine.", "label": "positive"}\n', encoding="utf-8")
    with pytest.raises(DataError) as raised:
        data = {"path": str(path), "text": "sentense", "label": "label"}
        SentimentTask(TaskSpec(name="s", type="sentiment", data=data)).examples()
    assert str(raised.value) == (
        f"{path}:1: column 'sentense' (mapped by data.text) is missing (did you mean 'sentence'?); "
        "columns: label, sentence"
    )
