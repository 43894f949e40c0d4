from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from nlpbench import ConfigError
from nlpbench_baselines.predictions import (
    SavedPredictions,
    check_id_format,
    format_of,
    misalignment,
    read_predictions,
    shifted,
)

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
    assert format_of(Path("predictions.json"), None, "params.predictions") == "json"  # SQuAD's {id: answer}


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


def test_a_squad_style_json_object_of_id_to_answer(write: Write) -> None:
    path = write("predictions.json", '{\n  "56be4db0": "Denver Broncos",\n  "56be4db1": "",\n  "q3": 1888\n}\n')
    saved = read_predictions(path, "json", "params.predictions")
    assert saved.by_id == {"56be4db0": "Denver Broncos", "56be4db1": "", "q3": "1888"}  # "" is SQuAD 2's no-answer
    assert saved.format == "json" and saved.lines == {"56be4db0": 1, "56be4db1": 2, "q3": 3}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"id": "a", "prediction": "x"}]', "must be one object of example id → prediction (as SQuAD's), not a list"),
        ('{"a": "x", "a": "y"}', "id 'a' twice in the JSON object"),
        ('{"a": ["x"]}', """the prediction of 'a' must be text or a number, not ["x"]"""),
        ('{"a": "x",\n', ":2: invalid JSON"),
        ("{}", "no predictions in the file"),
    ],
)
def test_bad_json_objects_are_config_errors(write: Write, content: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        read_predictions(write("p.json", content), "json", "path")
    assert message in str(raised.value)


def test_shifted_moves_the_number_at_the_end_of_an_id() -> None:
    assert shifted("wmt22-7", 1) == "wmt22-8" and shifted("7", -1) == "6" and shifted("q-0009a", 1) == "q-0010a"
    assert shifted("tiny-0", -1) is None and shifted("abc", 1) is None


def _saved(ids: list[str], format: str = "jsonl", id_format: str | None = None) -> SavedPredictions:
    return SavedPredictions(
        Path("saved.txt"), format, {i: "x" for i in ids}, {i: n for n, i in enumerate(ids, 1)}, id_format
    )


def test_ids_off_by_one_are_refused_even_when_every_selected_id_is_there() -> None:
    # WMT22's 1984 lines numbered from 1 by the task, from 0 by the file ({index}): --limit 5 finds all five
    saved = _saved([str(i) for i in range(1984)], "text", "{index}")
    problem = misalignment(saved, "wmt22", [str(i) for i in range(1, 1985)], ["1", "2", "3", "4", "5"])
    assert problem == (
        "replay: the predictions in saved.txt match 1983 of the 1984 examples of task 'wmt22' by id, but all 1984 "
        "if each example took the prediction numbered one lower (example '1', saved as '0'): the file and the task "
        "count from different starts; set params.id_format to '{line}' (lines counted from 1)"
    )
    # the other way: a task counted from 0, lines from 1
    problem = misalignment(
        _saved([f"t-{i}" for i in range(1, 9)], "text", "t-{line}"), "t", [f"t-{i}" for i in range(8)], ["t-1"]
    )
    assert problem is not None and "set params.id_format to 't-{index}' (lines counted from 0)" in problem
    # a data file with a header line numbers its rows from 2: no id_format fits
    problem = misalignment(
        _saved([f"d-{i}" for i in range(1, 6)], "text", "d-{line}"), "d", [f"d-{i}" for i in range(2, 7)], ["d-2"]
    )
    assert problem is not None and "header line" in problem and "save the predictions as JSONL" in problem
    # ids saved by a tool counting from 0
    problem = misalignment(_saved([f"q{i}" for i in range(10)]), "qa", [f"q{i}" for i in range(1, 11)], ["q1"])
    assert problem is not None and "renumber the saved ids" in problem


def test_partial_overlap_says_how_many_matched() -> None:
    saved = _saved(["a", "b", "c"])
    problem = misalignment(saved, "t", ["a", "b", "c", "d", "e"], ["a", "d", "e"])
    assert problem == (
        "replay: saved.txt has predictions for 1 of the 3 examples of task 't' asked for (the first without one: "
        "'d'; the file's ids look like 'a'); every example needs its own prediction by id"
    )


def test_more_or_fewer_predictions_than_the_task_are_fine_when_the_selected_ones_are_there() -> None:
    everything = [f"x-{i}" for i in range(1, 101)]
    # a file for more examples than the run selects (limit, sample), or for just those it selects
    assert misalignment(_saved([f"x-{i}" for i in range(1, 201)]), "t", everything, everything[:5]) is None
    assert misalignment(_saved(["x-3", "x-4", "x-50"]), "t", everything, ["x-3", "x-4", "x-50"]) is None
    # a line-aligned file longer than the task matches both ways: read as id_format says
    assert (
        misalignment(_saved([f"x-{i}" for i in range(2000)], "text", "x-{index}"), "t", everything, everything) is None
    )
    # no full list of ids: the selected ones are all there is
    assert misalignment(_saved(["a"]), "t", [], ["a"]) is None
