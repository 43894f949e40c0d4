"""Loading: config builds with each head, refusing pickles, limits, closing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ClassifyRequest, EncodeRequest, ExtractSpanRequest, ModelError, ModelSpec
from nlpbench_bert import BERTModel

TINY = {"num_hidden_layers": 2, "hidden_size": 32, "num_attention_heads": 2, "intermediate_size": 64}


def _build(head: str | None, **config: Any) -> BERTModel:
    params = {"device": "cpu", **({"head": head} if head else {})}
    return BERTModel(ModelSpec(name="m", type="bert", config={**TINY, **config}, params=params, seed=7))


def test_config_builds_take_the_minilm_tokenizer_and_the_head_asked_for() -> None:
    encoder = _build(None)
    assert (encoder.head, encoder.describe()["trained"]) == ("encoder", False)
    assert encoder.describe()["max_length"] == 512
    labelled = _build("classification", id2label={0: "sad", 1: "happy", 2: "meh"})
    assert labelled.describe()["labels"] == ["sad", "happy", "meh"]
    (answer,) = labelled.classify([ClassifyRequest("fine", ("happy", "sad", "meh"))])
    assert sum(answer.values()) == pytest.approx(1.0)
    qa = _build("qa")
    assert qa.extract_span([ExtractSpanRequest("who?", "Ada wrote it")])[0].text
    # the suite's seed builds the same untrained weights
    assert _build(None).encode([EncodeRequest("same")]) == encoder.encode([EncodeRequest("same")])


def test_a_folder_with_only_pickled_weights_is_refused(tmp_path: Path, checkpoints: dict[str, Path]) -> None:
    (tmp_path / "config.json").write_text((checkpoints["encoder"] / "config.json").read_text())
    (tmp_path / "pytorch_model.bin").write_bytes(b"a pickle we will not open")
    with pytest.raises(ModelError, match=r"only pickled weights \(\*\.bin\); nlpbench loads safetensors only"):
        BERTModel(ModelSpec(name="m", type="bert", path=tmp_path))


def test_max_length_beyond_the_positions_is_a_model_error(load: Callable[..., Any]) -> None:
    with pytest.raises(ModelError, match=r"params\.max_length 1024 is more than the model.s 512 positions"):
        load("encoder", max_length=1024)


def test_a_head_asked_for_what_it_cannot_do_says_so(load: Callable[..., Any]) -> None:
    with pytest.raises(ModelError, match="this checkpoint's qa head cannot classify"):
        load("qa").classify([ClassifyRequest("x", ("a", "b"))])


def test_close_lets_go(load: Callable[..., Any]) -> None:
    model = load("encoder")
    facts = model.describe()
    model.close()
    model.close()  # twice is fine
    assert model.describe()["parameters"] == facts["parameters"]
    with pytest.raises(ModelError, match="closed"):
        model.encode([EncodeRequest("x")])


@pytest.mark.parametrize("head", ["classification", "qa", "masked-lm", "encoder"])
def test_no_requests_no_answers(load: Callable[..., Any], head: str) -> None:
    model = load(head)
    for capability in model.capabilities:
        assert getattr(model, capability)([]) == []
