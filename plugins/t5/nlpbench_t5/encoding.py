"""Token ids in and out: encoder inputs cut to ``max_length`` around the tokenizer's own
special tokens, right-padded batches, and the ids a model starts, pads and stops with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from transformers import PreTrainedTokenizerBase

from nlpbench import ConfigError, ModelError
from nlpbench_transformers import Truncation


@dataclass(frozen=True)
class SpecialIds:
    """The ids a seq2seq model pads with, starts its decoder with, and stops at."""

    pad: int
    decoder_start: int
    eos: tuple[int, ...]


def special_ids(model: object, tokenizer: PreTrainedTokenizerBase) -> SpecialIds:
    """From the generation config, then the model config, then the tokenizer."""
    generation = getattr(model, "generation_config", None)
    config = getattr(model, "config", None)

    def first(name: str) -> Any:
        for source in (generation, config, tokenizer):
            value = getattr(source, name, None)
            if value is not None:
                return value
        return None

    pad, start, eos = first("pad_token_id"), first("decoder_start_token_id"), first("eos_token_id")
    if pad is None or eos is None:
        raise ModelError("the model and its tokenizer name no pad or no end-of-sequence token; a t5 model needs both")
    start = pad if start is None else start
    eos_ids = tuple(eos) if isinstance(eos, (list, tuple)) else (eos,)
    return SpecialIds(int(pad), int(start), tuple(int(i) for i in eos_ids))


class EncoderInputs:
    """Encoder token ids for texts: the tokenizer's special tokens (``</s>`` for T5) kept,
    the text between them cut to fit ``max_length`` on the truncation's side, and counted."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, truncation: Truncation) -> None:
        self.tokenizer = tokenizer
        self.truncation = truncation
        self.prefix, self.suffix = _special_frame(tokenizer)
        self.keep = truncation.max_length - len(self.prefix) - len(self.suffix)
        if self.keep < 1:
            raise ConfigError(
                f"params.max_length: {truncation.max_length} leaves no room for text beside the "
                f"{len(self.prefix) + len(self.suffix)} special tokens every input carries"
            )

    def __call__(self, texts: Sequence[str]) -> list[list[int]]:
        if not texts:
            return []
        bare = self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [[*self.prefix, *self.truncation.cut(list(ids), self.keep), *self.suffix] for ids in bare]


def _special_frame(tokenizer: PreTrainedTokenizerBase) -> tuple[list[int], list[int]]:
    """The special tokens the tokenizer puts before and after a single text."""
    probe = "a"
    bare = list(tokenizer(probe, add_special_tokens=False)["input_ids"])
    full = list(tokenizer(probe)["input_ids"])
    for start in range(len(full) - len(bare) + 1):
        if full[start : start + len(bare)] == bare:
            return full[:start], full[start + len(bare) :]
    return [], []  # the specials change the text's own tokens: treat as none


def right_padded(rows: Sequence[Sequence[int]], pad: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """``(ids, attention_mask)``, each ``(len(rows), longest)``, padding on the right."""
    width = max((len(row) for row in rows), default=0)
    ids = torch.full((len(rows), width), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
        mask[i, : len(row)] = 1
    return ids.to(device), mask.to(device)
