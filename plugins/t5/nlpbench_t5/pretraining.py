"""``nlpbench pretrain --type t5``: a byte-level BPE tokenizer (``<pad>``, ``</s>``,
``<unk>`` at ids 0, 1, 2 as in T5, then ``<extra_id_0>`` ... sentinels) and a T5
trained from scratch on span corruption, simplified from the T5 paper: in each sequence
of ``max_length`` tokens, 15% of the tokens (rounded, at least one) are dropped in
spans of mean length 3; the encoder reads the rest with one sentinel in place of each
span and ``</s>`` at the end; the decoder learns ``<extra_id_0> span <extra_id_1>
span ... </s>``. Span lengths are a seeded random split of the noise tokens into
``round(noise / 3)`` spans, interleaved with a random split of the other tokens, as in
the paper's ``random_spans_noise_mask``."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from tokenizers import processors
from transformers import PreTrainedTokenizerFast, T5Config, T5ForConditionalGeneration

from nlpbench import PretrainReport, PretrainSettings, PretrainStepped
from nlpbench_transformers import (
    Objective,
    build_model,
    cut_sequences,
    pad,
    read_documents,
    run_pretraining,
    token_id,
    token_stream,
    train_byte_level_bpe,
)

from .tokenizer import DEFAULT_MODEL_MAX_LENGTH, EOS, PAD, UNK

NOISE_DENSITY = 0.15
MEAN_SPAN_LENGTH = 3.0
#: Sentinels added to the tokenizer, as many as T5's (``<extra_id_0>`` ... ``<extra_id_99>``).
SENTINELS = 100


def sentinel(i: int) -> str:
    return f"<extra_id_{i}>"


def split_lengths(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` split at random into ``parts`` positive lengths (``parts <= total``)."""
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def corrupt_spans(
    ids: Sequence[int], sentinel_ids: Sequence[int], eos: int, rng: random.Random
) -> tuple[list[int], list[int]]:
    """``(encoder input, decoder target)`` for one sequence of at least two tokens."""
    n = len(ids)
    noise = min(max(1, round(n * NOISE_DENSITY)), n - 1)
    spans = min(max(1, round(noise / MEAN_SPAN_LENGTH)), noise, n - noise, len(sentinel_ids))
    noise_lengths, kept_lengths = split_lengths(noise, spans, rng), split_lengths(n - noise, spans, rng)
    inputs: list[int] = []
    targets: list[int] = []
    at = 0
    for i, (kept, dropped) in enumerate(zip(kept_lengths, noise_lengths, strict=True)):
        inputs.extend(ids[at : at + kept])
        at += kept
        inputs.append(sentinel_ids[i])
        targets.append(sentinel_ids[i])
        targets.extend(ids[at : at + dropped])
        at += dropped
    return [*inputs, eos], [*targets, eos]


def pretrain(
    corpus: Sequence[Path],
    config: Mapping[str, Any],
    settings: PretrainSettings,
    out_dir: Path,
    progress: Callable[[PretrainStepped], None],
) -> PretrainReport:
    """Train the tokenizer, then the model; save both (safetensors) into ``out_dir``."""
    documents = read_documents(corpus)
    bpe = train_byte_level_bpe(documents, settings.vocab_size, [PAD, EOS, UNK])
    bpe.add_special_tokens([sentinel(i) for i in range(SENTINELS)])
    pad_id, eos_id = token_id(bpe, PAD), token_id(bpe, EOS)
    sentinel_ids = [token_id(bpe, sentinel(i)) for i in range(SENTINELS)]
    # T5 inputs end with </s>; the template is saved in tokenizer.json
    bpe.post_processor = processors.TemplateProcessing(
        single=f"$A {EOS}", pair=f"$A {EOS} $B {EOS}", special_tokens=[(EOS, eos_id)]
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        pad_token=PAD,
        eos_token=EOS,
        unk_token=UNK,
        model_max_length=max(settings.max_length, DEFAULT_MODEL_MAX_LENGTH),
    )
    stream = token_stream(bpe, documents, eos_id)
    sequences = [s for s in cut_sequences(stream, settings.max_length - 1) if len(s) >= 2]
    model = build_model(
        T5ForConditionalGeneration,
        T5Config,
        config,
        settings,
        vocab_size=len(tokenizer),
        pad_token_id=pad_id,
        eos_token_id=eos_id,
        decoder_start_token_id=pad_id,
    )
    rng = random.Random(settings.seed)

    def batch(chosen: list[list[int]]) -> dict[str, torch.Tensor]:
        pairs = [corrupt_spans(sequence, sentinel_ids, eos_id, rng) for sequence in chosen]
        inputs = pad([p[0] for p in pairs], pad_id)
        return {
            "input_ids": inputs,
            "attention_mask": torch.ne(inputs, pad_id).long(),
            "labels": pad([p[1] for p in pairs], -100),
        }

    objective = Objective(
        f"span corruption ({NOISE_DENSITY:.0%} noise, mean span {MEAN_SPAN_LENGTH:g})", sequences, len(documents), batch
    )
    facts = f"byte-level BPE + T5 specials and {SENTINELS} sentinels, {len(tokenizer)} tokens"
    return run_pretraining(model, tokenizer, facts, objective, settings, out_dir, progress)
