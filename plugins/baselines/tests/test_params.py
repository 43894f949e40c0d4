from __future__ import annotations

import pytest

from nlpbench import ConfigError, ModelSpec
from nlpbench_baselines.params import check_params, string_param


def test_known_params_pass() -> None:
    check_params(ModelSpec(name="m", type="t", params={"a": 1}), ("a", "b"), "hint")


def test_unknown_param_with_suggestion() -> None:
    with pytest.raises(ConfigError) as raised:
        check_params(ModelSpec(name="m", type="t", params={"bb": 1}), ("a", "b"), "hint")
    assert str(raised.value) == "model type 't' has no param 'bb' (did you mean 'b'?); it takes: a, b"


def test_weights_are_refused_with_the_hint() -> None:
    with pytest.raises(ConfigError, match=r"model type 't' loads no weights: remove hub \(set params.x\)"):
        check_params(ModelSpec(name="m", type="t", hub="gpt2"), (), "set params.x")


def test_string_param() -> None:
    spec = ModelSpec(name="m", type="t", params={"a": "x", "b": " ", "c": 3})
    assert string_param(spec, "a") == "x" and string_param(spec, "z") is None
    for key in ("b", "c"):
        with pytest.raises(ConfigError, match=f"params.{key} must be a non-empty string"):
            string_param(spec, key)
