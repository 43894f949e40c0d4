"""A real OpenAI-compatible HTTP server on 127.0.0.1 for the tests: FastAPI + uvicorn in a
thread, serving a causal LM saved with ``save_pretrained`` through ``/v1/models``,
``/v1/completions`` (greedy or seeded generation with stop strings; ``echo`` with
``logprobs``, ``top_logprobs`` and ``text_offset``) and ``/v1/chat/completions`` (the
tokenizer's chat template).

Its decoding matches the ``gpt`` type's: the prompt's tokens without special tokens
added, greedy ``generate`` until EOS, the text decoded without special tokens and cut
at the first stop string; prompt log-probabilities from one forward pass in float32.

:class:`ServerState` injects faults on demand (the next requests' faults, or a mode for
all of them) and counts what it was asked.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from transformers import AutoModelForCausalLM, AutoTokenizer

#: The paths that answer a model's requests (faults and counts apply to these).
ANSWERING = ("/v1/completions", "/v1/chat/completions")

#: What a fault does to the request it meets.
FAULTS = ("429", "500", "hang", "malformed", "drop", "echo-headers")


@dataclass
class ServerState:
    """What the server does next, and what it was asked. Safe to change from the test
    while the server runs."""

    #: the model name it serves
    model: str = "tiny-gpt"
    #: a model it lists too, whose every request is refused with the request's headers
    #: echoed back (as a careless proxy does): a key must not leak through its errors
    leaky_model: str = "leaky"
    #: faults for the next answering requests, one each, in order (see FAULTS)
    faults: deque[str] = field(default_factory=deque)
    #: every answering request fails with a 500 once this many were answered
    down_after: int | None = None
    #: "yes": prompt log-probabilities; "refused": a 400 for echo + logprobs; "absent": none in the response
    prompt_logprobs: str = "yes"
    #: the key every request must bear (401 otherwise); None: no auth
    api_key: str | None = None
    #: whether /v1/models lists the model (False: 404, as some servers have no such route)
    lists_models: bool = True
    retry_after: str = "1"
    hang_seconds: float = 3.0
    #: seconds every answering request waits before it is answered (to see requests overlap)
    delay: float = 0.0
    #: answering requests received (faulted ones too), by path
    received: Counter[str] = field(default_factory=Counter)
    #: answering requests answered with a 200
    answered: int = 0
    #: (path, time.monotonic()) of every answering request, in order of arrival
    arrivals: list[tuple[str, float]] = field(default_factory=list)
    #: answering requests being handled now, and the most there ever were at once
    in_flight: int = 0
    peak_in_flight: int = 0
    #: the prompts of the completions requests answered, in order
    prompts: list[str] = field(default_factory=list)
    #: the messages of the chat requests answered, in order
    conversations: list[list[dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def inject(self, *faults: str) -> None:
        for fault in faults:
            assert fault in FAULTS, fault
        with self.lock:
            self.faults.extend(faults)

    def _next_fault(self, path: str) -> str | None:
        with self.lock:
            self.received[path] += 1
            self.arrivals.append((path, time.monotonic()))
            if self.down_after is not None and self.answered >= self.down_after:
                return "down"
            return self.faults.popleft() if self.faults else None


class ServedLM:
    """A causal LM and its tokenizer, answering one request at a time."""

    def __init__(self, folder: Path) -> None:
        self.model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.positions = int(self.model.config.n_positions)
        self.eos = self.tokenizer.eos_token_id
        self.lock = threading.Lock()  # one forward pass at a time: requests come from a thread pool

    def encode(self, text: str) -> list[int]:
        ids: list[int] = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return ids

    def check_length(self, prompt: list[int], max_tokens: int) -> None:
        if len(prompt) + max_tokens > self.positions:
            raise TooLong(
                f"This model's maximum context length is {self.positions} tokens. However, you requested "
                f"{len(prompt) + max_tokens} tokens ({len(prompt)} in the messages, {max_tokens} in the completion)."
            )

    @torch.inference_mode()
    def generate(self, prompt: list[int], max_tokens: int, temperature: float, seed: int | None) -> list[int]:
        ids = torch.tensor([prompt or [self.eos]])
        with self.lock:
            if temperature > 0:
                torch.manual_seed(seed or 0)
            out = self.model.generate(
                ids,
                attention_mask=torch.ones_like(ids),
                do_sample=temperature > 0,
                temperature=temperature if temperature > 0 else None,
                top_k=None,
                top_p=None,
                max_new_tokens=max_tokens,
                pad_token_id=self.eos,
                eos_token_id=self.eos,
            )
        new: list[int] = out[0, ids.shape[1] :].tolist()
        return new[: new.index(self.eos)] if self.eos in new else new

    @torch.inference_mode()
    def prompt_logprobs(
        self, ids: list[int]
    ) -> tuple[list[float | None], list[dict[str, float] | None], tuple[int, float]]:
        """Each token's log-probability given those before (None for the first), the top
        one of each position, and the greedy next token with its log-probability."""
        with self.lock:
            tensor = torch.tensor([ids])
            logits = self.model(tensor, attention_mask=torch.ones_like(tensor)).logits[0]
        logprobs = torch.log_softmax(logits.float(), dim=-1)
        values: list[float | None] = [None]
        tops: list[dict[str, float] | None] = [None]
        for position in range(1, len(ids)):
            row = logprobs[position - 1]
            values.append(float(row[ids[position]]))
            best = int(row.argmax())
            tops.append({self.tokenizer.decode([best]): float(row[best])})
        following = int(logprobs[-1].argmax())
        return values, tops, (following, float(logprobs[-1, following]))

    def text_offsets(self, ids: list[int]) -> list[int]:
        """Where each token starts in the decoded text (as vLLM counts: the text decoded so far)."""
        return [len(self.tokenizer.decode(ids[:i])) for i in range(len(ids))]


class TooLong(Exception):
    pass


def _error(status: int, message: str, kind: str = "invalid_request_error") -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind, "code": status}}, status_code=status)


def build_app(lm: ServedLM, state: ServerState) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/models")
    def models() -> Any:
        if not state.lists_models:
            return _error(404, "Not Found")
        listed = [state.model, state.leaky_model]
        return {"object": "list", "data": [{"id": name, "object": "model", "owned_by": "tests"} for name in listed]}

    @app.post("/v1/completions")
    def completions(body: dict[str, Any], request: Request) -> Any:
        if body.get("model") == state.leaky_model:
            return _error(400, f"refused; your headers were {json.dumps(dict(request.headers))}")
        if body.get("model") != state.model:
            return _error(404, f"The model `{body.get('model')}` does not exist.", "NotFoundError")
        prompt = str(body["prompt"])
        max_tokens = int(body.get("max_tokens", 16))
        ids = lm.encode(prompt)
        try:
            lm.check_length(ids, max_tokens)
        except TooLong as error:
            return _error(400, str(error))
        if body.get("echo") and body.get("logprobs") is not None:
            return _echo(lm, state, prompt, ids, max_tokens)
        new = lm.generate(ids, max_tokens, float(body.get("temperature", 1.0)), body.get("seed"))
        text = _cut(lm.tokenizer.decode(new, skip_special_tokens=True), body.get("stop"))
        with state.lock:
            state.answered += 1
            state.prompts.append(prompt)
        return _completion(text, len(ids), len(new), "text_completion")

    @app.post("/v1/chat/completions")
    def chat(body: dict[str, Any], request: Request) -> Any:
        if body.get("model") == state.leaky_model:
            return _error(400, f"refused; your headers were {json.dumps(dict(request.headers))}")
        if body.get("model") != state.model:
            return _error(404, f"The model `{body.get('model')}` does not exist.", "NotFoundError")
        messages = body["messages"]
        if lm.tokenizer.chat_template is None:
            return _error(400, "the tokenizer has no chat template")
        rendered = lm.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        ids = lm.encode(rendered)
        max_tokens = int(body.get("max_tokens", 16))
        try:
            lm.check_length(ids, max_tokens)
        except TooLong as error:
            return _error(400, str(error))
        new = lm.generate(ids, max_tokens, float(body.get("temperature", 1.0)), body.get("seed"))
        text = _cut(lm.tokenizer.decode(new, skip_special_tokens=True), body.get("stop"))
        with state.lock:
            state.answered += 1
            state.conversations.append(messages)
        return _completion(text, len(ids), len(new), "chat.completion")

    return app


def _echo(lm: ServedLM, state: ServerState, prompt: str, ids: list[int], max_tokens: int) -> Any:
    if state.prompt_logprobs == "refused":
        return _error(400, "echo is not supported with logprobs by this server")
    values, tops, (following, next_value) = lm.prompt_logprobs(ids)
    offsets = lm.text_offsets(ids)
    text = prompt + lm.tokenizer.decode([following])
    logprobs: dict[str, Any] | None = {
        "tokens": [lm.tokenizer.decode([i]) for i in [*ids, following]],
        "token_logprobs": [*values, next_value],
        "top_logprobs": [*tops, {lm.tokenizer.decode([following]): next_value}],
        "text_offset": [*offsets, len(prompt)],
    }
    if state.prompt_logprobs == "absent":
        logprobs = None
    with state.lock:
        state.answered += 1
        state.prompts.append(prompt)
    return {
        "id": "cmpl-test",
        "object": "text_completion",
        "model": state.model,
        "choices": [{"index": 0, "text": text, "logprobs": logprobs, "finish_reason": "length"}],
        "usage": {"prompt_tokens": len(ids), "completion_tokens": 1, "total_tokens": len(ids) + 1},
    }


def _completion(text: str, prompt_tokens: int, completion_tokens: int, kind: str) -> dict[str, Any]:
    choice: dict[str, Any] = {"index": 0, "finish_reason": "stop"}
    if kind == "chat.completion":
        choice["message"] = {"role": "assistant", "content": text}
    else:
        choice["text"] = text
    return {
        "id": "test",
        "object": kind,
        "choices": [choice],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _cut(text: str, stop: Any) -> str:
    stops = [stop] if isinstance(stop, str) else list(stop or [])
    cuts = [found for found in (text.find(s) for s in stops if s) if found >= 0]
    return text[: min(cuts)] if cuts else text


class FaultLayer:
    """ASGI middleware: checks the key, then applies the next fault to an answering request."""

    def __init__(self, app: Any, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        state = self.state
        if state.api_key is not None and headers.get("authorization") != f"Bearer {state.api_key}":
            given = headers.get("authorization", "").removeprefix("Bearer ")
            # as careless as a server can be: the key given, in full, in the message
            await _send(send, _error(401, f"Incorrect API key provided: {given}", "invalid_api_key"))
            return
        path = scope["path"]
        if path not in ANSWERING:
            await self.app(scope, receive, send)
            return
        fault = state._next_fault(path)
        with state.lock:
            state.in_flight += 1
            state.peak_in_flight = max(state.peak_in_flight, state.in_flight)
        try:
            await self._answer(fault, headers, scope, receive, send)
        finally:
            with state.lock:
                state.in_flight -= 1

    async def _answer(self, fault: str | None, headers: dict[str, str], scope: Any, receive: Any, send: Any) -> None:
        state = self.state
        if fault == "down":
            await _send(send, _error(500, "the server is down for maintenance", "server_error"))
        elif fault == "429":
            response = _error(429, "Rate limit reached, slow down", "rate_limit_exceeded")
            response.headers["Retry-After"] = state.retry_after
            await _send(send, response)
        elif fault == "500":
            await _send(send, _error(500, "the GPU caught fire", "server_error"))
        elif fault == "malformed":
            await _send(
                send, JSONResponse(content=None, status_code=200, media_type="application/json"), b'{"choices": ['
            )
        elif fault == "echo-headers":
            await _send(send, _error(400, f"bad request; you sent headers {json.dumps(headers)}"))
        elif fault == "drop":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]})
            await send({"type": "http.response.body", "body": b'{"choi', "more_body": True})
            raise ConnectionAbortedError("dropped on purpose")  # uvicorn closes the connection
        else:
            await asyncio.sleep(state.hang_seconds if fault == "hang" else state.delay)
            await self.app(scope, receive, send)


async def _send(send: Any, response: JSONResponse, body: bytes | None = None) -> None:
    content = response.body if body is None else body
    headers = [(k, v) for k, v in response.raw_headers if k != b"content-length"]
    headers.append((b"content-length", str(len(content)).encode()))
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": content})


@dataclass
class RunningServer:
    base_url: str
    state: ServerState
    lm: ServedLM


@contextmanager
def serve(lm: ServedLM, state: ServerState | None = None) -> Iterator[RunningServer]:
    """The server on a free port of 127.0.0.1 for the ``with`` block, stopped after it."""
    state = state or ServerState()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        FaultLayer(build_app(lm, state), state), log_level="critical", timeout_graceful_shutdown=1, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield RunningServer(f"http://127.0.0.1:{port}/v1", state, lm)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
