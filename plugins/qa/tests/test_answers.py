"""Every shape answers come in, and what is wrong with the others."""

from __future__ import annotations

from typing import Any

import pytest

from nlpbench_qa.answers import Answers, AnswersProblem, parse_answers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["Denver Broncos", "Broncos"], Answers(("Denver Broncos", "Broncos"), (None, None))),
        ([{"text": "Denver Broncos", "answer_start": 177}], Answers(("Denver Broncos",), (177,))),
        (
            {"text": ["Denver Broncos", "Broncos"], "answer_start": [177, 184]},
            Answers(("Denver Broncos", "Broncos"), (177, 184)),
        ),
        ({"text": ["Broncos"]}, Answers(("Broncos",), (None,))),
        ({"text": "Broncos", "answer_start": 3}, Answers(("Broncos",), (3,))),
        ("Denver Broncos", Answers(("Denver Broncos",), (None,))),
        (["Broncos", {"text": "the Broncos", "answer_start": 0}], Answers(("Broncos", "the Broncos"), (None, 0))),
    ],
)
def test_each_shape(value: Any, expected: Answers) -> None:
    assert parse_answers(value) == expected


@pytest.mark.parametrize(
    "value", [[], [""], ["  "], {"text": [], "answer_start": []}, [{"text": "", "answer_start": -1}]]
)
def test_empty_answers_mean_no_answer(value: Any) -> None:
    # SQuAD v2's rule: an answer that is empty doesn't count, so none is left
    assert parse_answers(value) == Answers()


def test_json_in_a_csv_cell() -> None:
    assert parse_answers('["a", "b"]', json_in_text=True).texts == ("a", "b")
    assert parse_answers("[]", json_in_text=True) == Answers()
    assert parse_answers('{"text": ["a"], "answer_start": [4]}', json_in_text=True) == Answers(("a",), (4,))
    # not JSON: an answer that starts with a bracket
    assert parse_answers("[sic] erat", json_in_text=True).texts == ("[sic] erat",)
    # only CSV and TSV cells are decoded: in JSON the string is the answer
    assert parse_answers('["a"]').texts == ('["a"]',)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (42, "must hold the answers (a list of strings, a list of"),
        (None, "not null"),
        ([1], "answer 0 must be a string or a {text, answer_start} object, not int"),
        ([{"answer": "x"}], "answer 0 has no 'text' (its keys: answer)"),
        ({"text": ["a", "b"], "answer_start": [1]}, "'answer_start' must be a list as long as 'text' (2)"),
        ([{"text": 3}], "answer 0: the text must be a string, not int"),
        ([{"text": "a", "answer_start": "7"}], "answer_start must be a character offset (0 or more), not '7'"),
        ([{"text": "a", "answer_start": True}], "answer_start must be a character offset"),
    ],
)
def test_wrong_shapes(value: Any, message: str) -> None:
    with pytest.raises(AnswersProblem) as raised:
        parse_answers(value)
    assert message in str(raised.value)
