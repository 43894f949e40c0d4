"""``nlpbench pretrain --type gpt``: a byte-level BPE tokenizer and a GPT-2 trained from
scratch on next-token prediction over the corpus cut into sequences of ``max_length``
tokens (documents joined by ``<|endoftext|>``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

from nlpbench import PretrainReport, PretrainSettings, PretrainStepped
from nlpbench_transformers import (
    Objective,
    build_model,
    cut_sequences,
    read_documents,
    run_pretraining,
    token_id,
    token_stream,
    train_byte_level_bpe,
)

from .tokenizer import ENDOFTEXT


def pretrain(
    corpus: Sequence[Path],
    config: Mapping[str, Any],
    settings: PretrainSettings,
    out_dir: Path,
    progress: Callable[[PretrainStepped], None],
) -> PretrainReport:
    """Train the tokenizer, then the model; save both (safetensors) into ``out_dir``."""
    documents = read_documents(corpus)
    bpe = train_byte_level_bpe(documents, settings.vocab_size, [ENDOFTEXT])
    eos = token_id(bpe, ENDOFTEXT)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        bos_token=ENDOFTEXT,
        eos_token=ENDOFTEXT,
        pad_token=ENDOFTEXT,
        unk_token=ENDOFTEXT,
        model_max_length=settings.max_length,
    )
    sequences = cut_sequences(token_stream(bpe, documents, eos), settings.max_length)
    positions = max(settings.max_length, int(config.get("n_positions", 0) or 0))
    model = build_model(
        GPT2LMHeadModel,
        GPT2Config,
        {"n_positions": positions, **config},
        settings,
        vocab_size=len(tokenizer),
        bos_token_id=eos,
        eos_token_id=eos,
        pad_token_id=eos,
    )

    def batch(chosen: list[list[int]]) -> dict[str, torch.Tensor]:
        longest = max(len(s) for s in chosen)
        ids = torch.tensor([s + [eos] * (longest - len(s)) for s in chosen], dtype=torch.long)
        mask = torch.tensor([[1] * len(s) + [0] * (longest - len(s)) for s in chosen], dtype=torch.long)
        return {"input_ids": ids, "attention_mask": mask, "labels": ids.masked_fill(mask == 0, -100)}

    objective = Objective("next-token prediction", sequences, len(documents), batch)
    facts = f"byte-level BPE, {len(tokenizer)} tokens"
    return run_pretraining(model, tokenizer, facts, objective, settings, out_dir, progress)
