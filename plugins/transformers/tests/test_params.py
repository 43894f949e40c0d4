"""The common params of every transformer model type, as an option schema, and the
checks of a ``config:`` that run when a suite is validated (without torch)."""

from __future__ import annotations

import pytest

from nlpbench import Options, option_problems
from nlpbench_transformers import HFParams, config_problems
from nlpbench_transformers.architecture import ArchitectureCheck, Count, Size


def test_defaults() -> None:
    params = HFParams()
    assert (params.device, params.dtype, params.batch_size, params.max_length, params.truncation) == (
        "auto", "float32", 8, None, "left",
    )  # fmt: skip


def test_values() -> None:
    params = HFParams.model_validate(
        {"device": "cpu", "dtype": "bfloat16", "batch_size": "auto", "max_length": 128, "truncation": "right"}
    )
    assert (params.device, params.dtype, params.batch_size, params.max_length, params.truncation) == (
        "cpu", "bfloat16", "auto", 128, "right",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"devise": "cpu"}, "params.devise: unknown option (did you mean 'device'?)"),
        ({"device": "tpu"}, "params.device: must be 'auto', 'cpu' or 'cuda', not 'tpu'"),
        ({"dtype": "float8"}, "params.dtype: must be 'float32', 'bfloat16', 'float16' or 'auto', not 'float8'"),
        ({"batch_size": 0}, "params.batch_size: must be a whole number from 1 to 65536, or 'auto', not 0"),
        ({"batch_size": True}, "params.batch_size: must be a whole number from 1 to 65536, or 'auto', not True"),
        ({"batch_size": 10**8}, "params.batch_size: must be a whole number from 1 to 65536, or 'auto'"),
        ({"max_length": 1}, "params.max_length: must be at least 2, not 1"),
        ({"max_length": 1e8}, "params.max_length: must be a whole number, not 100000000.0"),
        ({"truncation": "middle"}, "params.truncation: must be 'left' or 'right', not 'middle'"),
    ],
)
def test_mistakes(params: dict[str, object], message: str) -> None:
    (problem,) = option_problems(HFParams, params, "params")
    assert problem.startswith(message)


def test_big_model_params() -> None:
    assert (HFParams().device_map, HFParams().max_memory) == (None, None)
    params = HFParams.model_validate(
        {"device_map": "balanced_low_0", "max_memory": {0: "20GiB", "1": "500 MB", "cpu": "1.5GB", "disk": 10**9}}
    )
    assert params.device_map == "balanced_low_0"
    assert params.max_memory == {0: "20GiB", 1: "500MB", "cpu": "1.5GB", "disk": 10**9}  # as accelerate reads them
    assert HFParams.model_validate({"dtype": "auto"}).dtype == "auto"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"device_map": "everywhere"}, "params.device_map: must be 'auto', 'balanced', 'balanced_low_0' or 'sequential', not 'everywhere'"),
        ({"device_map": "Auto"}, "params.device_map: must be 'auto', 'balanced', 'balanced_low_0' or 'sequential', not 'Auto' (did you mean 'auto'?)"),
        ({"max_memory": {0: "20GiB"}}, "params.max_memory: applies only with device_map (auto, balanced, balanced_low_0, sequential), not alone"),
        ({"device_map": "auto", "max_memory": {"gpu0": "20GiB"}}, "params.max_memory: 'gpu0' is not a GPU index (0, 1, ...), cpu or disk"),
        ({"device_map": "auto", "max_memory": {-1: "20GiB"}}, "params.max_memory: -1 is not a GPU index (0, 1, ...), cpu or disk"),
        ({"device_map": "auto", "max_memory": {True: "1GB"}}, "params.max_memory: True is not a GPU index (0, 1, ...), cpu or disk"),
        ({"device_map": "auto", "max_memory": {0: "20 gigs"}}, "params.max_memory: '20 gigs' (for 0) is not a size: give bytes or a number with KB, MB, GB, KiB, MiB or GiB, as 20GiB"),
        ({"device_map": "auto", "max_memory": {"cpu": "2TB"}}, "params.max_memory: '2TB' (for cpu) is not a size"),
        ({"device_map": "auto", "max_memory": {"cpu": -5}}, "params.max_memory: -5 (for cpu) is not a size"),
        ({"device_map": "auto", "max_memory": {}}, "params.max_memory: must be a mapping of GPU index, cpu or disk to a size such as 20GiB, not {}"),
        ({"device_map": "auto", "max_memory": "20GiB"}, "params.max_memory: must be a mapping of GPU index, cpu or disk to a size such as 20GiB, not '20GiB'"),
    ],
)  # fmt: skip
def test_big_model_mistakes(params: dict[str, object], message: str) -> None:
    (problem,) = option_problems(HFParams, params, "params")
    assert problem.startswith(message)


def test_a_bad_device_map_is_the_one_problem_even_with_max_memory() -> None:
    problems = option_problems(HFParams, {"device_map": "all", "max_memory": {"cpu": "1GiB"}}, "params")
    assert [p.split(":")[0] for p in problems] == ["params.device_map"]


def test_every_mistake_is_reported_at_once() -> None:
    problems = option_problems(HFParams, {"device": "tpu", "batch_size": 0, "max_lenght": 3}, "params")
    assert [p.split(":")[0] for p in problems] == ["params.device", "params.batch_size", "params.max_lenght"]


class _Tiny(Options):
    width: Size = 8
    heads: Count = 2


TINY = ArchitectureCheck(
    model_type="tiny", schema=_Tiny, passed_through=frozenset({"use_cache"}), aliases={"hidden_size": "width"},
    divisible=(("width", "heads"),),
)  # fmt: skip


@pytest.mark.parametrize(
    ("config", "problems"),
    [
        ({"width": 16, "heads": 4, "use_cache": False, "bos_token_id": 3}, []),
        ({"width": -64}, ["config.width: must be at least 1, not -64"]),
        ({"widht": 16}, ["config.widht: not a setting of tiny (did you mean 'width'?)"]),
        ({"width": 10, "heads": 4}, ["config.width: 10 is not a multiple of heads (4): each attention head takes an equal share of it"]),
        ({"hidden_size": 0}, ["config.hidden_size: must be at least 1, not 0"]),
        ({"hidden_size": 9}, ["config.hidden_size: 9 is not a multiple of heads (2): each attention head takes an equal share of it"]),
        ({"hidden_size": 8, "width": 8}, ["config.width: the same setting as hidden_size; give one of them"]),
        ({"tokenizer": ""}, ["config.tokenizer: must be a non-empty string, not ''"]),
        ({"heads": "2", "width": 1e3}, ["config.width: must be a whole number, not 1000.0", "config.heads: must be a whole number, not '2'"]),
        ([1, 2], ["config: must be a mapping of architecture settings, not list"]),
        # another architecture: its common sizes are checked here, its other keys when it is built
        ({"model_type": "llama", "hidden_size": -3, "rope_theta": 1.0}, ["config.hidden_size: must be at least 1, not -3"]),
    ],
)  # fmt: skip
def test_config_problems(config: object, problems: list[str]) -> None:
    assert config_problems(config, TINY) == problems
