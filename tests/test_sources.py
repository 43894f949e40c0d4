"""The ``data:`` entry every task shares: local files, HF datasets, train splits, errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nlpbench import ConfigError, DataError, Row, TaskSpec, column, read_rows, read_text, task_data

COLUMNS = {"question": "question", "answer": "answer"}


def _spec(tmp_path: Path, **data: object) -> TaskSpec:
    return TaskSpec(name="t", type="qa", data=data, base_dir=tmp_path)


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


ROWS = [{"q": f"question {i}", "a": f"answer {i}"} for i in range(5)]


@pytest.fixture
def offline_hf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """HF datasets with its caches in tmp_path and no network."""
    pytest.importorskip("datasets", reason="loading HF datasets needs the `datasets` package (nlpbench[hf])")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")


def test_no_data_means_the_built_in_sample(tmp_path: Path) -> None:
    data = task_data(_spec(tmp_path), COLUMNS)
    assert data.source is None and data.train is None
    assert data.columns == COLUMNS
    assert data.describe() == {"data": "built-in sample"}


def test_a_local_file_with_mapped_columns_and_a_train_split(tmp_path: Path) -> None:
    _jsonl(tmp_path / "dev.jsonl", ROWS)
    _jsonl(tmp_path / "train.jsonl", ROWS)
    data = task_data(_spec(tmp_path, path="dev.jsonl", train="train.jsonl", question="q", answer="a"), COLUMNS)
    assert data.source is not None and data.train is not None
    assert data.columns == {"question": "q", "answer": "a"}
    rows = data.source.read()
    assert [column(r, "q", data.source.label) for r in rows] == [f"question {i}" for i in range(5)]
    assert data.source.label == str(tmp_path / "dev.jsonl")
    assert data.describe()["train"] == {"path": str(tmp_path / "train.jsonl")}


def test_task_options_are_kept(tmp_path: Path) -> None:
    data = task_data(_spec(tmp_path, path="x.txt", unit="line"), {"text": "text"}, options=("unit",))
    assert data.options == {"unit": "line"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"path": "a.jsonl", "questoin": "q"}, r"data: unknown key 'questoin' \(did you mean 'question'\?\)"),
        ({"question": "q"}, r"data.question needs data.path \(a file\) or data.hub"),
        ({"path": "a.jsonl", "hub": "squad", "split": "x"}, "not both"),
        ({"path": "a.jsonl", "split": "validation"}, "data.split applies to data.hub"),
        ({"hub": "squad"}, "data.split is required with data.hub"),
        ({"hub": "squad", "split": "validation", "format": "json"}, "data.format applies to a file"),
        ({"hub": "squad", "split": "validation", "train": "t.jsonl"}, "name the train split in data.train_split"),
        ({"hub": "json", "split": "train", "data_files": 3}, "data.data_files must be a file or a list"),
        ({"path": ""}, "data.path must be a non-empty string"),
        ({"path": "a.jsonl", "question": 3}, "data.question must be a non-empty string"),
    ],
)
def test_config_errors_name_the_key(tmp_path: Path, data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        task_data(_spec(tmp_path, **data), COLUMNS)


def test_a_required_mapping(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"data.answer is required with data.path: the column of the answer"):
        task_data(_spec(tmp_path, path="a.jsonl", question="q"), COLUMNS, required=("question", "answer"))


def test_data_must_be_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"data must be a mapping"):
        task_data(TaskSpec(name="t", type="qa", data=["x"], base_dir=tmp_path), COLUMNS)  # type: ignore[arg-type]


def test_a_missing_column_names_file_line_and_mapping(tmp_path: Path) -> None:
    _jsonl(tmp_path / "dev.jsonl", [{"q": "x", "a": "y"}, {"q": "x"}])
    data = task_data(_spec(tmp_path, path="dev.jsonl", question="q", answer="a"), COLUMNS)
    assert data.source is not None
    row = data.source.read()[1]
    with pytest.raises(DataError, match=r"dev.jsonl:2: column 'a' \(mapped by data.answer\) is missing"):
        column(row, "a", data.source.label, "answer")


def test_hf_datasets_from_local_files_with_a_builder(tmp_path: Path, offline_hf: None) -> None:
    _jsonl(tmp_path / "dev.jsonl", ROWS)
    data = task_data(
        _spec(tmp_path, hub="json", data_files="dev.jsonl", split="train", question="q", answer="a"), COLUMNS
    )
    assert data.source is not None
    rows = data.source.read()
    assert [r.values["q"] for r in rows] == [f"question {i}" for i in range(5)]
    assert [r.line for r in rows] == [1, 2, 3, 4, 5]
    assert data.source.label == "hf:json[train]"
    assert data.source.describe() == {"hub": "json", "split": "train", "data_files": [str(tmp_path / "dev.jsonl")]}


def test_hf_datasets_saved_to_disk_with_splits(tmp_path: Path, offline_hf: None) -> None:
    import datasets

    splits = datasets.DatasetDict(
        {
            "validation": datasets.Dataset.from_list(ROWS),
            "train": datasets.Dataset.from_list([{"q": "t", "a": "u"}] * 3),
        }
    )
    splits.save_to_disk(str(tmp_path / "saved"))
    data = task_data(
        _spec(tmp_path, hub="saved", split="validation", train_split="train", question="q", answer="a"), COLUMNS
    )
    assert data.source is not None and data.train is not None
    assert len(data.source.read()) == 5
    assert [r.values["q"] for r in data.train.read()] == ["t", "t", "t"]
    missing = task_data(_spec(tmp_path, hub="saved", split="test"), COLUMNS)
    assert missing.source is not None
    with pytest.raises(DataError, match=r"cannot load the HF dataset hf:saved\[test\]: no split 'test'; it has"):
        missing.source.read()


def test_an_unknown_hf_dataset_offline_is_one_line(tmp_path: Path, offline_hf: None) -> None:
    # the hub library reads HF_HUB_OFFLINE when it is imported: ask in a fresh process
    script = (
        "import sys; from pathlib import Path; from nlpbench import DataError, TaskSpec, task_data\n"
        "spec = TaskSpec(name='t', type='qa', data={'hub': 'no-such-org/no-such-dataset', 'split': 'validation'})\n"
        "try:\n    task_data(spec, {}).source.read()\n"
        "except DataError as error:\n    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=os.environ)
    message = done.stdout.strip()
    assert message.startswith("data.hub: cannot load the HF dataset hf:no-such-org/no-such-dataset[validation]: ")
    assert "\n" not in message
    assert "Retrying" not in done.stderr


def test_a_bad_local_file_through_a_builder_is_one_line(tmp_path: Path, offline_hf: None) -> None:
    (tmp_path / "bad.jsonl").write_text('{"q": 1}\n{not json\n', encoding="utf-8")
    data = task_data(_spec(tmp_path, hub="json", data_files="bad.jsonl", split="train"), COLUMNS)
    assert data.source is not None
    with pytest.raises(DataError) as raised:
        data.source.read()
    assert str(raised.value).startswith("data.hub: cannot load the HF dataset hf:json[train]: ")
    assert "\n" not in str(raised.value)


def test_a_dotted_column_reaches_into_nested_fields() -> None:
    row = Row(3, {"translation": {"de": "Hallo", "en": "Hello"}, "a.b": "literal"})
    assert column(row, "translation.de", "hf:wmt16[test]", "source") == "Hallo"
    assert column(row, "a.b", "f") == "literal"  # a column with the dotted name itself wins
    with pytest.raises(
        DataError, match=r"hf:wmt16\[test\]:3: column 'translation.fr' \(mapped by data.source\) is missing"
    ):
        column(row, "translation.fr", "hf:wmt16[test]", "source")
    with pytest.raises(DataError, match=r"f:3: column 'translation.de.x' is missing"):
        column(row, "translation.de.x", "f")


def test_a_file_that_is_not_utf8_names_the_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "dev.jsonl"
    path.write_bytes(b'{"q": "fine"}\n{"q": "K\xf6ln"}\n')
    with pytest.raises(DataError) as raised:
        read_rows(path)
    assert str(raised.value) == f"{path}:2: not UTF-8 text (byte 0xf6 at byte offset 22); save the file as UTF-8"
    assert read_text(_jsonl(tmp_path / "ok.jsonl", ROWS)).startswith('{"q": "question 0"')
    with pytest.raises(DataError, match="is a folder, not a file"):
        read_text(tmp_path)


@pytest.mark.parametrize("kind", ["csv", "tsv"])
def test_a_header_past_the_csv_field_limit_is_a_data_error_naming_line_1(tmp_path: Path, kind: str) -> None:
    """The csv module refuses a field over its limit (128 KiB) in the header as in a row."""
    delimiter = "," if kind == "csv" else "\t"
    path = tmp_path / f"dev.{kind}"
    path.write_text(delimiter.join(["text", "label" + "x" * 200_000]) + "\n" + delimiter.join(["a", "1"]) + "\n")
    with pytest.raises(DataError, match=rf"^{re.escape(str(path))}:1: malformed {kind.upper()}: field larger than"):
        read_rows(path)


def test_hf_is_the_designs_name_for_hub(tmp_path: Path) -> None:
    data = task_data(_spec(tmp_path, hf="glue", config="sst2", split="validation"), COLUMNS)
    assert data.source is not None and data.source.hub == "glue" and data.source.config == "sst2"
    with pytest.raises(ConfigError, match=r"give data.hub or data.hf \(the same thing\), not both"):
        task_data(_spec(tmp_path, hf="glue", hub="glue", split="validation"), COLUMNS)


# -- data.keep: extra columns an example carries in its fields ------------------------


def test_keep_a_list_of_columns_each_under_its_own_name(tmp_path: Path) -> None:
    _jsonl(tmp_path / "dev.jsonl", [{"q": "x", "a": "y", "gender": "female", "age": 41}])
    data = task_data(_spec(tmp_path, path="dev.jsonl", keep=["gender", "age"]), COLUMNS)
    assert data.keep == {"gender": "gender", "age": "age"}
    assert data.source is not None
    row = data.source.read()[0]
    assert data.kept(row, data.source.label) == {"gender": "female", "age": 41}


def test_keep_a_mapping_of_field_to_column_and_a_dotted_column(tmp_path: Path) -> None:
    _jsonl(tmp_path / "dev.jsonl", [{"q": "x", "a": "y", "speaker": {"gender": "male"}, "a.b": "flat"}])
    data = task_data(_spec(tmp_path, path="dev.jsonl", keep={"group": "speaker.gender", "ab": "a.b"}), COLUMNS)
    assert data.keep == {"group": "speaker.gender", "ab": "a.b"}
    assert data.source is not None
    # a dotted name reaches into a nested field, unless a column has the dotted name itself
    assert data.kept(data.source.read()[0], "dev") == {"group": "male", "ab": "flat"}


def test_keep_a_single_column_as_a_string(tmp_path: Path) -> None:
    assert task_data(_spec(tmp_path, keep="gender"), COLUMNS).keep == {"gender": "gender"}


def test_keep_applies_to_the_built_in_sample_and_is_empty_by_default(tmp_path: Path) -> None:
    assert task_data(_spec(tmp_path, keep=["id"]), COLUMNS).keep == {"id": "id"}
    assert task_data(_spec(tmp_path), COLUMNS).keep == {}


@pytest.mark.parametrize("keep", [3, ["gender", 3], [""], {"group": 1}, {"": "gender"}, {"group": " "}, True])
def test_keep_of_a_bad_type_is_a_config_error(tmp_path: Path, keep: object) -> None:
    with pytest.raises(ConfigError, match=r"^data\.keep must be a list of columns or a mapping of field to column"):
        task_data(_spec(tmp_path, keep=keep), COLUMNS)


@pytest.mark.parametrize(
    ("keep", "name"), [(["question"], "question"), ({"answer": "gender"}, "answer"), (["context"], "context")]
)
def test_keep_may_not_overwrite_a_field_the_task_fills(tmp_path: Path, keep: object, name: str) -> None:
    with pytest.raises(ConfigError, match=rf"^data\.keep: '{name}' is a field the task fills itself"):
        task_data(_spec(tmp_path, keep=keep), COLUMNS, reserved_fields=("context",))
    # the same column kept under another name is fine
    assert task_data(_spec(tmp_path, keep={"q": name}), COLUMNS, reserved_fields=("context",)).keep == {"q": name}


def test_a_kept_column_missing_from_a_row_names_the_file_and_line(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "dev.jsonl", [{"q": "x", "a": "y", "gender": "f"}, {"q": "x2", "a": "y2"}])
    data = task_data(_spec(tmp_path, path="dev.jsonl", keep={"group": "gender"}), COLUMNS)
    assert data.source is not None
    first, second = data.source.read()
    assert data.kept(first, data.source.label) == {"group": "f"}
    with pytest.raises(DataError) as error:
        data.kept(second, data.source.label)
    message = str(error.value)
    assert message.startswith(f"{path}:2: column 'gender' (mapped by data.keep.group) is missing")
    assert "\n" not in message


@pytest.mark.parametrize("empty", ["", "   ", None])
def test_an_empty_kept_value_is_none(tmp_path: Path, empty: object) -> None:
    data = task_data(_spec(tmp_path, keep=["gender"]), COLUMNS)
    assert data.kept(Row(7, {"gender": empty}), "dev.csv") == {"gender": None}


def test_keep_from_a_csv_file(tmp_path: Path) -> None:
    (tmp_path / "dev.csv").write_text("q,a,gender\nx,y,female\nx2,y2,\n", encoding="utf-8")
    data = task_data(_spec(tmp_path, path="dev.csv", keep=["gender"]), COLUMNS)
    assert data.source is not None
    assert [data.kept(row, "dev.csv") for row in data.source.read()] == [{"gender": "female"}, {"gender": None}]


# -- TSV without quote processing, and data.quoting -----------------------------------

# MR-polarity and SST-2 style: tab-separated, never quoted, and a sentence may start with a quote
UNQUOTED_TSV = 'sentence\tlabel\n" the rock " is destined to be a star .\t1\nit \'s "fun" .\t1\n"bad\t0\n'


def test_tsv_is_read_as_it_is_by_default(tmp_path: Path) -> None:
    (tmp_path / "dev.tsv").write_text(UNQUOTED_TSV, encoding="utf-8")
    rows = task_data(_spec(tmp_path, path="dev.tsv"), {"text": "sentence"}).source.read()  # type: ignore[union-attr]
    assert [r.values["sentence"] for r in rows] == ['" the rock " is destined to be a star .', 'it \'s "fun" .', '"bad']
    assert [r.line for r in rows] == [2, 3, 4]
    # the same file read as CSV-quoted loses the quotes (what every TSV file suffered before)
    quoted = read_rows(tmp_path / "dev.tsv", quoting="csv")
    assert quoted[0].values["sentence"] == " the rock  is destined to be a star ."


def test_quoted_tsv_and_csv_with_data_quoting(tmp_path: Path) -> None:
    (tmp_path / "q.tsv").write_text('text\tlabel\n"tab\there ""and"" a\nline break"\t1\nplain\t0\n', encoding="utf-8")
    data = task_data(_spec(tmp_path, path="q.tsv", quoting="csv", train="q.tsv"), {"text": "text"})
    assert data.source is not None and data.train is not None and data.train.quoting == "csv"
    rows = data.source.read()
    assert [r.values["text"] for r in rows] == ['tab\there "and" a\nline break', "plain"] and rows[1].line == 4
    assert data.describe()["data"] == {"path": str(tmp_path / "q.tsv"), "quoting": "csv"}
    # and a CSV file read without quote processing keeps its quotes
    (tmp_path / "raw.csv").write_text('text,label\n"quoted",1\n', encoding="utf-8")
    raw = task_data(_spec(tmp_path, path="raw.csv", quoting="none"), {"text": "text"}).source.read()  # type: ignore[union-attr]
    assert raw[0].values["text"] == '"quoted"'


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"path": "a.tsv", "quoting": "minimal"}, r"data.quoting must be one of none, csv, not 'minimal'"),
        ({"path": "a.jsonl", "quoting": "none"}, r"data.quoting applies to CSV and TSV files, not to jsonl"),
        ({"hub": "glue", "split": "validation", "quoting": "csv"}, r"data.quoting applies to a CSV or TSV file"),
        ({"path": "a.tsv", "quotng": "csv"}, r"unknown key 'quotng' \(did you mean 'quoting'\?\)"),
    ],
)
def test_bad_quoting_is_a_config_error(tmp_path: Path, data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        task_data(_spec(tmp_path, **data), {"text": "text"})


def test_a_sentiment_suite_keeps_the_quotes_of_a_tsv_file(tmp_path: Path) -> None:
    """End to end: the installed sentiment task on an MR-style TSV file, from the command line."""
    pytest.importorskip("nlpbench_sentiment", reason="the sentiment plugin reads the TSV file")
    (tmp_path / "dev.tsv").write_text(UNQUOTED_TSV, encoding="utf-8")
    (tmp_path / "suite.yaml").write_text(
        "name: mr\nmodels:\n  - {name: w, type: wordlist}\n"
        "tasks:\n  - {name: mr, type: sentiment, data: {path: dev.tsv, text: sentence, label: label}}\n"
        "reporters: []\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-c", "from nlpbench.cli import main; main()", "run", str(tmp_path / "suite.yaml"),
         "--out", str(tmp_path / "out"), "--no-progress"],
        capture_output=True, text=True, timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith(("NLPBENCH_", "PYTEST_"))},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    samples = [
        json.loads(line) for line in (tmp_path / "out" / "samples.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [s["input"] for s in samples] == ['" the rock " is destined to be a star .', 'it \'s "fun" .', '"bad']
