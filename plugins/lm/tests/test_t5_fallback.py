"""An encoder-decoder has no rolling scoring: the task asks a t5 model for ``loglikelihood``,
the whole text as the target of an empty input (see the t5 plugin's README for why)."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("torch")
t5 = pytest.importorskip("nlpbench_t5", reason="needs the t5 plugin (nlpbench-t5)")

from nlpbench_t5 import plugin as t5_plugin  # noqa: E402
from nlpbench_t5.tokenizer import default_tokenizer  # noqa: E402
from nlpbench_transformers.testing import one_torch_thread  # noqa: E402, F401  (an autouse fixture)

TEXTS = " The café opens at nine.\n\nIt closes — early — on Sundays.\n"


def test_a_t5_is_scored_by_loglikelihood(nlpbench_run: Any, lm_plugins: list[Any]) -> None:
    assert "loglikelihood_rolling" not in t5.T5Model.capabilities
    suite = {
        "name": "t5-lm",
        "models": [
            {
                "name": "t5",
                "type": "t5",
                "config": {"d_model": 16, "d_ff": 32, "num_layers": 1, "num_heads": 2, "d_kv": 8},
                "params": {"device": "cpu"},
            }
        ],
        "tasks": [{"name": "text", "type": "lm", "data": {"path": "cafe.txt"}}],
    }
    run = nlpbench_run(suite, plugins=[*lm_plugins, t5_plugin], files={"cafe.txt": TEXTS})
    cell = run.cell("t5", "text")
    assert (cell["status"], cell["strategy"], cell["n"]) == ("ok", "loglikelihood", 2), cell
    tokenizer = default_tokenizer()
    for sample, text in zip(run.samples, [" The café opens at nine.", "It closes — early — on Sundays."], strict=True):
        assert sample["input"] == text and sample["prompt"] == ""
        prediction = sample["prediction"]
        # T5 targets lose their leading whitespace; words and bytes are those of the text as written
        assert prediction["tokens"] == len(tokenizer(text.lstrip(), add_special_tokens=False)["input_ids"])
        assert (prediction["words"], prediction["bytes"]) == (len(text.split()), len(text.encode("utf-8")))
    assert cell["metrics"]["perplexity"]["value"] > 1.0
