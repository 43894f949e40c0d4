"""Bad params are one-line ConfigErrors naming the key, with a suggestion where one fits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, ModelSpec
from nlpbench_bert import BERTModel
from nlpbench_bert.settings import BertSettings, own_settings


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"haed": "qa"}, "params.haed: unknown param (did you mean 'head'?)"),
        ({"doc_strid": 64}, "params.doc_strid: unknown param (did you mean 'doc_stride'?)"),
        ({"batch_sise": 4}, "params.batch_sise: unknown param (did you mean 'batch_size'?)"),
        (
            {"head": "clasification"},
            "params.head: must be one of classification, qa, masked-lm, encoder, not 'clasification' (did you mean 'classification'?)",
        ),
        ({"head": "masked_lm"}, "(did you mean 'masked-lm'?)"),
        ({"pooling": "max"}, "params.pooling: must be one of mean, cls, not 'max'"),
        ({"pooling": "maen"}, "(did you mean 'mean'?)"),
        ({"doc_stride": -1}, "params.doc_stride: must be an integer of at least 0, not -1"),
        ({"n_best": 0}, "params.n_best: must be an integer of at least 1, not 0"),
        ({"max_answer_length": "30"}, "params.max_answer_length: must be an integer of at least 1, not '30'"),
        ({"temperature": 0}, "params.temperature: must be a number above 0, not 0"),
        ({"temperature": True}, "params.temperature: must be a number above 0"),
        ({"label_template": "about {}"}, "params.label_template: must be a string containing {label}"),
        ({"label_template": "{label} and {other}"}, "params.label_template: '{label} and {other}' does not format"),
        ({"truncation": "middle"}, "params.truncation: must be one of left, right"),
    ],
)
def test_mistakes(params: dict[str, Any], message: str, checkpoints: dict[str, Path]) -> None:
    with pytest.raises(ConfigError) as caught:
        BERTModel.check_spec(ModelSpec(name="m", type="bert", path=checkpoints["encoder"], params=params))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_defaults_and_values() -> None:
    assert own_settings({}) == BertSettings()
    settings = own_settings({"head": "qa", "pooling": "cls", "doc_stride": 64, "n_best": 5, "max_answer_length": 10,
                             "label_template": "It is {label}.", "temperature": 1})  # fmt: skip
    assert settings == BertSettings("qa", "cls", 64, 5, 10, "It is {label}.", 1.0)


def test_a_bad_param_stops_loading_too(checkpoints: dict[str, Path]) -> None:
    with pytest.raises(ConfigError, match=r"params\.poolng"):
        BERTModel(ModelSpec(name="m", type="bert", path=checkpoints["encoder"], params={"poolng": "cls"}))
