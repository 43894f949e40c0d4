"""Faults of a real server on 127.0.0.1: each one recovers within the retries, or fails
with the status, the URL and the server's own message once they are spent."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

import pytest

from nlpbench import GenerateRequest, ModelError, ModelSpec
from nlpbench_openai import OpenAIModel
from nlpbench_openai import plugin as openai_plugin

REQUEST = GenerateRequest("The quick brown fox", max_new_tokens=5)


def _model(server: Any, **params: Any) -> OpenAIModel:
    given = {"base_url": server.base_url, "model": "tiny-gpt", "timeout": 1, "max_retries": 2, **params}
    return OpenAIModel(ModelSpec(name="served", type="openai", params=given))


@pytest.mark.parametrize("fault", ["500", "malformed", "drop", "429"])
def test_a_fault_is_retried_and_the_answer_is_the_same(openai_server: Any, fault: str) -> None:
    state = openai_server.state
    state.retry_after = "0"
    model = _model(openai_server)
    try:
        expected = model.generate([REQUEST])
        state.inject(fault, fault)  # two in a row: within max_retries 2
        assert model.generate([REQUEST]) == expected
        assert model.usage()["retries"] == 2
    finally:
        model.close()
    assert state.received["/v1/completions"] == 1 + 1 + 3  # the probe, the first answer, three tries


def test_a_hang_past_the_timeout_is_retried(openai_server: Any) -> None:
    openai_server.state.hang_seconds = 2.0
    model = _model(openai_server, timeout=0.3)
    try:
        openai_server.state.inject("hang")
        started = time.monotonic()
        assert len(model.generate([REQUEST])) == 1
        assert 0.3 <= time.monotonic() - started < 2.0  # gave up on the hang, did not wait it out
    finally:
        model.close()


def test_retry_after_is_honoured(openai_server: Any) -> None:
    state = openai_server.state
    state.retry_after = "1"
    model = _model(openai_server)
    try:
        state.inject("429")
        model.generate([REQUEST])
    finally:
        model.close()
    (_, refused), (_, retried) = [a for a in state.arrivals if a[0] == "/v1/completions"][-2:]
    assert retried - refused >= 0.95  # backoff alone would have waited milliseconds


def test_spent_retries_fail_with_the_status_url_and_message(openai_server: Any) -> None:
    model = _model(openai_server, max_retries=1)
    try:
        openai_server.state.inject("500", "500")
        with pytest.raises(ModelError) as failure:
            model.generate([REQUEST])
    finally:
        model.close()
    message = str(failure.value)
    assert message == (f"POST {openai_server.base_url}/completions: HTTP 500: the GPU caught fire (after 2 attempts)")


def test_a_client_error_is_not_retried(openai_server: Any) -> None:
    model = _model(openai_server)
    try:
        asked = openai_server.state.received["/v1/completions"]
        with pytest.raises(ModelError, match=r"HTTP 400: This model's maximum context length is 128 tokens"):
            model.generate([GenerateRequest("word " * 200, max_new_tokens=5)])
        assert openai_server.state.received["/v1/completions"] == asked + 1
    finally:
        model.close()


def test_a_failing_server_fails_the_cell_with_its_message(
    nlpbench_run: Callable[..., Any], openai_entry: Callable[..., dict[str, Any]], openai_server: Any
) -> None:
    suite = {
        "name": "faults",
        "models": [openai_entry(max_retries=1)],
        "tasks": [{"name": "tiny-gen", "type": "tiny", "strategy": "generate"}],
    }
    openai_server.state.down_after = 1  # the probe is answered, nothing after it
    run = nlpbench_run(suite, plugins=[openai_plugin])
    cell = run.cell("served", "tiny-gen")
    assert cell["status"] == "failed"
    assert cell["error"].endswith(
        f"POST {openai_server.base_url}/completions: HTTP 500: the server is down for maintenance (after 2 attempts)"
    )


def test_an_unreachable_server_fails_at_load() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        gone = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    with pytest.raises(ModelError, match=rf"^GET {gone}/models: connection failed: .* \(after 2 attempts\)$"):
        OpenAIModel(ModelSpec(name="s", type="openai", params={"base_url": gone, "model": "m", "max_retries": 1}))


def test_a_wrong_model_name_lists_what_the_server_serves(openai_server: Any) -> None:
    with pytest.raises(ModelError) as failure:
        _model(openai_server, model="gpt-5")
    assert str(failure.value) == (
        f"params.model: 'gpt-5' is not served by {openai_server.base_url} (it serves: tiny-gpt, leaky)"
    )


def test_a_wrong_model_name_on_a_server_that_lists_none_fails_at_the_probe(openai_server: Any) -> None:
    openai_server.state.lists_models = False
    with pytest.raises(ModelError, match=r"/completions: HTTP 404: The model `gpt-5` does not exist\.$"):
        _model(openai_server, model="gpt-5")


def test_a_wrong_key_fails_at_load_and_the_key_is_not_repeated(
    openai_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    openai_server.state.api_key = "sk-right-key"
    monkeypatch.setenv("TEST_OPENAI_KEY", "sk-wrong-key-123")
    with pytest.raises(ModelError) as failure:
        _model(openai_server, api_key_env="TEST_OPENAI_KEY")
    message = str(failure.value)
    assert message == f"GET {openai_server.base_url}/models: HTTP 401: Incorrect API key provided: ***"
    monkeypatch.setenv("TEST_OPENAI_KEY", "sk-right-key")
    _model(openai_server, api_key_env="TEST_OPENAI_KEY").close()


def test_concurrency_is_bounded_by_max_concurrency(openai_server: Any) -> None:
    state = openai_server.state
    model = _model(openai_server, max_concurrency=3)
    state.delay = 0.05
    try:
        answers = model.generate([GenerateRequest(f"Prompt number {i}", max_new_tokens=2) for i in range(9)])
    finally:
        model.close()
    assert len(answers) == 9
    assert state.peak_in_flight == 3


def test_a_run_keeps_max_concurrency_requests_in_flight(
    openai_server: Any, openai_entry: Any, nlpbench_run: Any
) -> None:
    """The runner's own path: one request per call, max_concurrency calls at once."""
    state = openai_server.state
    state.delay = 0.05
    suite = {
        "name": "concurrent",
        "models": [openai_entry(max_concurrency=3)],
        "tasks": [{"name": "t", "type": "tiny", "strategy": "generate", "params": {"repeat": 2}}],
    }
    run = nlpbench_run(suite, plugins=[openai_plugin])
    assert run.results["cells"][0]["status"] == "ok" and run.results["cells"][0]["usage"]["requests"] == 16
    assert state.peak_in_flight == 3
