"""The ``openai`` model type: a model served over HTTP by any OpenAI-compatible server.

Importing this module is cheap: httpx loads when a model is built, never when plugins
are listed or a suite is validated.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from nlpbench import (
    GenerateRequest,
    Loglikelihood,
    LoglikelihoodRequest,
    LoglikelihoodRollingRequest,
    ModelError,
    ModelSpec,
    Request,
    derived_seed,
)

from .params import OpenAIParams, api_key, check_spec

if TYPE_CHECKING:
    from .client import Client
    from .usage import Usage

_R = TypeVar("_R", bound=Request)
_A = TypeVar("_A")

#: The most stop strings sent (OpenAI's limit); any more are cut here, after the answer.
_STOPS_SENT = 4
#: The text of the load-time probe for prompt log-probabilities (two tokens or more).
_PROBE = "Hello, world"
#: Statuses that mean "this server does not do that" to the probe, not "you are wrong".
_PROBE_REFUSED = frozenset({400, 422, 501})
#: How many of the served models' names a wrong-name error lists.
_SHOWN_MODELS = 20


class OpenAIModel:
    """A model behind an OpenAI-compatible API (vLLM, SGLang, TGI, llama.cpp, Ollama, hosted).

    ``generate`` through ``/completions`` (the prompt) or ``/chat/completions`` (the
    request's messages, the ``system`` prompt first); ``loglikelihood`` and
    ``loglikelihood_rolling`` through ``/completions`` with ``echo`` and ``logprobs``,
    when a probe at load shows the server returns prompt log-probabilities. Each call
    answers its requests concurrently (at most ``max_concurrency`` at once); the runner
    asks one request per call, ``max_concurrency`` calls at a time, and stores each
    answer as it arrives.
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"generate", "loglikelihood", "loglikelihood_rolling"})
    options: ClassVar[type[OpenAIParams]] = OpenAIParams
    #: one request per call: every answer is stored the moment it arrives
    batch_requests: ClassVar[int] = 1

    def __init__(self, spec: ModelSpec) -> None:
        params = check_spec(spec)
        from .client import Client  # httpx loads here
        from .usage import Usage

        self.params = params
        self.seed = spec.seed
        self.concurrent_requests = params.max_concurrency
        #: capability → why this server lacks it (said in the cells that needed it)
        self.capability_notes: dict[str, str] = {}
        self._usage: Usage = Usage(params.price)
        self._client: Client | None = Client(
            params.base_url,
            api_key(params),
            timeout=params.timeout,
            max_retries=params.max_retries,
            max_connections=params.max_concurrency,
        )
        self._closed_facts: dict[str, Any] = {}
        #: whether the server scores prompts (None: not asked, the chat endpoint)
        self.prompt_logprobs: bool | None = None
        try:
            self._check_model_name(self._client)
            capabilities = self.capabilities_for(spec)
            if params.endpoint == "completions":
                why_not = self._probe_logprobs(self._client)
                self.prompt_logprobs = why_not is None
                if why_not is not None:
                    capabilities = frozenset({"generate"})
                    for capability in ("loglikelihood", "loglikelihood_rolling"):
                        self.capability_notes[capability] = why_not
            self.capabilities = capabilities  # type: ignore[misc]  # a loaded model narrows its type's
            self._client.retries = 0  # the load-time checks are not the cells' usage
        except BaseException:
            self._client.close()
            raise

    @classmethod
    def check_spec(cls, spec: ModelSpec) -> OpenAIParams:
        """The validated params (see :func:`nlpbench_openai.params.check_spec`)."""
        return check_spec(spec)

    @classmethod
    def capabilities_for(cls, spec: ModelSpec) -> frozenset[str]:
        """What the endpoint allows: chat only generates; completions may also score
        (the server is asked at load whether it returns prompt log-probabilities)."""
        if spec.params.get("endpoint") == "chat":
            return frozenset({"generate"})
        return cls.capabilities

    # -- capabilities ------------------------------------------------------------

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        """The new text for each request, cut at the first stop string."""
        return self._each(self._generate, requests)

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Loglikelihood]:
        """Log-probability of each continuation given its context, from the server's
        prompt log-probabilities (see :mod:`nlpbench_openai.logprobs`)."""
        self._needs("loglikelihood")
        return self._each(self._loglikelihood, requests)

    def loglikelihood_rolling(self, requests: list[LoglikelihoodRollingRequest]) -> list[Loglikelihood]:
        """Log-probability of each whole text, after ``params.start_text``, in one request
        each: the server scores the text in one window, so a text longer than its context
        fails with its message (the request's ``stride`` and ``windows`` have no use)."""
        self._needs("loglikelihood_rolling")
        return self._each(self._rolling, requests)

    def render_prompt(self, request: Request) -> str | None:
        """What a chat model is sent: its messages as JSON (the server's template is its
        own); None for the completions endpoint, which is sent the prompt as it is."""
        if self.params.endpoint != "chat" or not isinstance(request, GenerateRequest):
            return None
        return json.dumps(self._messages(request), ensure_ascii=False)

    # -- what the runner reads ---------------------------------------------------

    def usage(self) -> dict[str, float]:
        """Cumulative ``input_tokens`` and ``output_tokens`` (as the server's responses
        count them), ``requests``, ``retries``, and ``cost`` when ``params.price`` is set.
        The load-time checks are not counted."""
        return self._usage.as_dict(self._client.retries if self._client is not None else 0)

    def tokens_processed(self) -> int:
        """Tokens the server read and wrote for this model so far, for tokens/s."""
        return self._usage.input_tokens + self._usage.output_tokens

    def describe(self) -> dict[str, Any]:
        """Where the model is served and what it can do; never the key."""
        if self._client is None:
            return dict(self._closed_facts)
        facts: dict[str, Any] = {
            "base_url": self._client.shown_url,
            "model": self.params.model,
            "endpoint": self.params.endpoint,
            "prompt_logprobs": self.prompt_logprobs,
            "max_concurrency": self.params.max_concurrency,
        }
        return facts

    def close(self) -> None:
        if self._client is not None:
            self._closed_facts = self.describe()
            client, self._client = self._client, None
            client.close()

    # -- one request each --------------------------------------------------------

    def _generate(self, request: GenerateRequest) -> str:
        if request.temperature < 0:
            raise ModelError(f"temperature must be 0 (greedy) or more, not {request.temperature}")
        if request.max_new_tokens <= 0:
            return ""
        stops = [stop for stop in request.stop if stop]
        seed = request.seed if request.seed is not None else derived_seed(self.seed, request.prompt) % 2**31
        body: dict[str, Any] = {
            "model": self.params.model,
            "max_tokens": request.max_new_tokens,
            "temperature": request.temperature,
            "seed": seed,
        }
        if stops:
            body["stop"] = stops[:_STOPS_SENT]
        if self.params.endpoint == "chat":
            body["messages"] = self._messages(request)
            message = self._first_choice(self._post("/chat/completions", body)).get("message")
            text = message.get("content") if isinstance(message, dict) else None
        else:
            body["prompt"] = request.prompt
            text = self._first_choice(self._post("/completions", body)).get("text")
        if text is None and self.params.endpoint == "chat":
            text = ""  # a chat reply with no content (a refusal or a tool call): nothing said
        if text is None:
            raise ModelError("the server's completion has no text")
        if not isinstance(text, str):
            raise ModelError(f"the server's reply is not text: {str(text)[:80]!r}")
        return _cut_at_stop(text, stops)

    def _messages(self, request: GenerateRequest) -> list[dict[str, str]]:
        """The conversation sent to the chat endpoint: ``params.system`` first, then the
        request's messages, or its prompt as one user turn. A conversation that brings
        its own system turn gets one system turn, ``params.system`` then its own (as the
        local chat models do: most templates take no second system turn)."""
        sent = [{"role": m.role, "content": m.content} for m in request.messages] or [
            {"role": "user", "content": request.prompt}
        ]
        system = self.params.system
        if system is not None:
            if sent[0]["role"] == "system":
                sent[0] = {"role": "system", "content": f"{system}\n\n{sent[0]['content']}"}
            else:
                sent.insert(0, {"role": "system", "content": system})
        return sent

    def _loglikelihood(self, request: LoglikelihoodRequest) -> Loglikelihood:
        context, continuation = _move_trailing_space(request.context, request.continuation)
        if not continuation:
            return Loglikelihood(logprob=0.0, is_greedy=True, n_tokens=0)
        before = context or self.params.start_text  # an empty context conditions on the start text
        return self._score(before + continuation, len(before))

    def _rolling(self, request: LoglikelihoodRollingRequest) -> Loglikelihood:
        if not request.text:
            return Loglikelihood(logprob=0.0, is_greedy=True, n_tokens=0)
        start = self.params.start_text
        return self._score(start + request.text, len(start))

    def _score(self, prompt: str, start: int) -> Loglikelihood:
        from .logprobs import span_loglikelihood

        body = {
            "model": self.params.model,
            "prompt": prompt,
            "echo": True,
            "logprobs": 1,
            "max_tokens": 1,  # some servers refuse 0; the one generated token is left out
            "temperature": 0,
        }
        return span_loglikelihood(self._post("/completions", body), prompt, start)

    # -- plumbing ----------------------------------------------------------------

    def _each(self, answer: Callable[[_R], _A], requests: Sequence[_R]) -> list[_A]:
        """``answer`` for every request, in order, ``max_concurrency`` at a time. The first
        failure is raised once the requests in flight have returned; the rest are not sent."""
        if len(requests) <= 1:
            return [answer(request) for request in requests]
        pool = ThreadPoolExecutor(min(self.params.max_concurrency, len(requests)), "nlpbench-openai")
        try:
            return list(pool.map(answer, requests))
        finally:  # after a failure, the requests not yet sent are not sent
            pool.shutdown(wait=True, cancel_futures=True)

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = self._live().post(path, body)
        self._usage.add(response)
        return response

    def _first_choice(self, response: dict[str, Any]) -> dict[str, Any]:
        choices = response.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            shown = self._live().redact(json.dumps(response, ensure_ascii=False))
            raise ModelError(f"the server's response has no choices: {shown[:120]}")
        first: dict[str, Any] = choices[0]
        return first

    def _live(self) -> Client:
        if self._client is None:
            raise ModelError("the model was closed")
        return self._client

    def _needs(self, capability: str) -> None:
        if capability not in self.capabilities:
            raise ModelError(f"{capability}: {self.capability_notes.get(capability, 'not with this endpoint')}")

    def _check_model_name(self, client: Client) -> None:
        """A ModelError naming what the server serves when it lists its models and
        ``params.model`` is not among them; a server without ``/models`` is not asked."""
        from .client import HTTPFailure

        try:
            listed = client.get("/models")
        except HTTPFailure as failure:
            if failure.status in (404, 405, 501):
                return  # the server does not list its models: the first request will say
            raise
        data = listed.get("data")
        if not isinstance(data, list):
            return
        served = [str(entry["id"]) for entry in data if isinstance(entry, dict) and "id" in entry]
        if self.params.model in served:
            return
        shown = ", ".join(served[:_SHOWN_MODELS]) + (
            f" and {len(served) - _SHOWN_MODELS} more" if len(served) > _SHOWN_MODELS else ""
        )
        raise ModelError(
            f"params.model: '{self.params.model}' is not served by {client.shown_url} (it serves: {shown or 'nothing'})"
        )

    def _probe_logprobs(self, client: Client) -> str | None:
        """Why the server cannot score prompts (None when it can): one tiny completions
        request with ``echo`` and ``logprobs``, as lm-evaluation-harness sends them."""
        from .client import HTTPFailure
        from .logprobs import has_prompt_logprobs

        body = {
            "model": self.params.model,
            "prompt": _PROBE,
            "echo": True,
            "logprobs": 1,
            "max_tokens": 1,
            "temperature": 0,
        }
        try:
            response = client.post("/completions", body)
        except HTTPFailure as failure:
            if failure.status not in _PROBE_REFUSED:
                raise
            said = f"HTTP {failure.status}" + (f": {failure.server_message}" if failure.server_message else "")
            return f"the server refuses prompt log-probabilities (completions with echo and logprobs: {said})"
        if has_prompt_logprobs(response):
            return None
        return "the server returns no prompt log-probabilities (completions with echo and logprobs)"


def _cut_at_stop(text: str, stops: Sequence[str]) -> str:
    """``text`` up to the first occurrence of any of ``stops``: the server stops at those
    it was sent, and this also cuts at those it was not (past the fourth)."""
    cuts = [found for found in (text.find(stop) for stop in stops) if found >= 0]
    return text[: min(cuts)] if cuts else text


def _move_trailing_space(context: str, continuation: str) -> tuple[str, str]:
    """The context's trailing whitespace moved to the continuation, as lm-evaluation-harness
    and the ``gpt`` type do (BPE vocabularies attach a space to the word after it)."""
    spaces = len(context) - len(context.rstrip())
    if spaces == 0:
        return context, continuation
    return context[:-spaces], context[-spaces:] + continuation
