"""Turning texts into model inputs: batched tokenization that fits ``max_length`` (and
counts what it cut), and right-padded tensors."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from transformers import PreTrainedTokenizerBase

from .runtime import Runtime


@dataclass(frozen=True)
class Row:
    """One input sequence, special tokens included."""

    input_ids: list[int]
    token_type_ids: list[int] | None = None


def tokenize(runtime: Runtime, texts: Sequence[str], pairs: Sequence[str | None] | None = None) -> list[Row]:
    """``texts`` (with their ``pairs``, where given) as rows of at most ``max_length``
    tokens. Everything is tokenized in one batched call per kind (single, pair); the few
    that are too long are tokenized again, truncated on the configured side (pairs:
    longest first), and counted."""
    rows: list[Row | None] = [None] * len(texts)
    singles = [i for i in range(len(texts)) if pairs is None or pairs[i] is None]
    doubles = [i for i in range(len(texts)) if pairs is not None and pairs[i] is not None]
    for group, paired in ((singles, False), (doubles, True)):
        if not group:
            continue
        first = [texts[i] for i in group]
        second = [str(pairs[i]) for i in group] if paired and pairs is not None else None
        for index, row in zip(group, _fit(runtime, first, second), strict=True):
            rows[index] = row
    return [row for row in rows if row is not None]


def _fit(runtime: Runtime, first: list[str], second: list[str] | None) -> list[Row]:
    tokenizer, limit = runtime.tokenizer, runtime.max_length
    encoded = tokenizer(first, second, verbose=False)
    ids: list[list[int]] = encoded["input_ids"]
    types: list[list[int]] | None = encoded.get("token_type_ids") if runtime.token_types else None
    over = [j for j, row in enumerate(ids) if len(row) > limit]
    if over:
        with truncation_side(tokenizer, runtime.truncation.side):
            cut = tokenizer(
                [first[j] for j in over],
                [second[j] for j in over] if second is not None else None,
                truncation=True,
                max_length=limit,
            )
        for k, j in enumerate(over):
            runtime.truncation.truncated += 1
            runtime.truncation.tokens_dropped += len(ids[j]) - len(cut["input_ids"][k])
            ids[j] = cut["input_ids"][k]
            if types is not None:
                types[j] = cut["token_type_ids"][k]
    return [Row(ids[j], types[j] if types is not None else None) for j in range(len(ids))]


@contextmanager
def truncation_side(tokenizer: PreTrainedTokenizerBase, side: str) -> Iterator[None]:
    """The tokenizer truncating on ``side`` for the duration (it is ours alone)."""
    before = tokenizer.truncation_side
    tokenizer.truncation_side = side
    try:
        yield
    finally:
        tokenizer.truncation_side = before


def pad(runtime: Runtime, rows: Sequence[Row]) -> dict[str, torch.Tensor]:
    """``rows`` padded on the right to the longest, as tensors on the model's device."""
    width = max(len(row.input_ids) for row in rows)
    pad_id = runtime.tokenizer.pad_token_id or 0
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    types = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        length = len(row.input_ids)
        ids[i, :length] = torch.tensor(row.input_ids, dtype=torch.long)
        mask[i, :length] = 1
        if row.token_type_ids is not None:
            types[i, :length] = torch.tensor(row.token_type_ids, dtype=torch.long)
    inputs = {"input_ids": ids, "attention_mask": mask}
    if runtime.token_types:
        inputs["token_type_ids"] = types
    return {name: tensor.to(runtime.device) for name, tensor in inputs.items()}
