from __future__ import annotations

import pytest

from nlpbench import ConfigError
from nlpbench_transformers import HFParams, parse_params


def test_defaults() -> None:
    assert parse_params({}) == HFParams()


def test_values_and_own_params() -> None:
    params = parse_params(
        {
            "device": "cpu",
            "dtype": "bfloat16",
            "batch_size": "auto",
            "max_length": 128,
            "truncation": "right",
            "head": "qa",
        },
        own=("head",),
    )
    assert (params.device, params.dtype, params.batch_size, params.max_length, params.truncation) == (
        "cpu", "bfloat16", None, 128, "right",
    )  # fmt: skip
    assert params.extra == {"head": "qa"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"devise": "cpu"}, "params.devise: unknown param (did you mean 'device'?)"),
        ({"device": "tpu"}, "params.device: must be one of auto, cpu, cuda, not 'tpu'"),
        ({"dtype": "float8"}, "params.dtype: must be one of float32, bfloat16, float16"),
        ({"batch_size": 0}, "params.batch_size: must be a positive integer or 'auto', not 0"),
        ({"batch_size": True}, "params.batch_size: must be a positive integer or 'auto'"),
        ({"max_length": 1}, "params.max_length: must be an integer of at least 2, not 1"),
        ({"truncation": "middle"}, "params.truncation: must be one of left, right"),
    ],
)
def test_mistakes(params: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_params(params)
    assert message in str(caught.value)
