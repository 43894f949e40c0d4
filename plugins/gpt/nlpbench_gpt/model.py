"""The ``gpt`` model type: any decoder-only transformer that ``AutoModelForCausalLM`` loads.

Importing this module is cheap: torch and transformers load when a model is built,
never when plugins are listed or a suite is validated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from nlpbench import (
    ConfigError,
    GenerateRequest,
    Loglikelihood,
    LoglikelihoodRequest,
    LoglikelihoodRollingRequest,
    ModelError,
    ModelSpec,
)

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
    from nlpbench_transformers import HFParams

    from .causal import CausalLM

#: The ``params:`` of the ``gpt`` type besides the common ones (device, dtype,
#: batch_size, max_length, truncation).
OWN_PARAMS = ("rolling_stride", "share_contexts")


class GPTModel:
    """Decoder-only transformer (GPT-2 or any AutoModelForCausalLM): generation and log-likelihoods.

    Built from ``path`` (a folder saved with ``save_pretrained``, safetensors only),
    ``hub`` (+ ``revision``) or ``config`` (untrained; GPT-2's tokenizer unless
    ``config.tokenizer`` names one). It scores whole texts of any length for perplexity
    with :meth:`loglikelihood_rolling`.
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"generate", "loglikelihood", "loglikelihood_rolling"})
    #: What ``nlpbench finetune`` can train a gpt model for.
    finetunable: ClassVar[frozenset[str]] = frozenset({"generate"})

    def __init__(self, spec: ModelSpec) -> None:
        params = self.check_spec(spec)
        from .causal import CausalLM  # torch and transformers load here

        self._lm: CausalLM | None = CausalLM.load(spec, params)
        self._closed_facts: dict[str, Any] = {}

    @classmethod
    def check_spec(cls, spec: ModelSpec) -> HFParams:
        """The validated params; ConfigError naming the key for anything wrong."""
        from nlpbench_transformers import parse_params

        if spec.path is None and spec.hub is None and spec.config is None:
            raise ConfigError("give one of path (a folder saved with save_pretrained), hub (a hub id) or config")
        params = parse_params(spec.params, own=OWN_PARAMS)
        if params.truncation != "left":
            raise ConfigError("params.truncation: a causal LM keeps the end of its input, so it must be 'left'")
        stride = params.extra.get("rolling_stride")
        if stride is not None:
            if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1:
                raise ConfigError(f"params.rolling_stride: must be a positive integer, not {stride!r}")
            if params.max_length is not None and stride > params.max_length:
                raise ConfigError(f"params.rolling_stride: {stride} is more than params.max_length {params.max_length}")
        share = params.extra.get("share_contexts", True)
        if not isinstance(share, bool):
            raise ConfigError(f"params.share_contexts: must be true or false, not {share!r}")
        return params

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
