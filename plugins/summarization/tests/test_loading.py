"""Reading documents and summaries in every form, and the one-line errors for bad rows."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, DataError, TaskSpec
from nlpbench_summarization import SummarizationTask

Write = Callable[[str, "str | bytes"], Path]


def make(data: dict[str, Any], base: Path = Path(".")) -> SummarizationTask:
    return SummarizationTask(TaskSpec(name="s", type="summarization", data=data, base_dir=base))


def test_the_built_in_sample() -> None:
    task = make({})
    examples = task.examples()
    assert len(examples) == 12
    assert [e.id for e in examples[:2]] == ["sample-01", "sample-02"]
    assert examples[0].input.startswith("The town council of Marlow Bay voted on Tuesday")
    assert examples[0].references == (
        "Marlow Bay's harbour bridge will close for six months of repairs from May after engineers found cracks in "
        "its supports.\nDrivers will use the coast road instead.",
    )
    assert all(len(e.references) == 1 and e.fields["document"] == e.input for e in examples)
    assert all(len(e.references[0].split()) < len(e.input.split()) / 2 for e in examples)  # summaries are short
    train = task.train_examples()
    assert len(train) == 4 and not {e.input for e in train} & {e.input for e in examples}


def test_jsonl_with_a_string_or_a_list_of_summaries(write: Write) -> None:
    rows = [
        {"k": "a", "text": "A long story.", "gold": " Short. "},
        {"k": "b", "text": "Another.", "gold": ["One.", "Two."]},
    ]
    path = write("news.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    task = make({"path": str(path), "document": "text", "summary": "gold", "id": "k"})
    assert [(e.id, e.input, e.references) for e in task.examples()] == [
        ("a", "A long story.", ("Short.",)),
        ("b", "Another.", ("One.", "Two.")),
    ]
    assert task.describe()["data"] == {"path": str(path)}


@pytest.mark.parametrize(
    ("name", "content"),
    [("news.csv", 'document,summary\n"A story, with a comma.\nAnd a second line.",Short.\nOther.,Brief.\n'),
     ("news.tsv", "document\tsummary\nA story, with a comma.\tShort.\nOther.\tBrief.\n")],
)  # fmt: skip
def test_csv_and_tsv_with_default_columns(write: Write, name: str, content: str) -> None:
    examples = make({"path": str(write(name, content))}).examples()
    assert [e.references for e in examples] == [("Short.",), ("Brief.",)]
    assert examples[0].input.startswith("A story, with a comma.")
    assert examples[1].id == ("news-4" if name.endswith("csv") else "news-3")  # the line the row starts on


def test_sentence_split_puts_one_sentence_a_line(write: Write) -> None:
    path = write("news.jsonl", json.dumps({"document": "D.", "summary": "It rained . Roads closed . Mr. Li said so."}) + "\n")  # fmt: skip
    assert make({"path": str(path)}).examples()[0].references == ("It rained . Roads closed . Mr. Li said so.",)
    split = make({"path": str(path), "sentence_split": True})
    assert split.examples()[0].references == ("It rained .\nRoads closed .\nMr. Li said so.",)
    assert split.describe()["sentence_split"] is True


def test_real_cnn_dailymail(cnndm: Path) -> None:
    data = {"path": str(cnndm), "document": "article", "summary": "highlights", "id": "id"}
    SummarizationTask.check_spec(TaskSpec(name="cnndm", type="summarization", data=data))
    examples = make(data).examples()
    assert len(examples) == 250 and len({e.id for e in examples}) == 250
    assert examples[0].id == "dm-test-008aa71f64621995d749aff42be822b1b6ca7bc9"
    assert examples[0].input.startswith("Gary Locke will be confirmed as Kilmarnock’s permanent manager on Friday")
    assert examples[0].references[0].startswith("Gary Locke will be confirmed as Kilmarnock boss on Friday .")
    assert all("\n" not in e.references[0] for e in examples)  # FRANK joins the highlights on one line
    split = make({**data, "sentence_split": True}).examples()
    assert split[0].references == (
        "Gary Locke will be confirmed as Kilmarnock boss on Friday .\n"
        "The club went unbeaten during Locke 's first six games in charge .\n"
        "The 39-year-old former Killie defender has paid tribute to his players .",
    )
    lines = [len(e.references[0].split("\n")) for e in split]
    assert min(lines) >= 1 and sum(lines) / len(lines) > 3  # CNN/DailyMail has 3-4 highlights a story


def test_a_train_file_with_the_same_columns(write: Write) -> None:
    write("test.jsonl", '{"text": "A.", "gold": "a"}\n')
    base = write("train.jsonl", '{"text": "B.", "gold": "b"}\n{"text": "C.", "gold": "c"}\n').parent
    task = make({"path": "test.jsonl", "train": "train.jsonl", "document": "text", "summary": "gold"}, base)
    assert [(e.id, e.input, e.references) for e in task.train_examples()] == [("train-1", "B.", ("b",)), ("train-2", "C.", ("c",))]  # fmt: skip
    with pytest.raises(ConfigError, match=r"no train split: set data.train \(or data.train_split\)"):
        make({"path": "test.jsonl", "document": "text", "summary": "gold"}, base).train_examples()


@pytest.mark.slow  # importing datasets takes a couple of seconds
def test_an_hf_dataset_saved_to_disk(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    rows = [{"article": "A story.", "highlights": "Short."}, {"article": "Another.", "highlights": "Brief."}]
    datasets.DatasetDict({"test": datasets.Dataset.from_list(rows)}).save_to_disk(str(tmp_path / "cnn"))
    task = make({"hub": "cnn", "split": "test", "document": "article", "summary": "highlights"}, tmp_path)
    assert [(e.id, e.input, e.references) for e in task.examples()] == [("test-1", "A story.", ("Short.",)), ("test-2", "Another.", ("Brief.",))]  # fmt: skip


# -- bad input: one line each, naming the file, the line and the column ------------------


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"document": "", "summary": "S."}], ":1: column 'document' (mapped by data.document) is empty; columns: document, summary"),
        ([{"document": "D.", "summary": "S."}, {"document": "D.", "summary": "  "}], ":2: column 'summary' (mapped by data.summary) is empty; columns: document, summary"),
        ([{"document": "D."}], ":1: column 'summary' (mapped by data.summary) is missing; columns: document"),
        ([{"document": "D.", "summary": ["S.", ""]}], ":1: column 'summary' (mapped by data.summary): summary 2 is empty"),
        ([{"document": "D.", "summary": []}], ":1: column 'summary' (mapped by data.summary) must hold a summary or a list of summaries, not an empty list"),
        ([{"document": "D.", "summary": 3}], ":1: column 'summary' (mapped by data.summary) must hold a summary or a list of summaries, not int"),
        ([{"document": "D.", "summary": ["S.", None]}], ":1: column 'summary' (mapped by data.summary): summary 2 must be text, not NoneType"),
        ([{"document": {"t": "D."}, "summary": "S."}], ":1: column 'document' (mapped by data.document) must hold text, not dict"),
    ],
)  # fmt: skip
def test_bad_rows_name_file_line_and_column(write: Write, rows: list[dict[str, Any]], message: str) -> None:
    path = write("news.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    with pytest.raises(DataError) as raised:
        make({"path": str(path)}).examples()
    assert str(raised.value) == f"{path}{message}"


def test_an_empty_summary_in_a_tsv_names_its_line(write: Write) -> None:
    path = write("news.tsv", "document\tsummary\nA story.\tShort.\nAnother.\t\n")
    with pytest.raises(DataError, match=rf"^{path}:3: column 'summary' \(mapped by data.summary\) is empty"):
        make({"path": str(path)}).examples()


def test_a_repeated_id_a_bad_line_and_a_non_utf8_file(write: Write) -> None:
    path = write("news.jsonl", '{"k": 1, "document": "A.", "summary": "a"}\n{"k": 1, "document": "B.", "summary": "b"}\n')  # fmt: skip
    with pytest.raises(DataError, match=rf"^{path}:2: id '1' is already used on line 1$"):
        make({"path": str(path), "id": "k"}).examples()
    path = write("broken.jsonl", '{"document": "A.", "summary": "a"}\n{"document": "B.", \n')
    with pytest.raises(DataError, match=rf"^{path}:2: invalid JSON"):
        make({"path": str(path)}).examples()
    path = write("latin.jsonl", '{"document": "K\xf6ln.", "summary": "Cologne."}\n'.encode("latin-1"))
    with pytest.raises(
        DataError, match=rf"^{path}:1: not UTF-8 text \(byte 0xf6 at byte offset 15\); save the file as UTF-8$"
    ):
        make({"path": str(path)}).examples()
