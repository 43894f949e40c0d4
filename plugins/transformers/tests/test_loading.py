from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import AutoModelForCausalLM, GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

from nlpbench import ConfigError, ModelError, ModelSpec
from nlpbench_transformers import HFParams, load_model


def _tokenizer() -> PreTrainedTokenizerFast:
    vocab = {"<unk>": 0, "<eos>": 1, **{w: i + 2 for i, w in enumerate(["the", "cat", "sat", "on", "a", "mat"])}}
    inner = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    inner.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=inner, unk_token="<unk>", eos_token="<eos>", pad_token="<eos>")


def _load(spec: ModelSpec, **params: Any) -> Any:
    return load_model(
        spec,
        HFParams.model_validate(params),
        AutoModelForCausalLM,
        default_model_type="gpt2",
        default_tokenizer=_tokenizer,
    )


TINY = {"n_layer": 1, "n_embd": 16, "n_head": 2, "n_positions": 32}


def test_built_from_a_config_is_untrained_and_seeded() -> None:
    first = _load(ModelSpec(name="m", type="gpt", config=TINY, seed=3))
    second = _load(ModelSpec(name="m", type="gpt", config=TINY, seed=3))
    assert first.trained is False and first.describe()["trained"] is False
    assert first.model.config.vocab_size == len(_tokenizer())
    assert first.model.config.pad_token_id == 1
    assert not first.model.training
    for a, b in zip(first.model.parameters(), second.model.parameters(), strict=True):
        assert torch.equal(a, b)


def test_a_saved_folder_loads_back(tmp_path: Path) -> None:
    model = GPT2LMHeadModel(GPT2Config(vocab_size=8, **TINY))
    model.save_pretrained(tmp_path)
    _tokenizer().save_pretrained(tmp_path)
    loaded = _load(ModelSpec(name="m", type="gpt", path=tmp_path), dtype="bfloat16")
    assert loaded.trained is True and loaded.source == f"path {tmp_path}"
    assert loaded.dtype == torch.bfloat16 and next(loaded.model.parameters()).dtype == torch.bfloat16
    assert loaded.describe()["parameters"] == sum(p.numel() for p in model.parameters())


def test_pickled_weights_are_refused(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "pytorch_model.bin").write_bytes(b"not really")
    with pytest.raises(ModelError, match="holds only pickled weights"):
        _load(ModelSpec(name="m", type="gpt", path=tmp_path))


def test_a_folder_that_is_not_a_model_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot load"):
        _load(ModelSpec(name="m", type="gpt", path=tmp_path))


def test_a_bad_config_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"config\.model_type: transformers has no model type 'no-such-architecture'"):
        _load(ModelSpec(name="m", type="gpt", config={"model_type": "no-such-architecture"}))
    with pytest.raises(ConfigError, match=r"config.model_type: .*\(did you mean 'gpt2'\?\)"):
        _load(ModelSpec(name="m", type="gpt", config={"model_type": "gtp2"}))


def test_a_setting_the_architecture_does_not_take_is_refused_when_it_is_built() -> None:
    # validate checks the model type's default architecture; another one is checked here
    config = {"model_type": "llama", "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
              "intermediate_size": 32, "rope_theta": 5.0, "num_hiden_layers": 2, "rope_paramters": {}}  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        _load(ModelSpec(name="m", type="gpt", config=config))
    assert caught.value.messages == [  # type: ignore[attr-defined]
        "config.num_hiden_layers: not a setting of llama (did you mean 'num_hidden_layers'?)",
        "config.rope_paramters: not a setting of llama (did you mean 'rope_parameters'?)",
    ]
    llama = {k: v for k, v in config.items() if k not in ("num_hiden_layers", "rope_paramters")}
    built = _load(ModelSpec(name="m", type="gpt", config=llama)).model.config  # rope_theta: a legacy name, taken
    assert built.model_type == "llama" and built.rope_parameters["rope_theta"] == 5.0


def test_an_alias_of_a_setting_is_a_setting(tmp_path: Path) -> None:
    loaded = _load(ModelSpec(name="m", type="gpt", config={"n_layer": 1, "hidden_size": 16, "n_head": 2}))
    assert loaded.model.config.n_embd == 16


def test_a_config_value_of_the_wrong_type_is_a_config_error() -> None:
    # transformers 5 validates configs with huggingface_hub's strict dataclasses, not ValueError
    with pytest.raises(ConfigError, match=r"config:.*n_embd"):
        _load(ModelSpec(name="m", type="gpt", config={**TINY, "n_embd": "wide"}))


def test_cuda_without_a_gpu_is_a_model_error() -> None:
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(ModelError, match="no CUDA device is available"):
        _load(ModelSpec(name="m", type="gpt", config=TINY), device="cuda")


def test_config_overrides_reach_a_config_build_and_a_saved_folder(tmp_path: Path) -> None:
    from transformers import AutoModelForSequenceClassification

    labels = {"num_labels": 3, "id2label": {0: "a", 1: "b", 2: "c"}, "label2id": {"a": 0, "b": 1, "c": 2}}
    built = load_model(
        ModelSpec(name="m", type="gpt", config=TINY), HFParams(), AutoModelForSequenceClassification,
        default_model_type="gpt2", default_tokenizer=_tokenizer, config_overrides=labels,
    )  # fmt: skip
    assert built.model.config.id2label == {0: "a", 1: "b", 2: "c"} and built.model.score.out_features == 3
    built.model.save_pretrained(tmp_path)
    _tokenizer().save_pretrained(tmp_path)
    two = {"num_labels": 2, "id2label": {0: "x", 1: "y"}, "label2id": {"x": 0, "y": 1}}
    spec = ModelSpec(name="m", type="gpt", path=tmp_path)
    with pytest.raises(RuntimeError, match="ignore_mismatched_sizes"):  # a head of another size, by default
        load_model(spec, HFParams(), AutoModelForSequenceClassification, default_model_type="gpt2",
                   default_tokenizer=_tokenizer, config_overrides=two)  # fmt: skip
    reloaded = load_model(
        spec, HFParams(), AutoModelForSequenceClassification, default_model_type="gpt2",
        default_tokenizer=_tokenizer, config_overrides=two, ignore_mismatched_sizes=True,
    )  # fmt: skip
    assert reloaded.model.config.id2label == {0: "x", 1: "y"} and reloaded.model.score.out_features == 2
    for name, weight in built.model.transformer.state_dict().items():  # the body is the saved one
        assert torch.equal(weight, reloaded.model.transformer.state_dict()[name])
