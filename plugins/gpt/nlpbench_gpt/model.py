"""The ``gpt`` model type: any decoder-only transformer that ``AutoModelForCausalLM`` loads.

Importing this module is cheap: torch and transformers load when a model is built,
never when plugins are listed or a suite is validated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from nlpbench import (
    Attribution,
    AttributionRequest,
    DeletionRequest,
    GenerateRequest,
    Loglikelihood,
    LoglikelihoodRequest,
    LoglikelihoodRollingRequest,
    ModelError,
    ModelSpec,
    Options,
    Request,
)

from .params import GPT2_CONFIG, GPTParams, check_spec

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from pathlib import Path

    from nlpbench import (
        FinetuneReport,
        FinetuneSettings,
        FinetuneStepped,
        PretrainReport,
        PretrainSettings,
        PretrainStepped,
        TrainingPair,
    )

    from .causal import CausalLM


class GPTModel:
    """Decoder-only transformer (GPT-2 or any AutoModelForCausalLM): generation and log-likelihoods.

    Built from ``path`` (a folder saved with ``save_pretrained``, safetensors only),
    ``hub`` (+ ``revision``) or ``config`` (untrained; GPT-2's tokenizer unless
    ``config.tokenizer`` names one). It scores whole texts of any length for perplexity
    with :meth:`loglikelihood_rolling`.
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"generate", "loglikelihood", "loglikelihood_rolling"})
    #: The ``params:`` a gpt entry takes; ``config:`` is checked against :data:`GPT2_CONFIG`.
    options: ClassVar[type[GPTParams]] = GPTParams
    #: The architecture settings ``config:`` takes (model_type gpt2).
    config_options: ClassVar[type[Options]] = GPT2_CONFIG.schema
    #: What its answers can be explained for (token attributions).
    attributable: ClassVar[frozenset[str]] = frozenset({"loglikelihood"})
    #: What ``nlpbench finetune`` can train a gpt model for.
    finetunable: ClassVar[frozenset[str]] = frozenset({"generate"})

    def __init__(self, spec: ModelSpec) -> None:
        params = check_spec(spec)
        from .causal import CausalLM  # torch and transformers load here

        self._lm: CausalLM | None = CausalLM.load(spec, params)
        self._closed_facts: dict[str, Any] = {}

    @classmethod
    def check_spec(cls, spec: ModelSpec) -> GPTParams:
        """The validated params; ConfigErrors listing every problem of ``params`` and
        ``config`` (each naming its key), or a ConfigError when nothing says what to load."""
        return check_spec(spec)

    @classmethod
    def finetune(
        cls,
        spec: ModelSpec,
        strategy: str,
        train: Sequence[TrainingPair],
        held_out: Sequence[TrainingPair],
        settings: FinetuneSettings,
        out_dir: Path,
        progress: Callable[[FinetuneStepped], None],
    ) -> FinetuneReport:
        """Fine-tune for ``generate``: causal-LM training on prompt, target and end of text,
        the loss on the target's tokens only, in float32 on ``params.device``; evaluated on
        ``held_out`` (exact match of greedy generation, loss); saved into ``out_dir``."""
        from .finetune import finetune

        return finetune(spec, strategy, train, held_out, settings, out_dir, progress)

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Loglikelihood]:
        """Log-probability of each continuation given its context (see the README for tokenization)."""
        return self._live().loglikelihood(requests)

    def loglikelihood_rolling(self, requests: list[LoglikelihoodRollingRequest]) -> list[Loglikelihood]:
        """Log-probability of each whole text, conditioned on the start token, every token
        scored once in sliding windows of ``max_length`` tokens that advance by the
        request's ``stride`` (None: ``params.rolling_stride``, else half of ``max_length``).
        ``n_tokens`` is the text's token count: perplexity is ``exp(-logprob / n_tokens)``."""
        return self._live().loglikelihood_rolling(requests)

    @classmethod
    def pretrain(
        cls,
        corpus: Sequence[Path],
        config: Mapping[str, Any],
        settings: PretrainSettings,
        out_dir: Path,
        progress: Callable[[PretrainStepped], None],
    ) -> PretrainReport:
        """``nlpbench pretrain``: a byte-level BPE tokenizer and a GPT-2 of the ``config``
        architecture trained from scratch on next-token prediction; see ``pretraining``."""
        from .pretraining import pretrain

        return pretrain(corpus, config, settings, out_dir, progress)

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        """The new text for each prompt, cut at the first stop string."""
        return self._live().generate(requests)

    def render_prompt(self, request: Request) -> str | None:
        """With ``params.chat``: the conversation as the chat template renders it (kept in
        the store and written as the sample's prompt); None for plain prompts."""
        return self._live().shown(request)

    def attribute(self, requests: list[AttributionRequest]) -> list[Attribution]:
        """Token attributions of the continuation it finds most likely among each example's
        loglikelihood requests, with Captum; see docs/attributions.md."""
        from .attributing import attribute

        return attribute(self._live(), requests)

    def deletion_scores(self, requests: list[DeletionRequest]) -> list[list[float]]:
        """The chosen continuation's log-probability with some context tokens removed (the faithfulness check)."""
        from .attributing import deletion_scores

        return deletion_scores(self._live(), requests)

    def describe(self) -> dict[str, Any]:
        """Where the model came from, its device and dtype, and what truncation cut."""
        return self._lm.describe() if self._lm is not None else dict(self._closed_facts)

    def tokens_processed(self) -> int:
        """Tokens the model has read so far (prompts and scored text), for tokens/s."""
        return self._lm.runner.tokens if self._lm is not None else 0

    def close(self) -> None:
        """Free the weights (and cached CUDA memory); the model answers nothing after this."""
        if self._lm is not None:
            self._closed_facts = self._lm.describe()
            lm, self._lm = self._lm, None
            lm.close()

    def _live(self) -> CausalLM:
        if self._lm is None:
            raise ModelError("the model was closed")
        return self._lm
