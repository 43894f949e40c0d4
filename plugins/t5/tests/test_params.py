"""The t5 model type's option schema (params) and its config check, before anything loads."""

from __future__ import annotations

from typing import Any

import pytest
from transformers import T5Config

from nlpbench import ConfigError, ModelSpec
from nlpbench_t5 import T5Model
from nlpbench_t5.params import T5_CONFIG, T5Params
from nlpbench_transformers.testing import assert_architecture_matches


def problems(**fields: Any) -> list[str]:
    try:
        T5Model.check_spec(ModelSpec(name="t", type="t5", **fields))
    except ConfigError as error:
        return list(getattr(error, "messages", [str(error)]))
    return []


def test_the_model_type_declares_its_schema() -> None:
    assert T5Model.options is T5Params
    assert (T5Params().truncation, T5Params().score_eos) == ("right", False)


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"d_model": 64, "d_ff": 128, "num_layers": 2, "num_heads": 2, "d_kv": 32}, []),
        ({"d_model": 0}, ["config.d_model: must be at least 1, not 0"]),
        ({"num_layer": 2}, ["config.num_layer: not a setting of t5 (did you mean 'num_layers'?)"]),
        ({"hidden_size": -8}, ["config.hidden_size: must be at least 1, not -8"]),  # T5's alias of d_model
        ({"dropout_rate": -0.1, "d_kv": 2.5}, ["config.d_kv: must be a whole number, not 2.5", "config.dropout_rate: must be at least 0"]),
        # BART through the t5 type: its sizes are checked here, its other keys when it is built
        ({"model_type": "bart", "d_model": 16, "encoder_layers": 1}, []),
    ],
)  # fmt: skip
def test_configs(config: dict[str, Any], expected: list[str]) -> None:
    found = problems(config=config)
    assert len(found) == len(expected)
    for problem, start in zip(sorted(found), sorted(expected), strict=True):
        assert problem.startswith(start)


def test_params_and_config_together() -> None:
    assert problems(config={"d_model": 0}, params={"score_eos": "yes"}) == [
        "params.score_eos: must be true or false, not 'yes'",
        "config.d_model: must be at least 1, not 0",
    ]


def test_the_config_check_knows_exactly_what_t5config_takes() -> None:
    assert_architecture_matches(T5_CONFIG, T5Config)
