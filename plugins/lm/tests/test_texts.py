"""Cutting plain text into texts, reading records, and the one-line errors for bad data."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpbench import DataError, Row
from nlpbench_lm.texts import Text, load_texts, read_text_file, split_units, texts_from_rows

FILE = " = Title = \n\n First paragraph, line one.\nline two.  \n \n\n\tSecond paragraph.\n"


def test_paragraphs_are_blocks_between_blank_lines() -> None:
    assert split_units(FILE, "paragraph", "wiki") == [
        Text("wiki-1", " = Title = ", 1),
        Text("wiki-3", " First paragraph, line one.\nline two.  ", 3),
        Text("wiki-7", "\tSecond paragraph.", 7),
    ]


def test_lines_are_the_non_blank_lines_as_written() -> None:
    assert [(t.id, t.text) for t in split_units(FILE, "line", "wiki")] == [
        ("wiki-1", " = Title = "),
        ("wiki-3", " First paragraph, line one."),
        ("wiki-4", "line two.  "),
        ("wiki-7", "\tSecond paragraph."),
    ]


def test_a_file_is_one_text_exactly_as_it_is() -> None:
    assert split_units(FILE, "file", "wiki") == [Text("wiki", FILE, 1)]


def test_line_ends_and_the_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes("\ufeffone\r\ntwo\r\n\r\nthree\rfour".encode())
    text = read_text_file(path)
    assert text == "one\ntwo\n\nthree\nfour"
    assert [t.text for t in split_units(text, "paragraph", "crlf")] == ["one\ntwo", "three\nfour"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"empty.txt: no text in the file$"),
        (b" \n\t\n\n", r"empty.txt: no text in the file$"),
        (
            b"fine\nstill fine\ncaf\xe9 au lait\n",
            r"empty.txt:3: not UTF-8 text \(byte 0xe9 at byte offset 19\); save the file as UTF-8$",
        ),
    ],
)
def test_bad_files_give_one_line_naming_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message) as error:
        read_text_file(path)
    assert "\n" not in str(error.value)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nowhere.txt: no such file$"):
        read_text_file(tmp_path / "nowhere.txt")
    with pytest.raises(DataError, match="is a folder, not a file"):
        read_text_file(tmp_path)


def rows(*values: dict[str, object]) -> list[Row]:
    return [Row(line, value) for line, value in enumerate(values, 1)]


def test_rows_keep_their_text_verbatim_and_skip_empty_ones() -> None:
    texts, skipped = texts_from_rows(
        rows({"text": " = Title = "}, {"text": ""}, {"text": "  \n"}, {"text": "Body.\n"}),
        "hf:wikitext[test]",
        "test",
        "text",
        None,
    )
    assert texts == [Text("test-1", " = Title = ", 1), Text("test-4", "Body.\n", 4)]
    assert skipped == 2


def test_rows_take_ids_from_a_column() -> None:
    texts, _ = texts_from_rows(rows({"t": "a", "k": 7}, {"t": "b", "k": "x"}), "f.jsonl", "f", "t", "k")
    assert [t.id for t in texts] == ["7", "x"]
    with pytest.raises(DataError, match=r"f.jsonl:2: id '7' is already used on line 1"):
        texts_from_rows(rows({"t": "a", "k": 7}, {"t": "b", "k": 7}), "f.jsonl", "f", "t", "k")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            ({"text": "fine"}, {"body": "no text column"}),
            r"^f.jsonl:2: column 'text' \(mapped by data.text\) is missing; columns: body$",
        ),
        (({"text": None},), r"^f.jsonl:1: column 'text' \(mapped by data.text\) is empty"),
        (({"text": 12},), r"^f.jsonl:1: column 'text' \(mapped by data.text\) must hold text, not int$"),
        (({"text": ""}, {"text": " "}), r"^f.jsonl: every row's 'text' column \(mapped by data.text\) is empty$"),
    ],
)
def test_bad_rows_give_one_line_naming_the_file_and_line(values: tuple[dict[str, object], ...], message: str) -> None:
    with pytest.raises(DataError, match=message):
        texts_from_rows(rows(*values), "f.jsonl", "f", "text", None)


def test_the_built_in_sample() -> None:
    texts, skipped = load_texts(None, "paragraph", "text", None)
    assert skipped == 0
    assert len(texts) == 6
    assert texts[0].id == "sample-1" and texts[0].text.startswith("The ferry to the island")
    assert all("\n" not in t.text for t in texts)  # each paragraph of the sample is one long line
    assert 2_000 < sum(len(t.text.encode("utf-8")) for t in texts) < 4_000
    assert any(not t.text.isascii() for t in texts)  # bytes and characters differ
    (whole,), _ = load_texts(None, "file", "text", None)
    assert whole.id == "sample" and whole.text.count("\n\n") == 5
