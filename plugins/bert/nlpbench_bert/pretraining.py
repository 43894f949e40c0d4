"""``nlpbench pretrain --type bert``: a WordPiece tokenizer and a BERT trained from scratch
on masked-LM (15% of the tokens chosen; of those 80% [MASK], 10% a random token, 10% left
as they are) over the corpus cut into sequences of ``max_length`` tokens, each wrapped in
[CLS] ... [SEP]. There is no next-sentence prediction. The saved model is a
``BertForMaskedLM``: in a suite it answers ``loglikelihood`` (pseudo-log-likelihood) and
``encode``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from tokenizers import processors
from transformers import BertConfig, BertForMaskedLM, PreTrainedTokenizerFast

from nlpbench import PretrainReport, PretrainSettings, PretrainStepped
from nlpbench_transformers import (
    Objective,
    build_model,
    cut_sequences,
    mask_tokens,
    pad,
    read_documents,
    run_pretraining,
    token_id,
    token_stream,
    train_wordpiece,
)

PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"


def pretrain(
    corpus: Sequence[Path],
    config: Mapping[str, Any],
    settings: PretrainSettings,
    out_dir: Path,
    progress: Callable[[PretrainStepped], None],
) -> PretrainReport:
    """Train the tokenizer, then the model; save both (safetensors) into ``out_dir``."""
    documents = read_documents(corpus)
    wordpiece = train_wordpiece(documents, settings.vocab_size, [PAD, UNK, CLS, SEP, MASK])
    ids = {token: token_id(wordpiece, token) for token in (PAD, UNK, CLS, SEP, MASK)}
    # [CLS] text [SEP] (and [CLS] a [SEP] b [SEP]), as BERT's tokenizer does; saved in tokenizer.json
    wordpiece.post_processor = processors.BertProcessing((SEP, ids[SEP]), (CLS, ids[CLS]))
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=wordpiece,
        pad_token=PAD,
        unk_token=UNK,
        cls_token=CLS,
        sep_token=SEP,
        mask_token=MASK,
        model_max_length=settings.max_length,
    )
    # [CLS] and [SEP] around each sequence; a [SEP] also ends each document inside it
    body = cut_sequences(token_stream(wordpiece, documents, ids[SEP]), settings.max_length - 2)
    sequences = [[ids[CLS], *piece, ids[SEP]] for piece in body]
    positions = max(settings.max_length, int(config.get("max_position_embeddings", 0) or 0))
    model = build_model(
        BertForMaskedLM,
        BertConfig,
        {"max_position_embeddings": positions, **config},
        settings,
        vocab_size=len(tokenizer),
        pad_token_id=ids[PAD],
    )
    generator = torch.Generator().manual_seed(settings.seed)
    special = torch.tensor([ids[PAD], ids[CLS], ids[SEP]])

    def batch(chosen: list[list[int]]) -> dict[str, torch.Tensor]:
        input_ids = pad(chosen, ids[PAD])
        attention = pad([[1] * len(s) for s in chosen], 0)
        maskable = ~torch.isin(input_ids, special)
        inputs, labels = mask_tokens(input_ids, maskable, ids[MASK], len(tokenizer), generator)
        return {"input_ids": inputs, "attention_mask": attention, "labels": labels}

    objective = Objective("masked-LM (15%: 80% [MASK], 10% random, 10% kept)", sequences, len(documents), batch)
    facts = f"WordPiece (lower-cased), {len(tokenizer)} tokens"
    return run_pretraining(model, tokenizer, facts, objective, settings, out_dir, progress)
