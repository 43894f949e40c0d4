"""The bert model type's option schema (params) and its config check: every problem at
once, each one line naming its key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from transformers import BertConfig

from nlpbench import ConfigError, ModelSpec, option_problems
from nlpbench_bert import BERTModel
from nlpbench_bert.settings import BERT_CONFIG, BertParams
from nlpbench_transformers.testing import assert_architecture_matches


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"haed": "qa"}, "params.haed: unknown option (did you mean 'head'?)"),
        ({"doc_strid": 64}, "params.doc_strid: unknown option (did you mean 'doc_stride'?)"),
        ({"batch_sise": 4}, "params.batch_sise: unknown option (did you mean 'batch_size'?)"),
        ({"head": "clasification"}, "params.head: must be 'classification', 'qa', 'masked-lm' or 'encoder', not 'clasification'"),
        ({"pooling": "max"}, "params.pooling: must be 'mean' or 'cls', not 'max'"),
        ({"doc_stride": -1}, "params.doc_stride: must be at least 0, not -1"),
        ({"n_best": 0}, "params.n_best: must be at least 1, not 0"),
        ({"max_answer_length": "30"}, "params.max_answer_length: must be a whole number, not '30'"),
        ({"temperature": 0}, "params.temperature: must be more than 0"),
        ({"temperature": True}, "params.temperature: must be a number, not True"),
        ({"label_template": "about {}"}, "params.label_template: must contain {label}, not 'about {}'"),
        ({"label_template": "{label} and {other}"}, "params.label_template: '{label} and {other}' may use only {label}, not {other}"),
        ({"truncation": "middle"}, "params.truncation: must be 'left' or 'right', not 'middle'"),
    ],
)  # fmt: skip
def test_mistakes(params: dict[str, Any], message: str, checkpoints: dict[str, Path]) -> None:
    with pytest.raises(ConfigError) as caught:
        BERTModel.check_spec(ModelSpec(name="m", type="bert", path=checkpoints["encoder"], params=params))
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_defaults_and_values() -> None:
    assert BERTModel.options is BertParams
    defaults = BertParams()
    assert (defaults.head, defaults.pooling, defaults.doc_stride, defaults.n_best, defaults.max_answer_length) == (
        None, "mean", 128, 20, 30,
    )  # fmt: skip
    assert (defaults.label_template, defaults.temperature, defaults.truncation) == (
        "This text is {label}.",
        0.05,
        "right",
    )
    given = {"head": "qa", "pooling": "cls", "doc_stride": 64, "n_best": 5, "max_answer_length": 10,
             "label_template": "It is {label}.", "temperature": 1}  # fmt: skip
    assert BertParams.model_validate(given).model_dump(include=set(given)) == given


def test_a_bad_param_stops_loading_too(checkpoints: dict[str, Path]) -> None:
    with pytest.raises(ConfigError, match=r"params\.poolng"):
        BERTModel(ModelSpec(name="m", type="bert", path=checkpoints["encoder"], params={"poolng": "cls"}))


def test_a_config_is_checked_with_the_params() -> None:
    config = {"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 3, "intermediate_sise": 128}
    with pytest.raises(ConfigError) as caught:
        BERTModel.check_spec(ModelSpec(name="m", type="bert", config=config, params={"n_best": 0}))
    assert caught.value.messages == [  # type: ignore[attr-defined]
        "params.n_best: must be at least 1, not 0",
        "config.intermediate_sise: not a setting of bert (did you mean 'intermediate_size'?)",
        "config.hidden_size: 64 is not a multiple of num_attention_heads (3): each attention head takes an equal share of it",
    ]  # fmt: skip
    good = {"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 2, "intermediate_size": 128}
    BERTModel.check_spec(ModelSpec(name="m", type="bert", config=good, params={"head": "classification"}))


def test_the_config_check_knows_exactly_what_bertconfig_takes() -> None:
    assert_architecture_matches(BERT_CONFIG, BertConfig)
    (problem,) = option_problems(BERT_CONFIG.schema, {"hidden_dropout_prob": 1.0}, "config")
    assert problem.startswith("config.hidden_dropout_prob: must be less than 1")
