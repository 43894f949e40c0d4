from __future__ import annotations

from pathlib import Path

import pytest

from nlpbench import ConfigError, ModelSpec
from nlpbench_baselines.params import check_params, choice_param, int_param, string_param


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


def test_the_fields_a_type_loads_from_are_allowed() -> None:
    check_params(ModelSpec(name="m", type="t", path=Path("p.jsonl")), (), "hint", loads=("path",))
    with pytest.raises(ConfigError, match="loads no weights: remove hub"):
        check_params(ModelSpec(name="m", type="t", hub="gpt2"), (), "hint", loads=("path",))


def test_int_param() -> None:
    spec = ModelSpec(name="m", type="t", params={"k": 2, "zero": 0, "text": "2", "flag": True})
    assert int_param(spec, "k", default=3) == 2 and int_param(spec, "absent", default=3) == 3
    assert int_param(spec, "zero", default=3, minimum=0) == 0
    for key in ("zero", "text", "flag"):
        with pytest.raises(ConfigError, match=f"params.{key} must be a whole number of at least 1"):
            int_param(spec, key, default=3)


def test_choice_param() -> None:
    spec = ModelSpec(name="m", type="t", params={"join": "space", "bad": "spaces", "number": 1})
    assert choice_param(spec, "join", ("newline", "space")) == "space"
    assert choice_param(spec, "absent", ("newline", "space")) == "newline"
    with pytest.raises(ConfigError, match=r"not 'spaces' \(did you mean 'space'\?\)"):
        choice_param(spec, "bad", ("newline", "space"))
    with pytest.raises(ConfigError, match=r"params\.number must be one of newline, space, not 1$"):
        choice_param(spec, "number", ("newline", "space"))
