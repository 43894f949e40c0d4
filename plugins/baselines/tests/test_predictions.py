from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from nlpbench import ConfigError
from nlpbench_baselines.predictions import check_id_format, format_of, read_predictions

Write = Callable[[str, str], Path]


def test_jsonl_keyed_by_id(write: Write) -> None:
    path = write("p.jsonl", '{"id": "a", "prediction": "yes"}\n\n{"id": 7, "prediction": 1, "extra": null}\n')
    saved = read_predictions(path, "jsonl", "params.predictions")
    assert saved.by_id == {"a": "yes", "7": "1"} and saved.lines == {"a": 1, "7": 3} and len(saved) == 2


def test_jsonl_with_other_columns(write: Write) -> None:
    path = write("p.jsonl", '{"qid": "a", "answer": "Paris", "score": 0.5}\n')
    assert read_predictions(path, "jsonl", "path", id_column="qid", prediction_column="answer").by_id == {"a": "Paris"}


def test_jsonl_strings_may_hold_line_separators(write: Write) -> None:
    path = write("p.jsonl", '{"id": "a", "prediction": "one\u2028two"}\n')
    assert read_predictions(path, "jsonl", "path").by_id == {"a": "one\u2028two"}


def test_text_aligned_by_line(write: Write) -> None:
    path = write("p.txt", "first\n\nthird \r\n")
    assert read_predictions(path, "text", "path").by_id == {"1": "first", "2": "", "3": "third "}
    saved = read_predictions(path, "text", "path", id_format="tiny-{index}")
    assert list(saved.by_id) == ["tiny-0", "tiny-1", "tiny-2"] and saved.lines["tiny-2"] == 3
    assert read_predictions(write("q.txt", "no final newline"), "text", "path").by_id == {"1": "no final newline"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"id": "a", "prediction": "x"}\n{"id": "b", "prediction": "y"}\n{"id": "a", "prediction": "z"}\n',
            ":3: id 'a' again (first on line 1)",
        ),
        ('{"id": "a", "prediction": "x"}\n{"id": "b", "prediction": ', ":2: invalid JSON"),
        ('["a", "x"]\n', ":1: each line must be a JSON object"),
        ('{"ID": "a", "prediction": "x"}\n', ":1: no column 'id' (set by params.id); columns: ID, prediction"),
        ('{"id": "a", "pred": "x"}\n', ":1: no column 'prediction' (set by params.prediction); columns: id, pred"),
        ('{"id": "a", "prediction": null}\n', ":1: column 'prediction' must be text or a number, not null"),
        ('{"id": ["a"], "prediction": "x"}\n', ":1: column 'id' must be text or a number, not [\"a\"]"),
        ('{"id": "a", "prediction": true}\n', ":1: column 'prediction' must be text or a number, not true"),
        ("\n\n", "params.predictions: {path}: no predictions in the file"),
    ],
)
def test_bad_jsonl_names_file_and_line(write: Write, content: str, message: str) -> None:
    path = write("p.jsonl", content)
    with pytest.raises(ConfigError) as raised:
        read_predictions(path, "jsonl", "params.predictions")
    assert (message.format(path=path) if "{path}" in message else f"{path}{message}") in str(raised.value)


def test_numbers_become_text(write: Write) -> None:
    path = write("p.jsonl", '{"id": 1.0, "prediction": 2.5}\n{"id": 2, "prediction": 0}\n')
    assert read_predictions(path, "jsonl", "path").by_id == {"1": "2.5", "2": "0"}


def test_missing_empty_and_folder(tmp_path: Path, write: Write) -> None:
    with pytest.raises(ConfigError, match=r"^path: .*nope.txt: no such file$"):
        read_predictions(tmp_path / "nope.txt", "text", "path")
    with pytest.raises(ConfigError, match="no predictions in the file"):
        read_predictions(write("empty.txt", ""), "text", "path")
    with pytest.raises(ConfigError, match="is a folder; replay reads one file of predictions"):
        read_predictions(tmp_path, "text", "path")
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9\n")
    with pytest.raises(ConfigError, match="cannot read"):
        read_predictions(tmp_path / "latin1.txt", "text", "path")


def test_format_of() -> None:
    assert format_of(Path("p.jsonl"), None, "path") == "jsonl"
    assert format_of(Path("p.NDJSON"), None, "path") == "jsonl"
    assert format_of(Path("hyp.Online-B.en"), None, "path") == "text"
    assert format_of(Path("p.jsonl"), "text", "path") == "text"
    with pytest.raises(ConfigError, match=r"not a JSON document; set params\.format"):
        format_of(Path("predictions.json"), None, "params.predictions")


def test_id_formats() -> None:
    for good in ("{line}", "tiny-{index}", "{line:05d}", "doc{index}-{line}"):
        check_id_format(good)
    for bad, message in [
        ("tiny", "must contain {line} or {index}"),
        ("{lines}", "unknown field '{lines}' (did you mean 'line'?)"),
        ("{0}", "unknown field '{0}'"),
        ("{line", "is not a valid format"),
        ("{line:d", "is not a valid format"),
        ("{line:q}", "is not a valid format"),
        ("{}", "unknown field"),
    ]:
        with pytest.raises(ConfigError) as raised:
            check_id_format(bad)
        assert message in str(raised.value), bad
