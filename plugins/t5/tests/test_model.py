"""Building and loading: params, config builds, refused folders, describe() and close()."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, GenerateRequest, LoglikelihoodRequest, ModelError, ModelSpec
from nlpbench_t5 import T5Model


def spec(**fields: Any) -> ModelSpec:
    fields.setdefault("params", {"device": "cpu"})
    return ModelSpec(name="t5", type="t5", **fields)


def test_a_config_build_is_untrained_and_uses_the_default_tokenizer(tiny_config: dict[str, Any]) -> None:
    model = T5Model(spec(config=tiny_config))
    facts = model.describe()
    assert facts["trained"] is False
    assert facts["source"] == "config (t5, untrained)"
    assert facts["tokenizer"] == "gpt2-bpe+t5-specials"
    tokenizer = model.loaded.tokenizer
    assert (tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id) == (50257, 50258, 50259)
    config = model.loaded.model.config
    assert (config.pad_token_id, config.eos_token_id, config.decoder_start_token_id) == (50257, 50258, 50257)
    assert config.vocab_size == len(tokenizer) == 50260
    assert model.loglikelihood([LoglikelihoodRequest("a", " b")])[0].n_tokens == 1


def test_a_config_keeps_the_special_ids_it_names(tiny_config: dict[str, Any]) -> None:
    model = T5Model(spec(config={**tiny_config, "decoder_start_token_id": 50258}))
    assert model.loaded.model.config.decoder_start_token_id == 50258
    assert model.ids.decoder_start == 50258


def test_the_same_seed_builds_the_same_weights(tiny_config: dict[str, Any]) -> None:
    a = T5Model(spec(config=tiny_config, seed=3)).loglikelihood([LoglikelihoodRequest("a", " b")])
    b = T5Model(spec(config=tiny_config, seed=3)).loglikelihood([LoglikelihoodRequest("a", " b")])
    assert a == b


def test_a_path_load_is_trained_and_describes_itself(load: Callable[..., Any], tiny_t5_dir: Path) -> None:
    facts = load().describe()
    assert facts["trained"] is True
    assert facts["source"] == f"path {tiny_t5_dir}"
    assert facts["device"] == "cpu" and facts["dtype"] == "float32"
    assert facts["max_length"] == 512 and facts["truncation_side"] == "right"
    assert facts["score_eos"] is False
    json.dumps(facts)  # it goes into results.json


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"bach_size": 4}, r"params\.bach_size: unknown option \(did you mean 'batch_size'\?\)"),
        ({"score_eso": True}, r"did you mean 'score_eos'"),
        ({"score_eos": "yes"}, r"params\.score_eos: must be true or false"),
        ({"truncation": "middle"}, r"params\.truncation: must be 'left' or 'right', not 'middle'"),
        ({"batch_size": 0}, r"params\.batch_size"),
        ({"max_length": 1}, r"params\.max_length"),
    ],
)
def test_bad_params_are_config_errors(params: dict[str, Any], message: str, tiny_config: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=message):
        T5Model.check_spec(spec(config=tiny_config, params=params))
    with pytest.raises(ConfigError, match=message):
        T5Model(spec(config=tiny_config, params=params))


def test_a_config_the_architecture_rejects_is_a_config_error(tiny_config: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="config:"):
        T5Model(spec(config={**tiny_config, "feed_forward_proj": "gated-gelu-x"}))


def test_a_folder_of_pickled_weights_is_refused(tmp_path: Path, tiny_config: dict[str, Any]) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "t5", **tiny_config}), encoding="utf-8")
    (tmp_path / "pytorch_model.bin").write_bytes(b"never unpickled")
    with pytest.raises(ModelError, match=r"only pickled weights \(\*\.bin\)"):
        T5Model(spec(path=tmp_path))


def test_a_missing_folder_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot load"):
        T5Model(spec(path=tmp_path / "nothing-here"))


def test_a_decoder_only_checkpoint_is_refused(tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM, GPT2Config

    AutoModelForCausalLM.from_config(GPT2Config(n_layer=1, n_embd=16, n_head=2, vocab_size=64)).save_pretrained(
        tmp_path
    )
    with pytest.raises(ModelError, match="cannot load"):
        T5Model(spec(path=tmp_path))


def test_any_seq2seq_architecture_builds_and_answers() -> None:
    # BART: learned positions (max_position_embeddings caps max_length), <s>…</s> framing
    bart = {
        "model_type": "bart", "d_model": 16, "encoder_layers": 1, "decoder_layers": 1, "encoder_attention_heads": 2,
        "decoder_attention_heads": 2, "encoder_ffn_dim": 32, "decoder_ffn_dim": 32, "max_position_embeddings": 24,
    }  # fmt: skip
    model = T5Model(spec(config=bart, params={"device": "cpu", "batch_size": 2}))
    assert model.describe()["source"] == "config (bart, untrained)"
    assert model.describe()["max_length"] == 24
    requests = [LoglikelihoodRequest("hello " * 40, " world"), LoglikelihoodRequest("hello", " there")]
    one, two = model.loglikelihood(requests), model.loglikelihood(requests[::-1])
    assert one == two[::-1] and all(a.n_tokens == 1 for a in one)
    assert model.describe()["truncated_inputs"] == 2  # once per call
    assert len(model.generate([GenerateRequest("hello " * 40, 3), GenerateRequest("hi", 2)])) == 2


def test_special_tokens_on_both_sides_survive_truncation() -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    from nlpbench_t5.encoding import EncoderInputs
    from nlpbench_transformers import Truncation

    vocab = {"<s>": 0, "</s>": 1, "<unk>": 2, **{w: i + 3 for i, w in enumerate("abcdef")}}
    inner = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    inner.pre_tokenizer = pre_tokenizers.Whitespace()
    inner.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 1)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=inner, bos_token="<s>", eos_token="</s>", unk_token="<unk>")
    assert EncoderInputs(tokenizer, Truncation("right", 5))(["a b c d e f", "a"]) == [[0, 3, 4, 5, 1], [0, 3, 1]]
    assert EncoderInputs(tokenizer, Truncation("left", 5))(["a b c d e f"]) == [[0, 6, 7, 8, 1]]


def test_max_length_leaves_room_for_text() -> None:
    from nlpbench_t5.encoding import EncoderInputs
    from nlpbench_t5.tokenizer import default_tokenizer
    from nlpbench_transformers import Truncation

    with pytest.raises(ConfigError, match="no room for text"):
        EncoderInputs(default_tokenizer(), Truncation("right", 1))  # every input carries </s>


def test_close_frees_the_model(load: Callable[..., Any]) -> None:
    model = load(fresh=True)
    model.close()
    model.close()  # twice is fine
    with pytest.raises(ModelError, match="was closed"):
        model.loglikelihood([LoglikelihoodRequest("a", " b")])
