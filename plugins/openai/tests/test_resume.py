"""A run cut off by a failing server keeps every request answered before it failed, and
the rerun asks the server only for what is missing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nlpbench.testing import make_host, run_suite_text
from nlpbench_openai import plugin as openai_plugin


def test_a_rerun_after_an_outage_asks_only_for_what_is_missing(
    tmp_path: Path, openai_entry: Callable[..., dict[str, Any]], openai_server: Any
) -> None:
    state = openai_server.state
    suite = {
        "name": "outage",
        "models": [openai_entry(max_retries=1, max_concurrency=2)],
        "tasks": [{"name": "tiny-gen", "type": "tiny", "strategy": "generate", "params": {"repeat": 2}}],
    }
    host = make_host(openai_plugin)
    state.down_after = 1 + 5  # the probe and five generations, then every request fails
    first = run_suite_text(suite, tmp_path, host=host)
    cell = first.cell("served", "tiny-gen")
    assert cell["status"] == "failed" and "HTTP 500: the server is down for maintenance" in cell["error"]
    answered_before = list(state.prompts[1:])  # the probe's prompt first
    assert len(answered_before) == 5

    # the server is back, with more patience asked for (max_retries is not part of the store's key)
    state.down_after = None
    state.prompts.clear()
    suite["models"][0]["params"]["max_retries"] = 4
    second = run_suite_text(suite, tmp_path, host=host)
    second.assert_ok()
    cell = second.cell("served", "tiny-gen")
    assert (cell["n"], cell["cached"]) == (16, 5)
    asked_again = state.prompts[1:]
    assert len(asked_again) == 16 - 5 and not set(asked_again) & set(answered_before)
    assert cell["usage"]["requests"] == 11

    # an identical rerun asks nothing and loads nothing
    received = sum(state.received.values())
    third = run_suite_text(suite, tmp_path, host=host)
    assert third.cell("served", "tiny-gen")["cached"] == 16
    assert sum(state.received.values()) == received
