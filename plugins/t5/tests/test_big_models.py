"""Big models: a t5 checkpoint spread by accelerate (``device_map``, ``max_memory``) answers
as it does on one device, and ``dtype: auto`` is float32 on the CPU. On the CPU only:
what does not fit in the ``cpu`` budget goes to disk and is streamed in for each pass."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, GenerateRequest, LoglikelihoodRequest, ModelSpec
from nlpbench_t5 import T5Model
from nlpbench_transformers.testing import assert_same_scores, assert_spread_on_the_cpu, offloading_memory

REQUESTS = [
    *[LoglikelihoodRequest("the film was good. Sentiment:", c) for c in (" positive", " negative")],
    LoglikelihoodRequest("translate German to English: Das Haus ist klein.", " The house is small."),
    LoglikelihoodRequest("", " an empty source"),
]
PROMPTS = ["summarize: the cat sat on the mat.", "translate German to English: Das Haus ist klein.", ""]


@pytest.mark.parametrize("memory", ["cpu", "offloaded"])
def test_a_spread_model_answers_as_a_whole_one(load: Callable[..., Any], tiny_t5_dir: Path, memory: str) -> None:
    whole = load()
    max_memory = {"cpu": "1GiB"} if memory == "cpu" else offloading_memory(tiny_t5_dir, share=0.75)
    params = {"device_map": "auto", "max_memory": max_memory, "dtype": "auto", "batch_size": "auto"}
    model = T5Model(ModelSpec(name="big", type="t5", path=tiny_t5_dir, params=params, seed=7))
    try:
        assert_same_scores(model.loglikelihood(REQUESTS), whole.loglikelihood(REQUESTS))
        requests = [GenerateRequest(prompt, max_new_tokens=6) for prompt in PROMPTS]
        sampled = [GenerateRequest(PROMPTS[0], max_new_tokens=6, temperature=0.8, seed=3)]
        assert model.generate(requests + sampled) == whole.generate(requests + sampled)
        assert_spread_on_the_cpu(model.describe(), offloaded=memory == "offloaded")  # dtype auto: float32
    finally:
        model.close()


def test_a_model_built_from_a_config_is_not_spread(tiny_config: dict[str, Any]) -> None:
    spec = ModelSpec(name="built", type="t5", config=tiny_config, params={"device_map": "auto"})
    with pytest.raises(ConfigError, match=r"params.device_map: spreads a saved checkpoint"):
        T5Model.check_spec(spec)
