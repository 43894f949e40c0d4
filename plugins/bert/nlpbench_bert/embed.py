"""Sentence embeddings: the encoder's last layer, mean-pooled over the attention mask
(or the [CLS] vector), L2-normalised."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from nlpbench import EncodeRequest

from .inputs import Row, pad, tokenize
from .runtime import Runtime


def encode(runtime: Runtime, requests: Sequence[EncodeRequest]) -> list[list[float]]:
    """One unit-length vector per request, in request order."""
    return embed_rows(runtime, tokenize(runtime, [request.text for request in requests]))


def embed_rows(runtime: Runtime, rows: Sequence[Row]) -> list[list[float]]:
    """Embeddings of tokenized ``rows``, in length-sorted batches, one transfer per batch."""

    def work(batch: list[int]) -> list[list[float]]:
        inputs = pad(runtime, [rows[i] for i in batch])
        with torch.inference_mode():
            # base_model: the encoder under any head (the bare model is its own base)
            hidden = runtime.model.base_model(**inputs).last_hidden_state.float()
        vectors = pool(hidden, inputs["attention_mask"], runtime.settings.pooling)
        return torch.nn.functional.normalize(vectors, dim=-1).cpu().tolist()

    return runtime.runner.run([len(row.input_ids) for row in rows], work)


def pool(hidden: torch.Tensor, mask: torch.Tensor, pooling: str) -> torch.Tensor:
    """``mean``: the average of the vectors the attention mask covers (special tokens
    included, as sentence-transformers does); ``cls``: the first token's vector."""
    if pooling == "cls":
        return hidden[:, 0]
    weights = mask.to(hidden.device).unsqueeze(-1).to(hidden.dtype)  # spread over GPUs: states on the last
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
