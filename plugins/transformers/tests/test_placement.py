"""Big models: a device map's input device and placement facts, dtype auto, accelerate's
absence, and a small checkpoint spread by accelerate on the CPU (and disk) answering as
it does whole."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import torch
from transformers import AutoModelForCausalLM, GPT2Config

from nlpbench import ConfigError, ModelError, ModelSpec
from nlpbench_transformers import HFParams, input_device, load_model, resolve_dtype
from nlpbench_transformers.bpe import gpt2_bpe
from nlpbench_transformers.placement import first_device, placement_facts
from nlpbench_transformers.testing import offloading_memory


@pytest.mark.parametrize(
    ("device_map", "device"),
    [
        ({"": "disk"}, "cpu"),  # everything offloaded, nothing else: computed on the CPU
        ({"a": "cpu", "b": "disk"}, "cpu"),
        ({"a": 0, "b": 1}, "cuda:0"),
        ({"a": "cpu", "b": 1, "c": 0}, "cuda:1"),  # an offloaded module runs on the first accelerator
        ({"a": "cuda:2", "b": "cpu"}, "cuda:2"),
    ],
)
def test_inputs_go_where_the_first_module_computes(device_map: dict[str, Any], device: str) -> None:
    assert first_device(device_map) == torch.device(device)


def test_placement_facts_count_modules_per_device() -> None:
    placed = SimpleNamespace(hf_device_map={"a": 0, "b": 0, "c": 1, "d": "cpu", "e": "disk"})
    assert placement_facts(placed) == {"cuda:0": 2, "cuda:1": 1, "cpu": 1, "disk": 1}
    assert placement_facts(object()) == {}


def test_dtype_auto_is_bfloat16_only_on_a_cuda_gpu_that_has_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_dtype("auto", torch.device("cpu")) is torch.float32
    assert resolve_dtype("auto") is torch.float32
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *args, **kwargs: True)
    assert resolve_dtype("auto", torch.device("cuda")) is torch.bfloat16
    assert resolve_dtype("auto", torch.device("cpu")) is torch.float32
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *args, **kwargs: False)
    assert resolve_dtype("auto", torch.device("cuda")) is torch.float32  # an older GPU: float32, not float16
    assert resolve_dtype("bfloat16", torch.device("cpu")) is torch.bfloat16


@pytest.fixture(scope="module")
def saved_gpt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny GPT-2 (the real BPE), saved with save_pretrained."""
    from transformers import PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-gpt")
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=gpt2_bpe()._tokenizer, eos_token="<|endoftext|>")
    torch.manual_seed(0)
    config = GPT2Config(n_layer=2, n_embd=32, n_head=2, n_positions=64, vocab_size=len(tokenizer))
    AutoModelForCausalLM.from_config(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def _load(folder: Path, **params: Any) -> Any:
    return load_model(
        ModelSpec(name="m", type="gpt", path=folder), HFParams.model_validate(params), AutoModelForCausalLM,
        default_model_type="gpt2", default_tokenizer=lambda: None,
    )  # fmt: skip


@pytest.mark.parametrize("memory", ["cpu", "offloaded"])
def test_a_spread_model_gives_the_same_logits(saved_gpt: Path, memory: str) -> None:
    whole = _load(saved_gpt, device="cpu")
    max_memory = {"cpu": "1GiB"} if memory == "cpu" else offloading_memory(saved_gpt)
    spread = _load(saved_gpt, device_map="auto", max_memory=max_memory, dtype="auto")
    assert (spread.device, spread.dtype) == (torch.device("cpu"), torch.float32)  # dtype auto on the CPU
    facts = spread.describe()
    assert facts["device_map"] == "auto" and facts["dtype"] == "float32"
    if memory == "offloaded":  # accelerate's hooks stream the weights it left on disk
        assert "disk" in facts["placement"] and input_device(spread.model) == torch.device("cpu")
    ids = torch.tensor([[464, 3139, 286, 4881, 318]])
    with torch.inference_mode():
        expected, got = whole.model(ids).logits, spread.model(ids.to(spread.device)).logits
    assert torch.allclose(got, expected, atol=1e-5)


def test_without_accelerate_device_map_is_one_line_naming_the_pip_command(
    saved_gpt: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("nlpbench_transformers.placement.find_spec", lambda name: None)
    with pytest.raises(ModelError) as caught:
        _load(saved_gpt, device_map="auto")
    assert str(caught.value) == "params.device_map needs accelerate, which is not installed: pip install accelerate"
    assert _load(saved_gpt, device="cpu").device == torch.device("cpu")  # without device_map it is not needed


def test_device_cpu_loads_the_whole_model_on_the_cpu(saved_gpt: Path) -> None:
    loaded = _load(saved_gpt, device="cpu", device_map="auto", max_memory={"cpu": 1000})
    assert loaded.device_map is None and not getattr(loaded.model, "hf_device_map", None)


def test_a_model_built_from_a_config_is_not_spread() -> None:
    spec = ModelSpec(name="m", type="gpt", config={"n_layer": 1, "n_embd": 8, "n_head": 1})
    with pytest.raises(ConfigError, match=r"^params.device_map: spreads a saved checkpoint \(path: or hub:\)"):
        load_model(spec, HFParams.model_validate({"device_map": "auto"}), AutoModelForCausalLM,
                   default_model_type="gpt2", default_tokenizer=lambda: None)  # fmt: skip


def test_a_placement_transformers_cannot_make_is_one_line(saved_gpt: Path) -> None:
    class Failing:  # transformers 5's tied-weight placement fails so for some max_memory
        @staticmethod
        def from_pretrained(*args: Any, **kwargs: Any) -> Any:
            raise IndexError("list index out of range")

    params = HFParams.model_validate({"device_map": "auto", "max_memory": {"cpu": "1MB", "disk": "1GiB"}})
    with pytest.raises(ModelError) as caught:
        load_model(ModelSpec(name="m", type="gpt", path=saved_gpt), params, Failing,
                   default_model_type="gpt2", default_tokenizer=lambda: None)  # fmt: skip
    assert str(caught.value) == (
        f"cannot spread '{saved_gpt}' with device_map auto and max_memory {{'cpu': '1MB', 'disk': '1GiB'}}: "
        "transformers failed (list index out of range); another max_memory may place it"
    )
