"""Shared fixtures: a tiny T5 saved to a folder (built once per session), a loader for
it, and the same checkpoint loaded plainly with transformers, for reference answers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ModelSpec
from nlpbench_transformers.testing import one_torch_thread  # noqa: F401  (an autouse fixture)

#: A tiny T5 (about 1.6M parameters, nearly all of them GPT-2-sized embeddings).
#: initializer_factor 2 gives untrained weights whose greedy output depends on the input
#: (at the default 1.0 most prompts decode to one repeated token).
TINY_CONFIG: dict[str, Any] = {
    "d_model": 32, "d_ff": 64, "num_layers": 2, "num_heads": 2, "d_kv": 16, "initializer_factor": 2.0,
}  # fmt: skip


@pytest.fixture
def tiny_config() -> dict[str, Any]:
    """The ``config:`` of a suite entry that builds the tiny T5."""
    return dict(TINY_CONFIG)


@pytest.fixture(scope="session")
def tiny_t5_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny untrained T5 with the default tokenizer, saved with save_pretrained (safetensors)."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, T5Config

    from nlpbench_t5.tokenizer import default_tokenizer

    tokenizer = default_tokenizer()
    config = T5Config(
        **TINY_CONFIG,
        vocab_size=len(tokenizer),
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    model = AutoModelForSeq2SeqLM.from_config(config)
    folder = tmp_path_factory.mktemp("tiny-t5")
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def _loaded_models() -> dict[str, Any]:
    return {}


@pytest.fixture
def load(tiny_t5_dir: Path, _loaded_models: dict[str, Any]) -> Callable[..., Any]:
    """``load(**params)``: the tiny T5 as nlpbench loads it (``path:``), on the CPU.

    Loading takes about a second (mostly the 50k-token tokenizer), so models are shared
    within the session by params; ``load(fresh=True, ...)`` gives a model of your own
    (for counters such as truncation)."""
    from nlpbench_t5 import T5Model

    def _load(fresh: bool = False, **params: Any) -> Any:
        key = repr(sorted(params.items()))
        if fresh or key not in _loaded_models:
            spec = ModelSpec(name="tiny-t5", type="t5", path=tiny_t5_dir, params={"device": "cpu", **params}, seed=7)
            model = T5Model(spec)
            if fresh:
                return model
            _loaded_models[key] = model
        return _loaded_models[key]

    return _load


@pytest.fixture(scope="session")
def reference(tiny_t5_dir: Path) -> tuple[Any, Any]:
    """``(model, tokenizer)`` loaded plainly with transformers, for one-at-a-time answers."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_t5_dir).eval()
    return model, AutoTokenizer.from_pretrained(tiny_t5_dir)


@pytest.fixture
def sentiment_plugins() -> list[Any]:
    """The t5 plugin, the sentiment task and the metrics, to run a suite on real task code
    (skipped, with the reason, where those plugins are not installed beside this one)."""
    from nlpbench_t5 import plugin

    sentiment = pytest.importorskip("nlpbench_sentiment.plugin", reason="needs nlpbench-sentiment")
    metrics = pytest.importorskip("nlpbench_metrics.plugin", reason="needs nlpbench-metrics")
    return [plugin, sentiment, metrics]
