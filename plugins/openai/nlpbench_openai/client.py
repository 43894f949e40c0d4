"""Asking an OpenAI-compatible server, patiently: JSON over HTTP with retries.

A 429, a 5xx, a connection error, a timeout or a body that is not a JSON object
is asked again, up to ``max_retries`` times, after a backoff with full jitter or the
server's ``Retry-After``; any other 4xx fails at once. What fails becomes a one-line
:class:`~nlpbench.ModelError` with the status, the URL and the server's own message,
and never holds the API key: every text from the server passes through :meth:`Client.redact`
first (a server that echoes the request's headers back would otherwise show it).
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from nlpbench import ModelError

from . import retrying

#: The longest server message kept in an error.
_MESSAGE_CHARS = 300


class HTTPFailure(ModelError):
    """The server answered with an error status (after any retries): ``status`` says which."""

    def __init__(self, message: str, status: int, server_message: str) -> None:
        super().__init__(message)
        self.status = status
        self.server_message = server_message


class Client:
    """One server's API, shared by every thread asking it (httpx's client is thread-safe)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout: float,
        max_retries: int,
        max_connections: int,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        #: the base URL as errors and results show it: without any user:password@
        self.shown_url = _without_credentials(self.base_url)
        self.timeout = timeout
        self.max_retries = max_retries
        self._secrets = [s for s in (api_key, _password(self.base_url)) if s]
        self._sleep = sleep
        self._lock = threading.Lock()
        #: HTTP requests retried so far (each retry of each call counts once)
        self.retries = 0
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._http = httpx.Client(timeout=httpx.Timeout(timeout), headers=headers, limits=limits)

    def get(self, path: str) -> Any:
        """The JSON body of ``GET base_url + path``; :class:`HTTPFailure` or ModelError after the retries."""
        return self._ask("GET", path, None)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        """The JSON body of ``POST base_url + path`` with ``body``; :class:`HTTPFailure` or ModelError after the retries."""
        return self._ask("POST", path, body)

    def redact(self, text: str) -> str:
        """``text`` with the API key (and any password of the base URL) replaced by ``***``,
        as written or escaped (an error quoting the header), and any run of 6 or more of
        its characters too: a server's 401 may quote part of a wrong key (OpenAI shows
        its first and last characters)."""
        for secret in self._secrets:
            for shown in {secret, repr(secret)[1:-1], repr(secret.encode())[2:-1]}:  # as written, or escaped
                text = text.replace(shown, "***")
            if len(secret) >= 8:
                text = _fragments(secret).sub("***", text)
        return text

    def close(self) -> None:
        self._http.close()

    def _ask(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        url = self.base_url + path
        shown = f"{method} {self.shown_url}{path}"
        attempts = self.max_retries + 1
        for attempt in range(attempts):
            wait: float | None = None
            try:
                response = self._http.request(method, url, json=body)
            except httpx.TimeoutException:
                problem = f"no response within {self.timeout:g} s (timeout)"
            except httpx.TransportError as error:
                problem = f"connection failed: {self.redact(_one_line(str(error)) or type(error).__name__)}"
            else:
                status = response.status_code
                if 200 <= status < 300:
                    parsed = _json_object(response.content)
                    if parsed is not None:
                        return parsed
                    problem = f"HTTP {status} but the body is not a JSON object: {self._said(response)!r}"
                else:
                    said = self._said(response)
                    problem = f"HTTP {status}" + (f": {said}" if said else "")
                    if status not in retrying.RETRYABLE_STATUSES:
                        raise HTTPFailure(f"{shown}: {problem}", status, said)
                    wait = retrying.retry_after(response.headers.get("retry-after"))
                    if attempt == attempts - 1:
                        raise HTTPFailure(f"{shown}: {problem} (after {attempts} attempts)", status, said)
            if attempt == attempts - 1:
                break
            with self._lock:
                self.retries += 1
            self._sleep(retrying.backoff(attempt) if wait is None else wait)
        raise ModelError(f"{shown}: {problem} (after {attempts} attempts)")

    def _said(self, response: httpx.Response) -> str:
        """The server's own message from an error body (OpenAI's ``{"error": {"message"}}``,
        FastAPI's ``detail``, or the text), on one line, cut short, key removed."""
        text = response.content.decode("utf-8", errors="replace")
        parsed = _json_object(response.content)
        if parsed is not None:
            said = _message_in(parsed)
            if said is not None:
                text = said
        text = self.redact(_one_line(text))
        return text if len(text) <= _MESSAGE_CHARS else text[: _MESSAGE_CHARS - 1] + "…"


def _message_in(body: dict[str, Any]) -> str | None:
    error = body.get("error")
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])
    for key in ("error", "message", "detail"):
        value = body.get(key)
        if isinstance(value, str):
            return value
        if value is not None and key == "detail":
            return json.dumps(value, ensure_ascii=False)
    return None


def _json_object(content: bytes) -> dict[str, Any] | None:
    try:
        parsed = json.loads(content)
    except ValueError:  # also UnicodeDecodeError
        return None
    return parsed if isinstance(parsed, dict) else None


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return urlunsplit(parts._replace(netloc=netloc))


def _password(url: str) -> str | None:
    return urlsplit(url).password


@functools.cache
def _fragments(secret: str, least: int = 6) -> re.Pattern[str]:
    """Every run of ``least`` characters of ``secret`` (longest first), as one pattern."""
    runs = {
        secret[i : i + size] for size in range(len(secret) - 1, least - 1, -1) for i in range(len(secret) - size + 1)
    }
    return re.compile("|".join(re.escape(run) for run in sorted(runs, key=len, reverse=True)))
