"""Big models: a bert checkpoint spread by accelerate (``device_map``, ``max_memory``)
answers as it does on one device, whatever its head, and ``dtype: auto`` is float32 on the
CPU. On the CPU only: what does not fit in the ``cpu`` budget goes to disk and is
streamed in for each pass."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import (
    ClassifyRequest,
    ConfigError,
    EncodeRequest,
    ExtractSpanRequest,
    LoglikelihoodRequest,
    ModelSpec,
)
from nlpbench_bert import BERTModel
from nlpbench_transformers.testing import assert_same_scores, assert_spread_on_the_cpu, offloading_memory

TEXTS = ["a good film with a good cast", "dull and far too long", "The capital of France is Paris."]


def answers(model: BERTModel) -> dict[str, Any]:
    """What the model answers, by capability."""
    found: dict[str, Any] = {"encode": model.encode([EncodeRequest(text) for text in TEXTS])}
    if "classify" in model.capabilities:
        found["classify"] = model.classify([ClassifyRequest(text, ("negative", "positive")) for text in TEXTS])
    if "extract_span" in model.capabilities:
        spans = model.extract_span([ExtractSpanRequest("What is the capital?", TEXTS[2])])
        found["extract_span"] = [(span.text, span.start, span.end) for span in spans]
    if "loglikelihood" in model.capabilities:
        found["loglikelihood"] = model.loglikelihood([LoglikelihoodRequest(TEXTS[0], " indeed")])
    return found


@pytest.mark.parametrize("head", ["classification", "qa", "masked-lm"])
@pytest.mark.parametrize("memory", ["cpu", "offloaded"])
def test_a_spread_model_answers_as_a_whole_one(
    load: Callable[..., BERTModel], checkpoints: dict[str, Path], head: str, memory: str
) -> None:
    folder = checkpoints[head]
    max_memory = {"cpu": "1GiB"} if memory == "cpu" else offloading_memory(folder, share=0.9)
    params = {"device_map": "auto", "max_memory": max_memory, "dtype": "auto", "batch_size": "auto"}
    model = BERTModel(ModelSpec(name="big", type="bert", path=folder, params=params))
    try:
        whole, spread = answers(load(head)), answers(model)
        assert spread.keys() == whole.keys()
        for got, expected in zip(spread["encode"], whole["encode"], strict=True):
            assert got == pytest.approx(expected, abs=1e-5)
        for got, expected in zip(spread.get("classify", []), whole.get("classify", []), strict=True):
            assert got == pytest.approx(expected, abs=1e-5)
        assert spread.get("extract_span") == whole.get("extract_span")
        assert_same_scores(spread.get("loglikelihood", []), whole.get("loglikelihood", []))
        assert_spread_on_the_cpu(model.describe(), offloaded=memory == "offloaded")  # dtype auto: float32
    finally:
        model.close()


def test_a_model_built_from_a_config_is_not_spread() -> None:
    spec = ModelSpec(name="built", type="bert", config={"num_hidden_layers": 1}, params={"device_map": "auto"})
    with pytest.raises(ConfigError, match=r"params.device_map: spreads a saved checkpoint"):
        BERTModel.check_spec(spec)
