"""The ``bert`` model type: what it declares, checked cheaply; the work happens in
modules imported only once a model loads (they import torch)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from nlpbench import (
    Attribution,
    AttributionRequest,
    ClassifyRequest,
    DeletionRequest,
    EncodeRequest,
    ExtractSpanRequest,
    FinetuneReport,
    FinetuneSettings,
    FinetuneStepped,
    Loglikelihood,
    LoglikelihoodRequest,
    ModelError,
    ModelSpec,
    Options,
    PretrainReport,
    PretrainSettings,
    PretrainStepped,
    Span,
    TrainingPair,
)

from .heads import CAPABILITIES_BY_HEAD, resolve_head
from .settings import BERT_CONFIG, BertParams, parse

if TYPE_CHECKING:
    from .runtime import Runtime


#: What each head's answers can be explained for (token attributions).
ATTRIBUTABLE_BY_HEAD: dict[str, frozenset[str]] = {
    "classification": frozenset({"classify"}),
    "qa": frozenset({"extract_span"}),
}


class BERTModel:
    """BERT-style encoder (BERT, MiniLM, ...) with a classification, question-answering or masked-LM head, or none.

    The head comes from the checkpoint's ``config.architectures`` (or ``params.head``:
    classification, qa, masked-lm, encoder) and decides what the model declares:
    classification → classify, encode; qa → extract_span, encode; masked-lm →
    loglikelihood (pseudo-log-likelihood), encode; a bare encoder → encode and zero-shot
    classify by embedding similarity. params: the common transformer ones (device,
    dtype, batch_size, max_length, truncation: right by default) and ``head``,
    ``pooling`` (mean, cls), ``doc_stride``, ``n_best``, ``max_answer_length``,
    ``label_template``, ``temperature``. ``nlpbench finetune`` trains a classification
    or a question-answering head on a task's train split.
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"classify", "extract_span", "encode", "loglikelihood"})
    #: The ``params:`` a bert entry takes; ``config:`` is checked against :data:`BERT_CONFIG`.
    options: ClassVar[type[BertParams]] = BertParams
    #: The architecture settings ``config:`` takes (model_type bert).
    config_options: ClassVar[type[Options]] = BERT_CONFIG.schema
    #: What ``nlpbench finetune`` can train a bert model for.
    finetunable: ClassVar[frozenset[str]] = frozenset({"classify", "extract_span"})

    @classmethod
    def check_spec(cls, spec: ModelSpec) -> None:
        """ConfigErrors for bad params or ``config:`` settings (each naming its key), or a
        ConfigError for a ``params.head`` the checkpoint does not have."""
        parse(spec)
        resolve_head(spec)

    @classmethod
    def capabilities_for(cls, spec: ModelSpec) -> frozenset[str]:
        """What a model built from ``spec`` will declare, from its config.json or
        ``params.head``, without loading it (all four for a hub id without ``params.head``)."""
        head = resolve_head(spec)
        return cls.capabilities if head is None else CAPABILITIES_BY_HEAD[head]

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
        """Fine-tune for ``classify``: a sequence-classification head over the labels the
        pairs ask about, on the encoder ``spec`` names (path, hub or config), trained with
        AdamW (linear warm-up and decay) in float32 on ``params.device``, evaluated on
        ``held_out`` (accuracy, loss), saved into ``out_dir`` with its tokenizer.

        A checkpoint whose head already has exactly these labels keeps it (and its label
        order); any other head is replaced by a new one.

        Fine-tune for ``extract_span``: a question-answering head (a QA checkpoint keeps its
        own), trained on each pair's question and context windows (``doc_stride``) to point
        at the target's first occurrence, evaluated on ``held_out`` with the model's own
        span extraction (``exact_match``, ``f1``); see ``finetune_spans``."""
        from .finetune import finetune

        return finetune(spec, strategy, train, held_out, settings, out_dir, progress)

    @classmethod
    def pretrain(
        cls,
        corpus: Sequence[Path],
        config: Mapping[str, Any],
        settings: PretrainSettings,
        out_dir: Path,
        progress: Callable[[PretrainStepped], None],
    ) -> PretrainReport:
        """``nlpbench pretrain``: a WordPiece tokenizer and a BertForMaskedLM of the
        ``config`` architecture trained from scratch on masked-LM; see ``pretraining``."""
        from .pretraining import pretrain

        return pretrain(corpus, config, settings, out_dir, progress)

    def __init__(self, spec: ModelSpec) -> None:
        from .runtime import load

        self._runtime: Runtime | None = load(spec)
        self.head = self._runtime.head
        self.capabilities = CAPABILITIES_BY_HEAD[self.head]  # type: ignore[misc]
        #: what this head's answers can be explained for (token attributions)
        self.attributable = ATTRIBUTABLE_BY_HEAD.get(self.head, frozenset())
        self._facts = self._runtime.facts()

    def classify(self, requests: list[ClassifyRequest]) -> list[dict[str, float]]:
        """Label probabilities: from the classification head, or zero-shot from a bare encoder."""
        runtime = self._ready("classify")
        from .classify import classify

        return classify(runtime, requests)

    def extract_span(self, requests: list[ExtractSpanRequest]) -> list[Span]:
        """The best-scoring span of each context, from the question-answering head."""
        runtime = self._ready("extract_span")
        if not requests:
            return []
        from .spans import extract_spans

        return extract_spans(runtime, requests)

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Loglikelihood]:
        """Pseudo-log-likelihood of each continuation, from the masked-LM head."""
        runtime = self._ready("loglikelihood")
        if not requests:
            return []
        from .pll import pseudo_loglikelihood

        return pseudo_loglikelihood(runtime, requests)

    def encode(self, requests: list[EncodeRequest]) -> list[list[float]]:
        """L2-normalised sentence embeddings (mean or [CLS] pooling of the last layer)."""
        runtime = self._ready("encode")
        from .embed import encode

        return encode(runtime, requests)

    def attribute(self, requests: list[AttributionRequest]) -> list[Attribution]:
        """Token attributions of the label it gives each text (classification head) or the
        span it extracts (qa head), with Captum; see docs/attributions.md."""
        runtime = self._ready("encode")
        from .attributing import attribute

        return attribute(runtime, requests)

    def deletion_scores(self, requests: list[DeletionRequest]) -> list[list[float]]:
        """The explained probability again with some tokens removed (the faithfulness check)."""
        runtime = self._ready("encode")
        from .attributing import deletion_scores

        return deletion_scores(runtime, requests)

    def describe(self) -> dict[str, Any]:
        runtime = self._runtime
        return {**self._facts, **(runtime.truncation_facts() if runtime is not None else {})}

    def tokens_processed(self) -> int:
        """Tokens the model has read so far, for tokens/s."""
        return self._runtime.runner.tokens if self._runtime is not None else 0

    def close(self) -> None:
        runtime, self._runtime = self._runtime, None
        if runtime is not None:
            runtime.release()

    def _ready(self, capability: str) -> Runtime:
        if self._runtime is None:
            raise ModelError("the model was closed")
        if capability not in self.capabilities:
            raise ModelError(
                f"this checkpoint's {self.head} head cannot {capability} "
                f"(it can: {', '.join(sorted(self.capabilities))}); see params.head"
            )
        return self._runtime
