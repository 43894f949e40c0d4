"""A loaded causal LM answering nlpbench requests: the part of :class:`GPTModel` that
needs torch and transformers, imported only when a model is built."""

from __future__ import annotations

import gc
import hashlib
from functools import partial
from typing import Any

import torch
from transformers import AutoModelForCausalLM

from nlpbench import (
    GenerateRequest,
    Loglikelihood,
    LoglikelihoodRequest,
    LoglikelihoodRollingRequest,
    ModelError,
    ModelSpec,
    Request,
)
from nlpbench_transformers import BatchRunner, ChatTemplate, Loaded, Truncation, load_model

from .encoding import Pair, encode_pairs
from .generation import Generator, Prompt
from .params import GPTParams
from .scoring import Scorer
from .tokenizer import gpt2_tokenizer
from .windows import disjoint_window_pairs, window_pairs


class CausalLM:
    """A causal LM on its device, with its tokenizer, batching and truncation record."""

    def __init__(self, loaded: Loaded, params: GPTParams, seed: int, chat: ChatTemplate | None = None) -> None:
        self.loaded = loaded
        self.model = loaded.model
        self.tokenizer = loaded.tokenizer
        self.seed = seed
        self.max_length = _max_length(loaded.model.config, params.max_length)
        self.truncation = Truncation(side="left", max_length=self.max_length)
        self.share_contexts = params.share_contexts
        stride = params.rolling_stride
        self.rolling_stride = min(stride, self.max_length) if stride is not None else max(1, self.max_length // 2)
        tokenizer = self.tokenizer
        bos, eos = tokenizer.bos_token_id, tokenizer.eos_token_id
        self.start_token: int | None = bos if bos is not None else eos
        # Llama-style tokenizers begin every text with BOS; GPT-2's adds nothing
        self.prepend_start = bos is not None and tokenizer("a")["input_ids"][:1] == [bos]
        #: the chat template prompts go through (``params.chat``), None for plain prompts
        self.chat = chat
        if chat is not None and chat.starts_with(tokenizer.bos_token):
            self.prepend_start = False  # the template writes the BOS itself
        self.eos_ids = _eos_ids(loaded.model, eos)
        pad = tokenizer.pad_token_id
        pad_id = pad if pad is not None else (self.eos_ids[0] if self.eos_ids else 0)
        self.runner = BatchRunner(params.batch_size)
        self.scorer = Scorer(loaded.model, loaded.device, pad_id, self.runner)
        self.generator = Generator(loaded.model, tokenizer, loaded.device, pad_id, self.eos_ids)

    @classmethod
    def load(cls, spec: ModelSpec, params: GPTParams) -> CausalLM:
        loaded = load_model(
            spec, params, AutoModelForCausalLM, default_model_type="gpt2", default_tokenizer=gpt2_tokenizer
        )
        return cls(loaded, params, spec.seed, ChatTemplate.of(loaded.tokenizer, params, spec))

    # -- log-likelihoods ---------------------------------------------------

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Loglikelihood]:
        if not requests:
            return []
        requests = self._chatted(requests)
        encoded = encode_pairs(
            self._encode,
            [(r.context, r.continuation) for r in requests],
            start_token=self._start_token(),
            prepend_start=self.prepend_start,
        )
        pairs = [self._fit(prefix, targets) for prefix, targets in encoded]
        unique = list(dict.fromkeys(pair for pair in pairs if pair[1]))  # the same request twice is scored once
        scores = dict(zip(unique, self.scorer.score(unique, share=self.share_contexts), strict=True))
        answers = []
        for pair in pairs:
            logprob, greedy = scores[pair] if pair[1] else (0.0, True)
            answers.append(Loglikelihood(logprob=logprob, is_greedy=greedy, n_tokens=len(pair[1])))
        return answers

    def loglikelihood_rolling(self, requests: list[LoglikelihoodRollingRequest]) -> list[Loglikelihood]:
        strides = [self.rolling_stride if r.stride is None else r.stride for r in requests]
        for stride in strides:
            if isinstance(stride, bool) or not isinstance(stride, int) or not 1 <= stride <= self.max_length:
                raise ModelError(
                    f"rolling stride must be an integer between 1 and max_length ({self.max_length}), not {stride!r}"
                )
        if not requests:
            return []
        tokens = self._encode([r.text for r in requests])
        start = self._start_token()
        windows = [
            disjoint_window_pairs(text, start, self.max_length)
            if request.windows == "disjoint"
            else window_pairs(text, start, self.max_length, stride)
            for text, stride, request in zip(tokens, strides, requests, strict=True)
        ]
        flat = [pair for text in windows for pair in text]
        scores = self.scorer.score(flat, share=False) if flat else []  # one batching over every text's windows
        answers, offset = [], 0
        for text, text_windows in zip(tokens, windows, strict=True):
            mine = scores[offset : offset + len(text_windows)]
            offset += len(text_windows)
            answers.append(
                Loglikelihood(
                    logprob=sum(logprob for logprob, _ in mine),
                    is_greedy=all(greedy for _, greedy in mine),
                    n_tokens=len(text),
                )
            )
        return answers

    def _fit(self, prefix: tuple[int, ...], targets: tuple[int, ...]) -> Pair:
        """The pair cut on the left so that the model's input fits ``max_length``."""
        if len(targets) > self.max_length:
            raise ModelError(
                f"a continuation of {len(targets)} tokens does not fit max_length {self.max_length}: "
                "score long texts with loglikelihood_rolling"
            )
        keep = self.max_length - len(targets) + 1
        return tuple(self.truncation.cut(list(prefix), keep)), targets

    # -- generation --------------------------------------------------------

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        answers: list[str | None] = [None] * len(requests)
        by_budget: dict[int, list[int]] = {}
        for index, request in enumerate(requests):
            if request.temperature < 0:
                raise ModelError(f"temperature must be 0 (greedy) or more, not {request.temperature}")
            if request.max_new_tokens <= 0:
                answers[index] = ""
            else:
                by_budget.setdefault(request.max_new_tokens, []).append(index)
        requests = self._chatted(requests)
        encoded = self._encode([r.prompt for r in requests]) if requests else []
        for budget, indices in by_budget.items():
            room = self.max_length - budget
            if room < 1:
                raise ModelError(
                    f"generate: max_new_tokens {budget} leaves no room for a prompt in max_length {self.max_length}"
                )
            prompts = [self._prompt(requests[i], encoded[i], room) for i in indices]
            texts = self.runner.run([len(p.tokens) for p in prompts], partial(self._generate_batch, prompts, budget))
            for index, text in zip(indices, texts, strict=True):
                answers[index] = text
        return answers  # type: ignore[return-value]

    def _generate_batch(self, prompts: list[Prompt], budget: int, batch: list[int]) -> list[str]:
        return self.generator.generate([prompts[i] for i in batch], budget)

    def _prompt(self, request: GenerateRequest, tokens: list[int], room: int) -> Prompt:
        start = self._start_token() if self.prepend_start or not tokens else None
        ids = ([start] if start is not None else []) + tokens
        seed = request.seed if request.seed is not None else self._derived_seed(request.prompt)
        return Prompt(tuple(self.truncation.cut(ids, room)), request.stop, request.temperature, seed)

    def _derived_seed(self, prompt: str) -> int:
        """A request without a seed samples with one derived from the suite seed and its prompt."""
        digest = hashlib.sha256(f"{self.seed}\n{prompt}".encode()).digest()
        return int.from_bytes(digest[:8], "little")

    # -- the rest ----------------------------------------------------------

    def _chatted(self, requests: list[Any]) -> list[Any]:
        """The requests as the model is asked them: through the chat template, if any."""
        return requests if self.chat is None else [self.chat.applied(request) for request in requests]

    def shown(self, request: Request) -> str | None:
        """What the model is shown for ``request`` when a chat template renders it, else None."""
        return self.chat.shown(request) if self.chat is not None else None

    def _encode(self, texts: list[str]) -> list[list[int]]:
        ids: list[list[int]] = self.tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"]
        return ids

    def _start_token(self) -> int:
        if self.start_token is None:
            raise ModelError("the tokenizer has neither a BOS nor an EOS token to condition an empty context on")
        return self.start_token

    def describe(self) -> dict[str, Any]:
        return {
            **self.loaded.describe(),
            **self.truncation.describe(),
            "share_contexts": self.share_contexts,
            "rolling_stride": self.rolling_stride,
            **({"chat_template": "own" if self.chat.template is not None else "tokenizer's"} if self.chat else {}),
        }

    def close(self) -> None:
        """Drop the weights (the caller drops this object too) and give CUDA memory back."""
        self.model = self.scorer.model = self.generator.model = self.loaded.model = None
        gc.collect()
        if self.loaded.device.type == "cuda":
            torch.cuda.empty_cache()


def _max_length(config: Any, asked: int | None) -> int:
    """``params.max_length``, or the model's number of positions; never more than that."""
    positions = getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings", None)
    if asked is None:
        if positions is None:
            raise ModelError(
                "the model's config gives no n_positions or max_position_embeddings: set params.max_length"
            )
        return int(positions)
    if positions is not None and asked > positions:
        raise ModelError(f"params.max_length {asked} is more than the model's {positions} positions")
    return asked


def _eos_ids(model: Any, eos: int | None) -> list[int]:
    """The tokenizer's EOS, and any other end token the model's generation config names."""
    ids = [eos] if eos is not None else []
    configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    for token in configured if isinstance(configured, list) else [configured]:
        if token is not None and token not in ids:
            ids.append(int(token))
    return ids
