"""SQuAD JSON, v1.1 and v2.0: found by its structure, read into examples, errors that
name the file and the question."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import DataError
from nlpbench_qa import QATask

CONTEXT = "The Broncos beat the Panthers 24-10 in Santa Clara. Von Miller was named the game's MVP."

V1 = {
    "version": "1.1",
    "data": [
        {
            "title": "Super_Bowl_50",
            "paragraphs": [
                {
                    "context": CONTEXT,
                    "qas": [
                        {
                            "id": "q1",
                            "question": "Who won? ",
                            "answers": [
                                {"text": "The Broncos", "answer_start": 0},
                                {"text": "Broncos", "answer_start": 4},
                            ],
                        },
                        {"id": "q2", "question": "Where?", "answers": [{"text": "Santa Clara", "answer_start": 39}]},
                    ],
                }
            ],
        },
        {
            "title": "MVP",
            "paragraphs": [
                {
                    "context": CONTEXT,
                    "qas": [
                        {
                            "id": "q3",
                            "question": "Who was MVP?",
                            "answers": [{"text": "Von Miller", "answer_start": 52}],
                        }
                    ],
                }
            ],
        },
    ],
}

V2 = {
    "version": "v2.0",
    "data": [
        {
            "title": "Super_Bowl_50",
            "paragraphs": [
                {
                    "context": CONTEXT,
                    "qas": [
                        {
                            "id": "a1",
                            "question": "Who won?",
                            "answers": [{"text": "The Broncos", "answer_start": 0}],
                            "is_impossible": False,
                        },
                        {
                            "id": "a2",
                            "question": "How many people watched?",
                            "answers": [],
                            "plausible_answers": [{"text": "24-10", "answer_start": 29}],
                            "is_impossible": True,
                        },
                        {"id": "a3", "question": "Who sang?", "is_impossible": True},
                    ],
                }
            ],
        }
    ],
}


def test_squad_v1(make_task: Callable[..., QATask], write_json: Callable[[str, Any], Path]) -> None:
    write_json("dev.json", V1)
    examples = make_task({"path": "dev.json"}).examples()
    assert [e.id for e in examples] == ["q1", "q2", "q3"]
    first = examples[0]
    assert first.input == "Who won?"  # stripped
    assert first.references == ("The Broncos", "Broncos")
    assert dict(first.fields) == {
        "question": "Who won?",
        "context": CONTEXT,
        "title": "Super_Bowl_50",
        "answers": ["The Broncos", "Broncos"],
        "answer_starts": [0, 4],
    }
    assert examples[2].fields["title"] == "MVP"
    for example in examples:
        for text, start in zip(example.fields["answers"], example.fields["answer_starts"], strict=True):
            assert CONTEXT[start : start + len(text)] == text


def test_squad_v2_questions_without_an_answer(
    make_task: Callable[..., QATask], write_json: Callable[[str, Any], Path]
) -> None:
    write_json("dev.json", V2)
    examples = make_task({"path": "dev.json"}).examples()
    assert [(e.id, e.references) for e in examples] == [("a1", ("The Broncos",)), ("a2", ()), ("a3", ())]
    # plausible answers are distractors, not gold answers
    assert examples[1].fields["answers"] == [] and examples[1].fields["answer_starts"] == []


def test_format_squad_reads_any_file_name(
    make_task: Callable[..., QATask], write_json: Callable[[str, Any], Path]
) -> None:
    write_json("dev.squad", V1)
    assert len(make_task({"path": "dev.squad", "format": "squad"}).examples()) == 3
    with pytest.raises(DataError, match="cannot tell the format from the extension"):
        make_task({"path": "dev.squad"}).examples()


def test_plain_json_rows_are_not_squad(
    make_task: Callable[..., QATask], write_json: Callable[[str, Any], Path]
) -> None:
    write_json("rows.json", [{"context": CONTEXT, "question": "Who won?", "answers": ["The Broncos"]}])
    (example,) = make_task({"path": "rows.json"}).examples()
    assert (example.id, example.references) == ("rows-1", ("The Broncos",))


def _broken(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    document = copy.deepcopy(V1)
    change(document)
    return document


def _qa(document: dict[str, Any], article: int = 0, question: int = 1) -> dict[str, Any]:
    qa: dict[str, Any] = document["data"][article]["paragraphs"][0]["qas"][question]
    return qa


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["data"][0]["paragraphs"][0].pop("qas"), r"dev.json: data\[0\].paragraphs\[0\]: 'qas' is missing$"),
        (lambda d: d["data"][1].pop("paragraphs"), r"dev.json: data\[1\]: 'paragraphs' is missing$"),
        (lambda d: d["data"][0]["paragraphs"][0].update(context=" "), r"data\[0\].paragraphs\[0\]: 'context' is empty"),
        (
            lambda d: _qa(d).update(question="  "),
            r"dev.json: question 'q2' \(data\[0\].paragraphs\[0\].qas\[1\]\): the question is empty$",
        ),
        (lambda d: _qa(d).pop("id"), r"dev.json: data\[0\].paragraphs\[0\].qas\[1\]: 'id' is missing$"),
        (
            lambda d: _qa(d, 1, 0).update(id="q1"),
            r"question 'q1' \(data\[1\].paragraphs\[0\].qas\[0\]\): the id is already used at data\[0\].paragraphs\[0\].qas\[0\]",
        ),
        (
            lambda d: _qa(d).update(answers="Santa Clara"),
            r"question 'q2' .*: 'answers' must be a list of \{text, answer_start\}, not str",
        ),
        (lambda d: _qa(d).pop("answers"), r"question 'q2' .*: 'answers' is missing"),
        (
            lambda d: _qa(d).update(answers=[{"answer_start": 3}]),
            r"question 'q2' .*: 'answers': answer 0 has no 'text'",
        ),
        (lambda d: _qa(d).update(is_impossible=True), r"question 'q2' .*: 'is_impossible' is true but it has answers"),
        (
            lambda d: _qa(d).update(answers=[], is_impossible=False),
            r"question 'q2' .*: it has no answers, but 'is_impossible' is false",
        ),
        (lambda d: _qa(d).update(is_impossible="yes"), r"'is_impossible' must be true or false, not 'yes'"),
        (
            lambda d: d["data"][0]["paragraphs"][0].update(qas=[]) or d["data"].pop(1),
            r"dev.json: no questions in the file",
        ),
        (lambda d: d["data"].append("article"), r"data\[2\] must be an article object with 'paragraphs', not str"),
    ],
)
def test_errors_name_the_file_and_the_question(
    change: Callable[[dict[str, Any]], None],
    message: str,
    make_task: Callable[..., QATask],
    write_json: Callable[[str, Any], Path],
) -> None:
    path = write_json("dev.json", _broken(change))
    with pytest.raises(DataError, match=message) as raised:
        make_task({"path": "dev.json"}).examples()
    assert str(raised.value).startswith(str(path))
    assert "\n" not in str(raised.value)


def test_not_squad_when_told_it_is(make_task: Callable[..., QATask], write_json: Callable[[str, Any], Path]) -> None:
    write_json("rows.json", [{"question": "q"}])
    with pytest.raises(
        DataError, match=r'rows.json: not SQuAD JSON: expected \{"version": ..., "data": \[articles\]\}'
    ):
        make_task({"path": "rows.json", "format": "squad"}).examples()


def test_malformed_json_names_the_line(make_task: Callable[..., QATask], write: Callable[[str, str], Path]) -> None:
    write("dev.json", '{"version": "1.1",\n "data": [\n  {"title": "x",}\n]}\n')
    with pytest.raises(DataError, match=r"dev.json:3: invalid JSON: "):
        make_task({"path": "dev.json"}).examples()
