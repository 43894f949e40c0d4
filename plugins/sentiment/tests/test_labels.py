from __future__ import annotations

from typing import Any

import pytest

from nlpbench_sentiment.labels import LabelNamer, LabelProblem, label_key


@pytest.mark.parametrize(("raw", "key"), [(1, "1"), ("0", "0"), (" pos ", "pos"), (True, "1"), (1.0, "1")])
def test_label_key(raw: Any, key: str) -> None:
    assert label_key(raw) == key


@pytest.mark.parametrize(("raw", "name"), [(0, "negative"), ("1", "positive"), ("happy", "happy")])
def test_defaults(raw: Any, name: str) -> None:
    assert LabelNamer().name(raw) == name


def test_other_numbers_need_a_mapping() -> None:
    with pytest.raises(LabelProblem, match=r"label '2' is a number; name it with data.label_names or data.labels"):
        LabelNamer().name(2)


def test_by_label_names() -> None:
    namer = LabelNamer(label_names={"0": "neg", "1": "pos"})
    assert namer.name("1") == "pos" and namer.name(0) == "neg"
    with pytest.raises(LabelProblem, match=r"label '2' is not in data.label_names \('0', '1'\)"):
        namer.name(2)


def test_by_position_in_labels() -> None:
    namer = LabelNamer(labels=("bad", "neutral", "good"))
    assert [namer.name(v) for v in (0, "1", 2, "good")] == ["bad", "neutral", "good", "good"]
    with pytest.raises(LabelProblem, match=r"label 3 is out of range: data.labels has 3"):
        namer.name(3)
    with pytest.raises(LabelProblem, match=r"label 'great' is not one of data.labels: bad, neutral, good"):
        namer.name("great")


def test_a_name_that_looks_like_a_number_is_a_name() -> None:
    namer = LabelNamer(labels=("1", "2", "3", "4", "5"))
    assert namer.name("1") == "1" and namer.name(5) == "5"


def test_label_names_must_give_one_of_labels() -> None:
    namer = LabelNamer(labels=("negative", "positive"), label_names={"0": "negative", "1": "postive"})
    with pytest.raises(LabelProblem, match=r"label 'postive' is not one of data.labels"):
        namer.name(1)
