"""A loaded encoder-decoder answering nlpbench requests: what :class:`~.model.T5Model`
is once built, and what fine-tuning trains. torch and transformers are imported when
one is built, so that importing the model type stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from nlpbench import GenerateRequest, Loglikelihood, LoglikelihoodRequest, ModelError, ModelSpec, Request

from .params import T5Params, check_spec

if TYPE_CHECKING:
    from nlpbench_transformers import BatchRunner, ChatTemplate, Loaded, Truncation

    from .encoding import EncoderInputs, SpecialIds

#: ``max_length`` when neither the params, the model's config nor its tokenizer say.
FALLBACK_MAX_LENGTH = 512

#: A tokenizer's ``model_max_length`` above this means "no limit" (transformers uses 1e30).
_NO_LIMIT = 1_000_000

#: The special-token ids a model built from ``config:`` takes from its tokenizer, unless
#: the config sets them (T5's config defaults, pad 0 and eos 1, fit only T5's own vocabulary).
ALIGNED_IDS = {"pad_token_id": "pad_token_id", "eos_token_id": "eos_token_id", "decoder_start_token_id": "pad_token_id"}


class Seq2SeqLM:
    """T5 or any other encoder-decoder (AutoModelForSeq2SeqLM), loaded from ``spec``:
    text-to-text generation and teacher-forced scoring."""

    def __init__(self, spec: ModelSpec, params: T5Params | None = None) -> None:
        """``params``: the entry's own, checked, unless given (fine-tuning trains in float32)."""
        params = check_spec(spec) if params is None else params
        from transformers import AutoModelForSeq2SeqLM

        from nlpbench_transformers import BatchRunner, ChatTemplate, Truncation, load_model

        from .encoding import EncoderInputs, special_ids
        from .tokenizer import DEFAULT_TOKENIZER_NAME, default_tokenizer

        self.spec = spec
        self.score_eos = params.score_eos
        self.loaded: Loaded | None = load_model(
            spec, params, AutoModelForSeq2SeqLM, default_model_type="t5", default_tokenizer=default_tokenizer
        )
        model, tokenizer = self.loaded.model, self.loaded.tokenizer
        if not getattr(model.config, "is_encoder_decoder", False):
            raise ModelError(f"'{spec.name}' is not an encoder-decoder model; use the gpt or bert model type")
        uses_default_tokenizer = spec.config is not None and "tokenizer" not in spec.config
        if spec.config is not None:
            _align_special_ids(model, tokenizer, spec.config)
        self.tokenizer_name = DEFAULT_TOKENIZER_NAME if uses_default_tokenizer else type(tokenizer).__name__
        self.ids: SpecialIds = special_ids(model, tokenizer)
        #: the chat template the encoder's inputs go through (``params.chat``), None for plain prompts
        self.chat: ChatTemplate | None = ChatTemplate.of(tokenizer, params, spec)
        max_length = params.max_length or _default_max_length(model.config, tokenizer)
        self.truncation: Truncation = Truncation(params.truncation, max_length)
        self.encoder_inputs: EncoderInputs = EncoderInputs(tokenizer, self.truncation)
        # one runner per capability: what fits for scoring need not fit for generating
        self.runners: dict[str, BatchRunner] = {
            "generate": BatchRunner(params.batch_size),
            "loglikelihood": BatchRunner(params.batch_size),
        }

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        """The prompt is the encoder's input; the decoded answer is cut at the first stop string."""
        from .generation import generate

        loaded = self._loaded()
        runner = self.runners["generate"]
        requests = self._chatted(requests)
        return generate(loaded.model, loaded.tokenizer, self.encoder_inputs, self.ids, runner, requests, self.spec.seed)

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Loglikelihood]:
        """log p(continuation | context) under teacher forcing (see the README for what is scored)."""
        from .scoring import loglikelihood

        loaded = self._loaded()
        runner = self.runners["loglikelihood"]
        requests = self._chatted(requests)
        return loglikelihood(
            loaded.model, loaded.tokenizer, self.encoder_inputs, self.ids, runner, requests, score_eos=self.score_eos
        )

    def render_prompt(self, request: Request) -> str | None:
        """With ``params.chat``: the conversation as the chat template renders it (the
        encoder's input, kept in the store and written as the sample's prompt); else None."""
        self._loaded()
        return self.chat.shown(request) if self.chat is not None else None

    def _chatted(self, requests: list[Any]) -> list[Any]:
        return requests if self.chat is None else [self.chat.applied(request) for request in requests]

    def describe(self) -> dict[str, Any]:
        """Where the model came from, its device and dtype, its tokenizer, and what was truncated."""
        facts = self._loaded().describe()
        facts.update(self.truncation.describe())
        facts.update({"tokenizer": self.tokenizer_name, "score_eos": self.score_eos})
        if self.chat is not None:
            facts["chat_template"] = "own" if self.chat.template is not None else "tokenizer's"
        batch_sizes = {name: runner.batch_size for name, runner in self.runners.items() if runner.auto}
        if batch_sizes:
            facts["auto_batch_sizes"] = batch_sizes
        return facts

    def tokens_processed(self) -> int:
        """Tokens the model has read so far (encoder inputs), for tokens/s."""
        return sum(runner.tokens for runner in self.runners.values())

    def close(self) -> None:
        """Free the model's memory (the runner is done with it)."""
        if self.loaded is None:
            return
        on_cuda = self.loaded.device.type == "cuda"
        self.loaded = None
        import gc

        gc.collect()
        if on_cuda:
            import torch

            torch.cuda.empty_cache()

    def _loaded(self) -> Loaded:
        if self.loaded is None:
            raise ModelError(f"model '{self.spec.name}' was closed")
        return self.loaded


def _default_max_length(config: Any, tokenizer: Any) -> int:
    """The model's position limit (``n_positions``, ``max_position_embeddings``), else the
    tokenizer's ``model_max_length``, else 512. T5's relative positions have no limit of
    their own, and its tokenizers say 512."""
    for value in (getattr(config, "n_positions", None), getattr(config, "max_position_embeddings", None)):
        if isinstance(value, int) and value > 1:
            return value
    limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(limit, int) and 1 < limit < _NO_LIMIT:
        return limit
    return FALLBACK_MAX_LENGTH


def _align_special_ids(model: Any, tokenizer: Any, config: Mapping[str, Any]) -> None:
    """Give a model built from a config its tokenizer's pad/eos ids, and the pad id as the
    decoder start, unless the config names them."""
    for name, source in ALIGNED_IDS.items():
        value = getattr(tokenizer, source, None)
        if name in config or value is None:
            continue
        setattr(model.config, name, value)
        setattr(model.generation_config, name, value)
