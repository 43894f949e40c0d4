"""Each baseline declares its params as an option schema; what is left to check by hand
is that a baseline asks for no weights."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpbench import ConfigError, ModelSpec, option_problems
from nlpbench_baselines.copy_source import CopyModel
from nlpbench_baselines.lead import LeadModel
from nlpbench_baselines.majority import MajorityModel
from nlpbench_baselines.params import (
    CopyParams,
    LeadParams,
    MajorityParams,
    ReplayParams,
    SlidingWindowParams,
    WordlistParams,
    check_sources,
    choice_param,
    string_param,
)
from nlpbench_baselines.replay import ReplayModel
from nlpbench_baselines.sliding_window import SlidingWindowModel
from nlpbench_baselines.wordlist import WordlistModel


def test_each_model_type_declares_its_schema_and_documents_every_param() -> None:
    declared = {
        CopyModel: CopyParams, LeadModel: LeadParams, MajorityModel: MajorityParams, ReplayModel: ReplayParams,
        SlidingWindowModel: SlidingWindowParams, WordlistModel: WordlistParams,
    }  # fmt: skip
    for model, schema in declared.items():
        assert model.options is schema  # type: ignore[attr-defined]
        for name, field in schema.model_fields.items():
            assert field.description, f"{schema.__name__}.{name} has no description"


def test_defaults() -> None:
    assert (LeadParams().k, LeadParams().join) == (3, "newline")
    assert (SlidingWindowParams().max_answer_words, SlidingWindowParams().window) == (5, None)


def test_every_problem_at_once() -> None:
    problems = option_problems(SlidingWindowParams, {"max_answer_words": 0, "window": "5", "windw": 5}, "params")
    assert [p.split(":")[0] for p in problems] == ["params.max_answer_words", "params.window", "params.windw"]


def test_weights_are_refused_with_the_hint() -> None:
    with pytest.raises(ConfigError, match=r"model type 't' loads no weights: remove hub \(set params.x\)"):
        check_sources(ModelSpec(name="m", type="t", hub="gpt2"), "set params.x")


def test_the_fields_a_type_loads_from_are_allowed() -> None:
    check_sources(ModelSpec(name="m", type="t", path=Path("p.jsonl")), "hint", loads=("path",))
    with pytest.raises(ConfigError, match="loads no weights: remove hub"):
        check_sources(ModelSpec(name="m", type="t", hub="gpt2"), "hint", loads=("path",))


def test_string_param() -> None:
    spec = ModelSpec(name="m", type="t", params={"a": "x", "b": " ", "c": 3})
    assert string_param(spec, "a") == "x" and string_param(spec, "z") is None
    for key in ("b", "c"):
        with pytest.raises(ConfigError, match=f"params.{key} must be a non-empty string"):
            string_param(spec, key)


def test_choice_param() -> None:
    spec = ModelSpec(name="m", type="t", params={"join": "space", "bad": "spaces", "number": 1})
    assert choice_param(spec, "join", ("newline", "space")) == "space"
    assert choice_param(spec, "absent", ("newline", "space")) == "newline"
    with pytest.raises(ConfigError, match=r"not 'spaces' \(did you mean 'space'\?\)"):
        choice_param(spec, "bad", ("newline", "space"))
    with pytest.raises(ConfigError, match=r"params\.number must be one of newline, space, not 1$"):
        choice_param(spec, "number", ("newline", "space"))
