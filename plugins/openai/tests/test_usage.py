"""What a served model used, per cell: tokens in and out as the server counted them,
requests, and the cost from the suite's price."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nlpbench_openai import plugin as openai_plugin


def test_each_cell_records_its_tokens_requests_and_cost(
    nlpbench_run: Callable[..., Any], openai_entry: Callable[..., dict[str, Any]], openai_server: Any
) -> None:
    suite = {
        "name": "usage",
        "models": [openai_entry(price={"input": 0.5, "output": 1.5})],
        "tasks": [
            {"name": "tiny-gen", "type": "tiny", "strategy": "generate"},
            {"name": "scored", "type": "tiny", "strategy": "loglikelihood"},
        ],
    }
    run = nlpbench_run(suite, plugins=[openai_plugin])
    run.assert_ok()
    generated, scored = run.cell("served", "tiny-gen")["usage"], run.cell("served", "scored")["usage"]
    tokenizer = openai_server.lm.tokenizer
    # the eight prompts as the server's tokenizer counts them; three new tokens each at most
    prompts = [s["prompt"] for s in run.samples if s["task"] == "tiny-gen"]
    assert generated["input_tokens"] == sum(len(tokenizer(p)["input_ids"]) for p in prompts)
    assert 0 < generated["output_tokens"] <= 8 * 3
    assert (generated["requests"], scored["requests"]) == (8, 16)
    assert scored["output_tokens"] == 16  # one generated token per echo request
    for used in (generated, scored):
        expected = (used["input_tokens"] * 0.5 + used["output_tokens"] * 1.5) / 1e6
        assert used["cost"] == pytest.approx(expected, abs=1e-6)
        assert used["retries"] == 0
    assert run.cell("served", "tiny-gen")["tokens_per_second"] > 0


def test_no_price_no_cost(nlpbench_run: Callable[..., Any], openai_entry: Callable[..., dict[str, Any]]) -> None:
    suite = {
        "name": "usage",
        "models": [openai_entry()],
        "tasks": [{"name": "tiny-gen", "type": "tiny", "strategy": "generate"}],
    }
    run = nlpbench_run(suite, plugins=[openai_plugin])
    assert "cost" not in run.cell("served", "tiny-gen")["usage"]
