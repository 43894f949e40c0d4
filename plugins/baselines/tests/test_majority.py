from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ClassifyRequest, ConfigError, Model, ModelError, ModelSpec
from nlpbench_baselines import MajorityModel

Write = Callable[[str, str], Path]
LABELS = ("negative", "positive")


def spec(params: dict[str, Any], base: Path = Path("."), **fields: Any) -> ModelSpec:
    return ModelSpec(name="m", type="majority", params=params, base_dir=base, **fields)


def test_from_label() -> None:
    model = MajorityModel(spec({"label": "positive"}))
    assert isinstance(model, Model) and model.capabilities == frozenset({"classify"})
    answers = model.classify([ClassifyRequest("anything", LABELS), ClassifyRequest("else", ("positive", "x"))])
    assert answers == [{"negative": 0.0, "positive": 1.0}, {"positive": 1.0, "x": 0.0}]
    assert list(answers[0]) == list(LABELS)  # in the request's order
    assert model.describe() == {"majority_label": "positive", "source": "params.label"}


def test_from_a_jsonl_file_relative_to_the_suite(write: Write) -> None:
    path = write("train.jsonl", '{"label": "negative"}\n{"label": "positive"}\n{"label": "negative"}\n')
    model = MajorityModel(spec({"data": "train.jsonl"}, base=path.parent))
    assert model.label == "negative"
    assert model.describe()["label_counts"] == {"negative": 2, "positive": 1}
    assert model.classify([ClassifyRequest("x", LABELS)]) == [{"negative": 1.0, "positive": 0.0}]


def test_from_a_csv_with_another_column(write: Write) -> None:
    path = write("train.csv", "text,y\na,spam\nb,ham\nc,spam\n")
    assert MajorityModel(spec({"data": str(path), "label_column": "y"})).label == "spam"


def test_ties_go_to_the_name_that_sorts_first(write: Write) -> None:
    path = write("train.tsv", "sentence\tlabel\na\tpositive\nb\tnegative\n")
    assert MajorityModel(spec({"data": str(path)})).label == "negative"


def test_numeric_labels_with_label_names(write: Write) -> None:
    path = write("train.tsv", "sentence\tlabel\na\t1\nb\t1\nc\t0\n")
    model = MajorityModel(spec({"data": str(path), "label_names": {0: "negative", 1: "positive"}}))
    assert model.label == "positive"


def test_majority_label_not_asked_for(write: Write) -> None:
    path = write("train.tsv", "sentence\tlabel\na\t1\n")
    model = MajorityModel(spec({"data": str(path)}))
    with pytest.raises(
        ModelError, match=r"the majority label '1' is not among the labels asked for \(negative, positive\)"
    ):
        model.classify([ClassifyRequest("x", LABELS)])


def test_real_sst2_dev(sst2_dev: Path) -> None:
    model = MajorityModel(spec({"data": str(sst2_dev), "label_names": {0: "negative", 1: "positive"}}))
    assert model.describe()["label_counts"] == {"negative": 428, "positive": 444}
    assert model.label == "positive"


@pytest.mark.parametrize(
    ("params", "fields", "message"),
    [
        ({}, {}, "needs to know what to answer: set params.label to a label, or params.data to a training file"),
        ({"label": "a", "data": "b.tsv"}, {}, "takes params.label or params.data, not both"),
        ({"lable": "a"}, {}, "params.lable: unknown option (did you mean 'label'?)"),
        ({"label": "a", "label_column": "y"}, {}, "params.label_column only applies with params.data"),
        ({"label": 1}, {}, "params.label: must be a string, not 1"),
        ({"data": "d.tsv", "label_names": ["a"]}, {}, "params.label_names: must be a mapping, not ['a']"),
        ({"data": "d.tsv", "label_names": {0: " "}}, {}, "params.label_names[0]: must not be empty"),
        ({"data": "d.tsv", "format": "xlsx"}, {}, "params.format: unknown data format 'xlsx'"),
        ({"label": "a"}, {"hub": "gpt2"}, "model type 'majority' loads no weights: remove hub"),
    ],
)
def test_bad_params(params: dict[str, Any], fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        MajorityModel.check_spec(spec(params, **fields))
    assert message in str(raised.value)
    with pytest.raises(ConfigError):
        MajorityModel(spec(params, **fields))


def test_missing_training_file_is_found_by_check_spec(tmp_path: Path) -> None:
    """The training file is read when the entry is checked, so ``validate`` finds it."""
    missing = spec({"data": str(tmp_path / "nope.tsv")})
    for check in (MajorityModel.check_spec, MajorityModel):
        with pytest.raises(ConfigError, match=rf"^params.data: {re.escape(str(tmp_path))}/nope.tsv: no such file$"):
            check(missing)


def test_bad_training_rows_name_the_param_file_and_line(write: Write) -> None:
    path = write("train.csv", "text,label\na,x\nb,\n")
    with pytest.raises(ConfigError, match=f"^params.data: {path}:3: column 'label' is empty"):
        MajorityModel.check_spec(spec({"data": str(path)}))
    with pytest.raises(ConfigError, match=f"^params.data: {path}:2: column 'y' is missing"):
        MajorityModel.check_spec(spec({"data": str(path), "label_column": "y"}))
    path = write("train2.csv", "text,label\na,0\nb,2\n")
    with pytest.raises(ConfigError, match=f"^params.data: {path}:3: label '2' is not in params.label_names"):
        MajorityModel(spec({"data": str(path), "label_names": {"0": "negative"}}))


def test_check_labels_names_the_param_whose_label_the_task_lacks(write: Write) -> None:
    MajorityModel.check_labels(spec({"label": "positive"}), LABELS)
    with pytest.raises(
        ConfigError, match=r"^params.label: 'pos' is not among the task's labels \(negative, positive\)$"
    ):
        MajorityModel.check_labels(spec({"label": "pos"}), LABELS)
    path = write("train.tsv", "sentence\tlabel\na\t1\n")
    with pytest.raises(ConfigError, match=rf"^params.data: the majority label of {path}, '1', is not among"):
        MajorityModel.check_labels(spec({"data": str(path)}), LABELS)
    MajorityModel.check_labels(spec({"data": str(path), "label_names": {1: "positive"}}), LABELS)
