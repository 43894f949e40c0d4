"""Reading sentence pairs in every form, and the one-line errors for bad files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, DataError, TaskSpec
from nlpbench_translation import TranslationTask
from nlpbench_translation.loading import read_lines

Write = Callable[[str, "str | bytes"], Path]
PAIR = {"source_lang": "de", "target_lang": "en"}


def make(data: dict[str, Any], base: Path = Path(".")) -> TranslationTask:
    return TranslationTask(TaskSpec(name="t", type="translation", data=data, base_dir=base))


def test_the_built_in_sample() -> None:
    task = make({})
    examples = task.examples()
    assert len(examples) == 25
    assert [e.id for e in examples[:2]] == ["sample-01", "sample-02"]
    assert examples[0].input == "Der Zug nach Hamburg fährt um acht Uhr ab."
    assert examples[0].references == ("The train to Hamburg leaves at eight o'clock.",)
    assert all(len(e.references) == 1 and e.fields["source"] == e.input for e in examples)
    train = task.train_examples()
    assert len(train) == 8 and not {e.input for e in train} & {e.input for e in examples}
    assert make(PAIR).examples() == examples  # declaring the sample's own pair is fine


# -- line-aligned files --------------------------------------------------------------


def test_line_aligned_with_two_references(write: Write) -> None:
    write("src.de", "Guten Morgen.\nDanke schön.\n")
    write("ref.A.en", "Good morning.\nThank you very much.\n")
    base = write("ref.B.en", "Morning.\nMany thanks.\n").parent
    task = make({"source": "src.de", "references": ["ref.A.en", "ref.B.en"], **PAIR}, base)
    examples = task.examples()
    assert [(e.id, e.input, e.references) for e in examples] == [
        ("1", "Guten Morgen.", ("Good morning.", "Morning.")),
        ("2", "Danke schön.", ("Thank you very much.", "Many thanks.")),
    ]
    assert task.describe()["data"] == {"source": str(base / "src.de"), "references": [str(base / "ref.A.en"), str(base / "ref.B.en")]}  # fmt: skip


def test_one_reference_file_may_be_given_as_a_string(write: Write) -> None:
    write("src.de", "Ja.\n")
    base = write("ref.en", "Yes.\n").parent
    assert make({"source": "src.de", "references": "ref.en", **PAIR}, base).examples()[0].references == ("Yes.",)


def test_line_endings_bom_and_a_missing_final_newline(write: Write) -> None:
    path = write("crlf.txt", "\ufeffEins\r\nZwei\u2028still zwei\r\nDrei")
    # only \n ends a line: U+2028 inside a sentence must not misalign the files
    assert read_lines(path) == ["Eins", "Zwei\u2028still zwei", "Drei"]
    assert read_lines(write("one.txt", "Eins\n")) == ["Eins"]
    assert read_lines(write("spaces.txt", "  Eins \n")) == ["  Eins "]  # as is


def test_the_line_aligned_train_split(write: Write) -> None:
    for name, text in [("src.de", "Ja.\nNein.\n"), ("ref.en", "Yes.\nNo.\n"),
                       ("train.de", "Hallo.\nTschüss.\n"), ("train.en", "Hello.\nBye.\n")]:  # fmt: skip
        base = write(name, text).parent
    data = {"source": "src.de", "references": ["ref.en"], "train_source": "train.de", "train_references": "train.en"}
    train = make({**data, **PAIR}, base).train_examples()
    assert [(e.id, e.input, e.references) for e in train] == [("train-1", "Hallo.", ("Hello.",)), ("train-2", "Tschüss.", ("Bye.",))]  # fmt: skip


def test_no_train_split(write: Write) -> None:
    write("src.de", "Ja.\n")
    base = write("ref.en", "Yes.\n").parent
    with pytest.raises(ConfigError, match=r"no train split: set data.train_source and data.train_references"):
        make({"source": "src.de", "references": "ref.en", **PAIR}, base).train_examples()
    write("pairs.jsonl", '{"source": "Ja.", "reference": "Yes."}\n')
    with pytest.raises(ConfigError, match=r"no train split: set data.train \(or data.train_split\)"):
        make({"path": "pairs.jsonl", **PAIR}, base).train_examples()


def test_real_wmt22_with_both_references(wmt: Path) -> None:
    data = {
        "source": str(wmt / "generaltest2022.de-en.src.de"),
        "references": [str(wmt / "generaltest2022.de-en.ref.A.en"), str(wmt / "generaltest2022.de-en.ref.B.en")],
        **PAIR,
    }
    TranslationTask.check_spec(TaskSpec(name="wmt", type="translation", data=data))
    examples = make(data).examples()
    assert len(examples) == 1984
    assert all(len(e.references) == 2 and e.input.strip() for e in examples)
    assert (examples[0].id, examples[0].input) == ("1", "Die Ware hat unter 20 Euro gekostet.")
    assert examples[0].references == ("The goods cost less than 20 euros.", "The merchandise was less than 20 EURO.")
    assert examples[-1].id == "1984"


def test_real_wmt22_line_count_check(wmt: Path, write: Write) -> None:
    ref = (wmt / "generaltest2022.de-en.ref.B.en").read_text(encoding="utf-8")
    short = write("ref.B.short.en", ref[: ref.rindex("\n", 0, len(ref) - 1) + 1])  # one line fewer
    data = {"source": str(wmt / "generaltest2022.de-en.src.de"), "references": [str(wmt / "generaltest2022.de-en.ref.A.en"), str(short)], **PAIR}  # fmt: skip
    with pytest.raises(DataError) as raised:
        make(data).examples()
    assert str(raised.value) == (
        f"line counts differ: {wmt / 'generaltest2022.de-en.src.de'} has 1984 lines but {short} has 1983; "
        "line-aligned files must match line for line"
    )


# -- rows of a file -----------------------------------------------------------------


def test_jsonl_with_a_string_or_a_list_of_references(write: Write) -> None:
    path = write(
        "pairs.jsonl",
        json.dumps({"de": "Ja.", "en": "Yes.", "k": "a"}) + "\n\n" + json.dumps({"de": "Nein.", "en": ["No.", "Nope."], "k": "b"}) + "\n",
    )  # fmt: skip
    task = make({"path": str(path), "source": "de", "reference": "en", "id": "k", **PAIR})
    assert [(e.id, e.input, e.references) for e in task.examples()] == [("a", "Ja.", ("Yes.",)), ("b", "Nein.", ("No.", "Nope."))]  # fmt: skip
    assert task.describe()["data"] == {"path": str(path)}


@pytest.mark.parametrize(
    ("name", "content"),
    [("pairs.csv", 'source,reference\n"Ja, gut.","Yes, good."\nNein.,No.\n'),
     ("pairs.tsv", "source\treference\nJa, gut.\tYes, good.\nNein.\tNo.\n")],
)  # fmt: skip
def test_csv_and_tsv_with_default_columns(write: Write, name: str, content: str) -> None:
    path = write(name, content)
    examples = make({"path": str(path), **PAIR}).examples()
    assert [(e.id, e.input, e.references) for e in examples] == [
        ("pairs-2", "Ja, gut.", ("Yes, good.",)),
        ("pairs-3", "Nein.", ("No.",)),
    ]


def test_nested_columns_as_wmt_datasets_store_pairs(write: Write) -> None:
    path = write("wmt.jsonl", json.dumps({"translation": {"de": "Ja.", "en": "Yes."}}) + "\n")
    task = make({"path": str(path), "source": "translation.de", "reference": "translation.en", **PAIR})
    assert [(e.input, e.references) for e in task.examples()] == [("Ja.", ("Yes.",))]


def test_a_train_file_with_the_same_columns(write: Write) -> None:
    write("test.jsonl", '{"de": "Ja.", "en": "Yes."}\n')
    base = write("train.jsonl", '{"de": "Hallo.", "en": "Hello."}\n{"de": "Tschüss.", "en": "Bye."}\n').parent
    task = make({"path": "test.jsonl", "train": "train.jsonl", "source": "de", "reference": "en", **PAIR}, base)
    assert [(e.id, e.input) for e in task.train_examples()] == [("train-1", "Hallo."), ("train-2", "Tschüss.")]


@pytest.mark.slow  # importing datasets takes a couple of seconds
def test_an_hf_dataset_saved_to_disk_with_a_nested_translation_column(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    rows = [{"translation": {"de": "Ja.", "en": "Yes."}}, {"translation": {"de": "Nein.", "en": "No."}}]
    datasets.DatasetDict({"test": datasets.Dataset.from_list(rows)}).save_to_disk(str(tmp_path / "wmt"))
    data = {"hub": "wmt", "split": "test", "source": "translation.de", "reference": "translation.en", **PAIR}
    task = make(data, tmp_path)
    assert [(e.id, e.input, e.references) for e in task.examples()] == [("test-1", "Ja.", ("Yes.",)), ("test-2", "Nein.", ("No.",))]  # fmt: skip
    assert task.describe()["data"] == {"hub": "wmt", "split": "test"}


# -- bad input: one line each, naming the file and line (or the field) ----------------


def test_mismatched_line_counts_name_both_files_and_counts(write: Write) -> None:
    write("src.de", "Ja.\nNein.\nVielleicht.\n")
    write("ref.A.en", "Yes.\nNo.\nMaybe.\n")
    base = write("ref.B.en", "Yes.\nNo.\n").parent
    with pytest.raises(DataError) as raised:
        make({"source": "src.de", "references": ["ref.A.en", "ref.B.en"], **PAIR}, base).examples()
    message = str(raised.value)
    assert f"{base / 'src.de'} has 3 lines but {base / 'ref.B.en'} has 2" in message and "\n" not in message


def test_an_empty_reference_line_names_file_and_line(write: Write) -> None:
    write("src.de", "Ja.\nNein.\nGut.\n")
    base = write("ref.en", "Yes.\n  \nGood.\n").parent
    with pytest.raises(DataError, match=rf"^{base / 'ref.en'}:2: empty reference line; every line needs a sentence$"):
        make({"source": "src.de", "references": "ref.en", **PAIR}, base).examples()


def test_an_empty_source_line_names_file_and_line(write: Write) -> None:
    write("src.de", "Ja.\n\n")
    base = write("ref.en", "Yes.\nNo.\n").parent
    with pytest.raises(DataError, match=rf"^{base / 'src.de'}:2: empty source line"):
        make({"source": "src.de", "references": "ref.en", **PAIR}, base).examples()


def test_a_non_utf8_file_names_file_line_and_byte_offset(write: Write) -> None:
    write("src.de", "Ja.\nNein.\n")
    base = write("ref.en", "Yes.\nN\xf6!\n".encode("latin-1")).parent
    with pytest.raises(DataError) as raised:
        make({"source": "src.de", "references": "ref.en", **PAIR}, base).examples()
    assert (
        str(raised.value) == f"{base / 'ref.en'}:2: not UTF-8 text (byte 0xf6 at byte offset 6); save the file as UTF-8"
    )


def test_a_non_utf8_row_file_names_the_file(write: Write) -> None:
    path = write("pairs.jsonl", '{"source": "K\xf6ln", "reference": "Cologne"}\n'.encode("latin-1"))
    with pytest.raises(
        DataError, match=rf"^{path}:1: not UTF-8 text \(byte 0xf6 at byte offset 13\); save the file as UTF-8$"
    ):
        make({"path": str(path), **PAIR}).examples()


def test_an_empty_file(write: Write) -> None:
    write("src.de", "")
    base = write("ref.en", "").parent
    with pytest.raises(DataError, match=rf"^{base / 'src.de'}: no lines in the file$"):
        make({"source": "src.de", "references": "ref.en", **PAIR}, base).examples()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"source": "Ja."}], ":1: column 'reference' (mapped by data.reference) is missing; columns: source"),
        ([{"source": "Ja.", "reference": ""}], ":1: column 'reference' (mapped by data.reference) is empty; columns: reference, source"),
        ([{"source": "Ja.", "reference": "Yes."}, {"source": " ", "reference": "No."}], ":2: column 'source' (mapped by data.source) is empty; columns: reference, source"),
        ([{"source": "Ja.", "reference": []}], ":1: column 'reference' (mapped by data.reference) must hold a reference or a list of references, not an empty list"),
        ([{"source": "Ja.", "reference": ["Yes.", ""]}], ":1: column 'reference' (mapped by data.reference): reference 2 is empty"),
        ([{"source": "Ja.", "reference": ["Yes.", 3]}], ":1: column 'reference' (mapped by data.reference): reference 2 must be text, not int"),
        ([{"source": "Ja.", "reference": 3}], ":1: column 'reference' (mapped by data.reference) must hold a reference or a list of references, not int"),
        ([{"source": ["Ja."], "reference": "Yes."}], ":1: column 'source' (mapped by data.source) must hold text, not list"),
    ],
)  # fmt: skip
def test_bad_rows_name_file_line_and_column(write: Write, rows: list[dict[str, Any]], message: str) -> None:
    path = write("pairs.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    with pytest.raises(DataError) as raised:
        make({"path": str(path), **PAIR}).examples()
    assert str(raised.value) == f"{path}{message}"


def test_a_repeated_id_and_a_missing_nested_column(write: Write) -> None:
    path = write("pairs.jsonl", '{"k": 1, "source": "Ja.", "reference": "Yes."}\n{"k": 1, "source": "Nein.", "reference": "No."}\n')  # fmt: skip
    with pytest.raises(DataError, match=rf"^{path}:2: id '1' is already used on line 1$"):
        make({"path": str(path), "id": "k", **PAIR}).examples()
    path = write("wmt.jsonl", json.dumps({"translation": {"de": "Ja."}}) + "\n")
    with pytest.raises(DataError, match=r":1: column 'translation.en' \(mapped by data.reference\) is missing"):
        make({"path": str(path), "source": "translation.de", "reference": "translation.en", **PAIR}).examples()


def test_check_spec_wants_line_aligned_files_to_exist(write: Write) -> None:
    write("src.de", "Ja.\n")
    base = write("ref.A.en", "Yes.\n").parent
    data = {"source": "src.de", "references": ["ref.A.en", "ref.B.en"], **PAIR}
    with pytest.raises(ConfigError, match=rf"^data.references\[1\]: {base / 'ref.B.en'}: no such file$"):
        TranslationTask.check_spec(TaskSpec(name="t", type="translation", data=data, base_dir=base))
    with pytest.raises(ConfigError, match=r"^data.train: .*train.jsonl: no such file$"):
        TranslationTask.check_spec(TaskSpec(name="t", type="translation", base_dir=base,
                                            data={"path": "src.jsonl", "train": "train.jsonl", **PAIR}))  # fmt: skip
