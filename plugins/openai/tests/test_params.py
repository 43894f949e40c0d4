"""An openai entry's params are checked before anything is asked of a server, and
Retry-After is read in both of its forms."""

from __future__ import annotations

from collections.abc import Callable
from email.utils import formatdate
from typing import Any

import pytest

from nlpbench import ConfigError
from nlpbench_openai import plugin as openai_plugin
from nlpbench_openai import retrying


def _run_with(nlpbench_run: Callable[..., Any], params: dict[str, Any], **entry: Any) -> None:
    suite = {
        "name": "params",
        "models": [{"name": "served", "type": "openai", "params": params, **entry}],
        "tasks": [{"name": "tiny", "type": "tiny"}],
    }
    nlpbench_run(suite, plugins=[openai_plugin])


ROOT = {"base_url": "http://127.0.0.1:1/v1", "model": "m"}


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"model": "m"}, r"params.base_url: .*required"),
        ({**ROOT, "base_url": "localhost:8000/v1"}, r"params.base_url: must be an http:// or https:// URL"),
        (
            {**ROOT, "base_url": "http://h:8000/v1/chat/completions"},
            r"params.base_url: must be the API's root \(http://h:8000/v1\), not an endpoint's URL",
        ),
        ({**ROOT, "api_key_env": "sk-abc123-not-a-name"}, r"params.api_key_env: must be the name of an environment"),
        ({**ROOT, "endpoint": "chats"}, r"params.endpoint: .*did you mean 'chat'"),
        ({**ROOT, "max_concurrency": 0}, r"params.max_concurrency: must be at least 1"),
        ({**ROOT, "timeout": 0}, r"params.timeout: must be more than 0"),
        ({**ROOT, "price": {"input": 0.5}}, r"params.price.output: .*required"),
        ({**ROOT, "system": "Be brief."}, r"params.system: applies only with endpoint: chat"),
        ({**ROOT, "max_retry": 3}, r"did you mean 'max_retries'"),
    ],
)
def test_bad_params_are_config_errors(nlpbench_run: Callable[..., Any], params: dict[str, Any], said: str) -> None:
    with pytest.raises(ConfigError, match=said) as failure:
        _run_with(nlpbench_run, params)
    assert "sk-abc123" not in str(failure.value)  # a key pasted as a name is not repeated


def test_weights_are_not_loaded(nlpbench_run: Callable[..., Any]) -> None:
    with pytest.raises(ConfigError, match=r"an openai model is served, not loaded: .* not hub"):
        _run_with(nlpbench_run, ROOT, hub="gpt2")


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retrying.retry_after("3") == 3.0
    assert retrying.retry_after("0.5") == 0.5
    assert retrying.retry_after(formatdate(1_000_030, usegmt=True), now=1_000_000) == pytest.approx(30.0)
    assert retrying.retry_after(formatdate(999_000, usegmt=True), now=1_000_000) == 0.0  # already past
    assert retrying.retry_after("86400") == retrying.RETRY_AFTER_CAP
    assert retrying.retry_after("soon") is None
    assert retrying.retry_after(None) is None


def test_backoff_grows_with_full_jitter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retrying, "BACKOFF_BASE", 1.0)
    waits = [[retrying.backoff(attempt) for _ in range(200)] for attempt in range(4)]
    for attempt, drawn in enumerate(waits):
        assert all(0.0 <= wait <= 2.0**attempt for wait in drawn)
        assert max(drawn) > 0.5 * 2.0**attempt and min(drawn) < 0.5 * 2.0**attempt  # spread over the range
    assert max(retrying.backoff(20) for _ in range(50)) <= retrying.BACKOFF_CAP


def test_a_servers_message_never_shows_the_key_or_part_of_it() -> None:
    from nlpbench_openai.client import Client

    key = "sk-proj-Zq7Xw3Kk9Secret4242"
    client = Client("http://127.0.0.1:9/v1", key, timeout=1, max_retries=0, max_connections=1)
    try:
        said = client.redact(f"Incorrect API key provided: sk-proj-****4242. Sent: {key}; hint {key[8:20]}")
    finally:
        client.close()
    assert key not in said and key[8:20] not in said and "Zq7Xw3" not in said
    assert said.startswith("Incorrect API key provided:")


def test_a_key_a_header_cannot_carry_is_refused_without_repeating_it(
    nlpbench_run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NLPBENCH_TEST_NEWLINE_KEY", "sk-short\n")
    with pytest.raises(ConfigError, match=r"NLPBENCH_TEST_NEWLINE_KEY holds whitespace or control") as raised:
        _run_with(nlpbench_run, {**ROOT, "api_key_env": "NLPBENCH_TEST_NEWLINE_KEY"})
    assert "sk-short" not in str(raised.value)


def test_a_short_key_and_its_fragments_are_redacted_too() -> None:
    from nlpbench_openai.client import Client

    client = Client("http://127.0.0.1:9/v1", "sk-abc12345", timeout=1, max_retries=0, max_connections=1)
    try:
        said = client.redact("Illegal header value b'Bearer sk-abc12345'; key starting sk-abc1 refused")
    finally:
        client.close()
    assert "sk-abc12345" not in said and "sk-abc1" not in said and said.startswith("Illegal header value")


def test_price_key_variable_and_patience_leave_the_stored_answers_usable(tmp_path: Any) -> None:
    from nlpbench import ModelSpec
    from nlpbench.results.store import Store

    base = {**ROOT, "timeout": 5, "max_retries": 1}
    other = {**ROOT, "timeout": 50, "max_retries": 9, "max_concurrency": 2, "price": {"input": 1, "output": 2}}
    with Store(tmp_path / "store.sqlite") as store:
        first = store.model_identity(ModelSpec(name="a", type="openai", params=base), "openai", "1")
        again = store.model_identity(
            ModelSpec(name="a", type="openai", params={**other, "api_key_env": "OTHER_KEY"}), "openai", "1"
        )
        changed = store.model_identity(ModelSpec(name="a", type="openai", params={**base, "model": "n"}), "openai", "1")
    assert first == again and first != changed
