"""encode: mean pooling over the attention mask (or [CLS]), L2-normalised, from any head."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

from nlpbench import EncodeRequest

TEXTS = ["a good film", "the plot makes no sense at all, none whatsoever", "ok", "I left before the end"]


def _direct(encoder: Any, tokenizer: Any, pooling: str) -> torch.Tensor:
    inputs = tokenizer(TEXTS, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = encoder(**inputs).last_hidden_state
    if pooling == "cls":
        pooled = hidden[:, 0]
    else:
        mask = inputs["attention_mask"].unsqueeze(-1).float()
        pooled = (hidden * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1)


@pytest.mark.parametrize("pooling", ["mean", "cls"])
def test_embeddings_equal_a_direct_computation(
    load: Callable[..., Any], reference: Callable[[str], Any], tokenizer: Any, pooling: str
) -> None:
    vectors = load("encoder", pooling=pooling, batch_size=3).encode([EncodeRequest(t) for t in TEXTS])
    got = torch.tensor(vectors)
    assert got.shape == (len(TEXTS), 32)
    torch.testing.assert_close(got.norm(dim=-1), torch.ones(len(TEXTS)), atol=1e-6, rtol=0)
    torch.testing.assert_close(got, _direct(reference("encoder"), tokenizer, pooling), atol=1e-5, rtol=0)


@pytest.mark.parametrize("head", ["classification", "qa", "masked-lm"])
def test_every_head_encodes_with_its_encoder(
    load: Callable[..., Any], reference: Callable[[str], Any], tokenizer: Any, head: str
) -> None:
    model = load(head)
    assert "encode" in model.capabilities
    got = torch.tensor(model.encode([EncodeRequest(t) for t in TEXTS]))
    torch.testing.assert_close(got, _direct(reference(head).bert, tokenizer, "mean"), atol=1e-5, rtol=0)
