"""Loading: from a folder, from a config (untrained), and the errors users read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from nlpbench import ConfigError, GenerateRequest, LoglikelihoodRequest, ModelError, ModelSpec
from nlpbench_gpt import GPTModel


def spec(**fields: Any) -> ModelSpec:
    return ModelSpec(name="tiny-gpt", type="gpt", **fields)


def test_describe_a_model_loaded_from_a_folder(gpt: Callable[..., Any], tiny_gpt_dir: Path) -> None:
    facts = gpt().describe()
    assert facts["source"] == f"path {tiny_gpt_dir}"
    assert facts["trained"] is True
    assert (facts["device"], facts["dtype"]) == ("cpu", "float32")
    assert facts["max_length"] == 128  # the model's n_positions
    assert facts["share_contexts"] is True
    assert facts["rolling_stride"] == 64


def test_built_from_a_config_untrained() -> None:
    config = {"n_layer": 1, "n_embd": 32, "n_head": 2, "n_positions": 64}
    model = GPTModel(spec(config=config, params={"device": "cpu"}, seed=7))
    try:
        facts = model.describe()
        assert facts["trained"] is False
        assert facts["max_length"] == 64
        (answer,) = model.loglikelihood([LoglikelihoodRequest("Hello", " world")])
        assert answer.logprob < 0 and answer.n_tokens == 1
        assert isinstance(model.generate([GenerateRequest("Hello", max_new_tokens=2)])[0], str)
    finally:
        model.close()


def test_close_frees_the_model(load_gpt: Callable[..., Any]) -> None:
    model = load_gpt()
    facts = model.describe()
    model.close()
    assert model.describe() == facts  # still there for results
    with pytest.raises(ModelError, match="closed"):
        model.loglikelihood([LoglikelihoodRequest("a", " b")])
    model.close()  # twice is fine


def test_pickled_weights_are_refused(tmp_path: Path, tiny_gpt_dir: Path) -> None:
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        (tmp_path / name).write_bytes((tiny_gpt_dir / name).read_bytes())
    (tmp_path / "pytorch_model.bin").write_bytes(b"not really a pickle")
    with pytest.raises(ModelError, match="safetensors"):
        GPTModel(spec(path=tmp_path, params={"device": "cpu"}))


def test_unknown_params_get_a_suggestion(tiny_gpt_dir: Path) -> None:
    with pytest.raises(ConfigError, match="did you mean 'rolling_stride'"):
        GPTModel.check_spec(spec(path=tiny_gpt_dir, params={"rolling_strid": 4}))
    with pytest.raises(ConfigError, match="did you mean 'batch_size'"):
        GPTModel(spec(path=tiny_gpt_dir, params={"batchsize": 4}))


def test_nothing_to_load() -> None:
    with pytest.raises(ConfigError, match="path"):
        GPTModel.check_spec(spec())


def test_max_length_beyond_the_model_is_refused(tiny_gpt_dir: Path) -> None:
    with pytest.raises(ModelError, match="128 positions"):
        GPTModel(spec(path=tiny_gpt_dir, params={"device": "cpu", "max_length": 4096}))


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_cuda(tiny_gpt_dir: Path) -> None:
    with pytest.raises(ModelError, match="no CUDA"):
        GPTModel(spec(path=tiny_gpt_dir, params={"device": "cuda"}))
