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
    batch_order,
    build_config,
    cut_sequences,
    parameter_count,
    pretrain_loop,
    read_documents,
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
    torch.manual_seed(settings.seed)
    positions = max(settings.max_length, int(config.get("n_positions", 0) or 0))
    model_config = build_config(
        GPT2Config,
        {"n_positions": positions, **config},
        vocab_size=len(tokenizer),
        bos_token_id=eos,
        eos_token_id=eos,
        pad_token_id=eos,
    )
    model = GPT2LMHeadModel(model_config)
    indices = batch_order(len(sequences), settings)

    def make_batch(step: int) -> dict[str, torch.Tensor]:
        chosen = [sequences[i] for i in indices(step)]
        longest = max(len(s) for s in chosen)
        ids = torch.tensor([s + [eos] * (longest - len(s)) for s in chosen], dtype=torch.long)
        mask = torch.tensor([[1] * len(s) + [0] * (longest - len(s)) for s in chosen], dtype=torch.long)
        return {"input_ids": ids, "attention_mask": mask, "labels": ids.masked_fill(mask == 0, -100)}

    losses = pretrain_loop(model, make_batch, settings, progress)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    info = {
        "objective": "next-token prediction",
        "architecture": "GPT2LMHeadModel",
        "parameters": parameter_count(model),
        "tokenizer": f"byte-level BPE, {len(tokenizer)} tokens",
        "sequences": len(sequences),
        "documents": len(documents),
    }
    return PretrainReport(len(losses), losses, out_dir, info)
