"""A server without prompt log-probabilities: the loaded model drops loglikelihood and
loglikelihood_rolling, and their cells are not applicable, with the reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nlpbench import LoglikelihoodRequest, ModelError, ModelSpec
from nlpbench_openai import OpenAIModel
from nlpbench_openai import plugin as openai_plugin


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        (
            "refused",
            "the server refuses prompt log-probabilities (completions with echo and logprobs: "
            "HTTP 400: echo is not supported with logprobs by this server)",
        ),
        ("absent", "the server returns no prompt log-probabilities (completions with echo and logprobs)"),
    ],
)
def test_cells_needing_prompt_logprobs_are_not_applicable_with_the_reason(
    nlpbench_run: Callable[..., Any],
    openai_entry: Callable[..., dict[str, Any]],
    openai_server: Any,
    mode: str,
    reason: str,
) -> None:
    openai_server.state.prompt_logprobs = mode
    suite = {
        "name": "no-logprobs",
        "models": [openai_entry()],
        "tasks": [
            {"name": "scored", "type": "tiny", "strategy": "loglikelihood"},
            {"name": "tiny", "type": "tiny"},  # prefers loglikelihood, falls back to generate
        ],
    }
    run = nlpbench_run(suite, plugins=[openai_plugin])
    cell = run.cell("served", "scored")
    assert cell["status"] == "not_applicable"
    assert cell["reason"].endswith(f"(loglikelihood: {reason})")
    fallback = run.cell("served", "tiny")
    assert (fallback["status"], fallback["strategy"]) == ("ok", "generate")
    assert fallback["model_info"]["prompt_logprobs"] is False


def test_the_chat_endpoint_is_planned_for_generation_only(
    nlpbench_run: Callable[..., Any], openai_entry: Callable[..., dict[str, Any]], openai_server: Any
) -> None:
    suite = {
        "name": "chat",
        "models": [openai_entry(endpoint="chat")],
        "tasks": [{"name": "scored", "type": "tiny", "strategy": "loglikelihood"}],
    }
    run = nlpbench_run(suite, plugins=[openai_plugin])
    assert run.cell("served", "scored")["status"] == "not_applicable"
    assert sum(openai_server.state.received.values()) == 0  # planned without asking the server


def test_a_model_without_logprobs_refuses_to_score(openai_server: Any) -> None:
    openai_server.state.prompt_logprobs = "refused"
    params = {"base_url": openai_server.base_url, "model": "tiny-gpt"}
    model = OpenAIModel(ModelSpec(name="s", type="openai", params=params))
    try:
        assert model.capabilities == frozenset({"generate"})
        with pytest.raises(ModelError, match=r"^loglikelihood: the server refuses prompt log-probabilities"):
            model.loglikelihood([LoglikelihoodRequest("a", " b")])
    finally:
        model.close()


def test_a_first_token_without_a_start_text_is_a_clear_error(openai_server: Any) -> None:
    params = {"base_url": openai_server.base_url, "model": "tiny-gpt"}
    model = OpenAIModel(ModelSpec(name="s", type="openai", params=params))
    try:
        with pytest.raises(ModelError, match=r"set params.start_text to the model's start token as text"):
            model.loglikelihood([LoglikelihoodRequest("", "no context")])
    finally:
        model.close()
