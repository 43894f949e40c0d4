"""What an ``openai`` model entry may say: its ``params:`` (:class:`OpenAIParams`),
checked when a suite is validated, before anything is asked of the server."""

from __future__ import annotations

import os
import re
from typing import Literal

from pydantic import Field, field_validator

from nlpbench import ConfigError, ModelSpec, Options, parse_options

#: What an environment variable's name looks like (POSIX): a key pasted here instead
#: of a name is refused without being repeated in the error.
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: How a base URL that names an endpoint rather than the API's root ends.
_ENDPOINT_SUFFIXES = ("/chat/completions", "/completions", "/models")


class Price(Options):
    """What the server's owner charges, per million tokens."""

    input: float = Field(ge=0, description="Cost of a million input (prompt) tokens.")
    output: float = Field(ge=0, description="Cost of a million output (generated) tokens.")


class OpenAIParams(Options):
    """The params of an ``openai`` model: where it is served and how patiently to ask."""

    base_url: str = Field(
        description="The API's root, ending in /v1 for most servers (http://localhost:8000/v1); the "
        "endpoints /completions, /chat/completions and /models are under it."
    )
    model: str = Field(min_length=1, description="The model's name as the server knows it (its /v1/models id).")
    api_key_env: str | None = Field(
        default=None,
        description="The NAME of the environment variable holding the API key, sent as a bearer token; "
        "unset: no key (a local server without auth). The key itself is never written anywhere.",
    )
    endpoint: Literal["chat", "completions"] = Field(
        default="completions",
        description="completions: the prompt as text, and log-likelihoods where the server returns prompt "
        "log-probabilities; chat: the conversation as messages, generation only.",
    )
    timeout: float = Field(default=60.0, gt=0, le=86_400, description="Seconds to wait for one response.")
    max_concurrency: int = Field(default=8, ge=1, le=1024, description="Requests in flight at once.")
    max_retries: int = Field(
        default=5,
        ge=0,
        le=100,
        description="Retries of a request after a 429, a 5xx, a connection error, a timeout or malformed JSON.",
    )
    system: str | None = Field(
        default=None, description="A system prompt, sent first in every conversation (endpoint: chat only)."
    )
    price: Price | None = Field(
        default=None, description="Cost per million tokens, {input: 0.5, output: 1.5}: gives each cell's cost."
    )
    start_text: str = Field(
        default="",
        description="Text put before a text scored from its first token (an empty context, a rolling "
        "log-likelihood), so that its first token is predicted: the model's start token as text "
        "('<|endoftext|>' for GPT-2); empty for servers that add a start token themselves (Llama).",
    )

    @field_validator("base_url")
    @classmethod
    def _a_root_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        trimmed = value.rstrip("/")
        for suffix in _ENDPOINT_SUFFIXES:
            if trimmed.endswith(suffix):
                root = trimmed.removesuffix(suffix)
                raise ValueError(f"must be the API's root ({root}), not an endpoint's URL")
        return trimmed

    @field_validator("api_key_env")
    @classmethod
    def _a_variable_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.fullmatch(value):
            # never repeat the value: it may be the key itself
            raise ValueError("must be the name of an environment variable (letters, digits, _), not a key")
        return value


def check_spec(spec: ModelSpec) -> OpenAIParams:
    """The validated params; ConfigErrors listing every problem, or a ConfigError when the
    entry names weights to load, ``system`` without the chat endpoint, or an API key
    variable that is not set."""
    loads = [key for key in ("path", "hub", "config") if getattr(spec, key) is not None]
    if loads:
        raise ConfigError(
            f"an openai model is served, not loaded: give params.base_url and params.model, not {loads[0]}"
        )
    params = parse_options(OpenAIParams, spec.params, "params")
    if params.system is not None and params.endpoint != "chat":
        raise ConfigError("params.system: applies only with endpoint: chat (a completions prompt has no system turn)")
    if params.api_key_env is not None:
        key = os.environ.get(params.api_key_env)
        if not key:
            raise ConfigError(f"params.api_key_env: the environment variable {params.api_key_env} is not set")
        if any(ch.isspace() or not ch.isprintable() for ch in key):  # never repeated: it is the key
            raise ConfigError(
                f"params.api_key_env: the environment variable {params.api_key_env} holds whitespace or control "
                "characters (a trailing newline from a file?), which an HTTP header cannot carry"
            )
    return params


def api_key(params: OpenAIParams) -> str | None:
    """The key from the environment, read when the model is built (never stored in params)."""
    return os.environ.get(params.api_key_env) if params.api_key_env is not None else None
