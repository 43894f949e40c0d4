"""The pieces the ``pretrain`` of every transformer family is made of: reading the
corpus, training a tokenizer with the ``tokenizers`` library, cutting the token stream
into sequences, BERT's masking, the order of the batches, and the model's config.

Each family's ``pretraining`` module builds its tokenizer and batches (the objective)
with these; :mod:`.pretrain_run` builds, trains and saves the model.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from tokenizers import Tokenizer
from tokenizers.implementations import BertWordPieceTokenizer, ByteLevelBPETokenizer

from nlpbench import ConfigError, DataError, PretrainSettings, did_you_mean

from .loading import config_settings

#: BERT's masked-LM recipe: 15% of the tokens are chosen; of those 80% become [MASK],
#: 10% a random token, 10% stay as they are.
MASK_RATE, MASK_AS_MASK, MASK_AS_RANDOM = 0.15, 0.8, 0.1


def build_config(config_class: Any, config: Mapping[str, Any], **fixed: Any) -> Any:
    """``config_class(**config, **fixed)``: the architecture settings the user gave, and the
    ones the training sets (``vocab_size``, special ids). ConfigError for a key the config
    class does not know (with a suggestion) or one the training sets, and for values it refuses."""
    known = config_settings(config_class)
    for key in config:
        if key in fixed:
            raise ConfigError(f"config: {key}: is set by the training, from the tokenizer and the options")
        if key not in known:
            raise ConfigError(
                f"config: {key}: not a setting of {config_class.__name__}{did_you_mean(key, sorted(known))}"
            )
    try:
        return config_class(**{**config, **fixed})
    except (TypeError, ValueError) as error:
        raise ConfigError(f"config: {config_class.__name__} refuses it: {error}") from None


def read_documents(corpus: Sequence[Path]) -> list[str]:
    """The corpus's documents: every non-blank line of every file, stripped, in order."""
    documents = [
        line.strip() for path in corpus for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    if not documents:
        raise DataError("the corpus has no text")
    return documents


def train_byte_level_bpe(documents: Sequence[str], vocab_size: int, specials: Sequence[str]) -> Tokenizer:
    """A byte-level BPE tokenizer (GPT-2's kind) trained on ``documents``, the ``specials``
    taking the first ids in order. Every byte is in the alphabet, so nothing is unknown."""
    return _trained(ByteLevelBPETokenizer(), documents, vocab_size, specials)


def train_wordpiece(documents: Sequence[str], vocab_size: int, specials: Sequence[str]) -> Tokenizer:
    """A lower-casing WordPiece tokenizer (BERT's kind) trained on ``documents``, the
    ``specials`` taking the first ids in order. It adds no special tokens: set its
    ``post_processor`` (``tokenizers.processors.BertProcessing``) for [CLS] ... [SEP].

    Unlike the byte-level BPE, the ``tokenizers`` library's WordPiece training breaks ties
    in a different order in each process: the same corpus can give another vocabulary."""
    return _trained(BertWordPieceTokenizer(lowercase=True), documents, vocab_size, specials)


def _trained(
    kind: ByteLevelBPETokenizer | BertWordPieceTokenizer, documents: Sequence[str], vocab_size: int,
    specials: Sequence[str],
) -> Tokenizer:  # fmt: skip
    """``kind`` trained on ``documents`` (tokens seen at least twice), as the plain
    ``tokenizers.Tokenizer`` it wraps."""
    kind.train_from_iterator(
        iter(list(documents)),
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=list(specials),
        show_progress=False,
    )
    tokenizer: Tokenizer = kind._tokenizer
    return tokenizer


def token_id(tokenizer: Tokenizer, token: str) -> int:
    """The id of ``token``, which the tokenizer must have."""
    found = tokenizer.token_to_id(token)
    if found is None:
        raise ValueError(f"the tokenizer has no {token!r}")
    return int(found)


def token_stream(tokenizer: Tokenizer, documents: Sequence[str], separator: int | None) -> list[int]:
    """Every document's token ids (no special tokens added), one after the other, with
    ``separator`` after each when given."""
    stream: list[int] = []
    for encoding in tokenizer.encode_batch(list(documents), add_special_tokens=False):
        stream.extend(encoding.ids)
        if separator is not None:
            stream.append(separator)
    return stream


def cut_sequences(stream: Sequence[int], length: int) -> list[list[int]]:
    """The stream cut into sequences of ``length`` ids (the last one may be shorter, but
    not below a quarter of ``length`` unless it is the only one)."""
    if length < 1:
        raise ValueError("length must be positive")
    pieces = [list(stream[start : start + length]) for start in range(0, len(stream), length)]
    if len(pieces) > 1 and len(pieces[-1]) < max(1, length // 4):
        pieces.pop()
    if not pieces or not pieces[0]:
        raise DataError("the corpus has no tokens")
    return pieces


def pad(sequences: Sequence[Sequence[int]], value: int) -> torch.Tensor:
    """A ``len(sequences) × longest`` tensor, each row padded on the right with ``value``."""
    longest = max(len(s) for s in sequences)
    return torch.tensor([list(s) + [value] * (longest - len(s)) for s in sequences], dtype=torch.long)


def mask_tokens(
    input_ids: torch.Tensor, maskable: torch.Tensor, mask_id: int, vocab_size: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT's masking: ``(inputs, labels)``. Of the ``maskable`` positions 15% are chosen
    (at least one per row); their labels are the original ids (-100 elsewhere); 80% of
    them become ``mask_id``, 10% a random id, 10% stay."""
    labels = input_ids.clone()
    chosen = (torch.rand(input_ids.shape, generator=generator) < MASK_RATE) & maskable
    for row in range(input_ids.shape[0]):  # a row without a chosen token teaches nothing
        if not chosen[row].any() and maskable[row].any():
            candidates = maskable[row].nonzero().flatten()
            pick = candidates[torch.randint(len(candidates), (1,), generator=generator)]
            chosen[row, pick] = True
    labels[~chosen] = -100
    inputs = input_ids.clone()
    roll = torch.rand(input_ids.shape, generator=generator)
    inputs[chosen & (roll < MASK_AS_MASK)] = mask_id
    randomised = chosen & (roll >= MASK_AS_MASK) & (roll < MASK_AS_MASK + MASK_AS_RANDOM)
    inputs[randomised] = torch.randint(vocab_size, input_ids.shape, generator=generator)[randomised]
    return inputs, labels


def batch_order(n: int, settings: PretrainSettings) -> Callable[[int], list[int]]:
    """``indices(step)``: which of ``n`` sequences make up step ``step``'s batch (from 1).
    Sequences are drawn in a seeded shuffled order, reshuffled after each pass."""
    rng = random.Random(settings.seed)
    order: list[int] = []

    def indices(step: int) -> list[int]:
        batch: list[int] = []
        while len(batch) < min(settings.batch_size, n):
            if not order:
                order.extend(rng.sample(range(n), n))
            batch.append(order.pop())
        return batch

    return indices
