"""The pieces every family's ``pretrain`` shares: corpus, tokenizers, sequences, masking, config."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from transformers import GPT2Config

from nlpbench import ConfigError, DataError, PretrainSettings
from nlpbench_transformers import (
    batch_order,
    build_config,
    cut_sequences,
    mask_tokens,
    read_documents,
    token_stream,
    train_byte_level_bpe,
    train_wordpiece,
)
from nlpbench_transformers.testing import SAMPLE_SENTENCES, write_sample_corpus


def test_documents_are_the_non_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_text("  one doc \n\n\ttwo\n")
    assert read_documents([path, path]) == ["one doc", "two", "one doc", "two"]
    path.write_text("\n \n")
    with pytest.raises(DataError, match="the corpus has no text"):
        read_documents([path])


def test_tokenizers_put_the_specials_first(tmp_path: Path) -> None:
    documents = read_documents([write_sample_corpus(tmp_path)])
    bpe = train_byte_level_bpe(documents, 300, ["<pad>", "</s>"])
    assert (bpe.token_to_id("<pad>"), bpe.token_to_id("</s>")) == (0, 1)
    assert bpe.get_vocab_size() <= 300
    assert bpe.decode(bpe.encode(SAMPLE_SENTENCES[0]).ids) == SAMPLE_SENTENCES[0]
    wordpiece = train_wordpiece(documents, 300, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    assert wordpiece.token_to_id("[MASK]") == 4
    assert wordpiece.encode("The film").tokens == ["the", "film"]


def test_the_stream_is_cut_into_sequences(tmp_path: Path) -> None:
    bpe = train_byte_level_bpe(["a b c", "a b"], 260, ["<e>"])
    stream = token_stream(bpe, ["a b", "c"], 0)
    assert stream.count(0) == 2 and stream[-1] == 0
    assert cut_sequences(list(range(10)), 4) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert cut_sequences(list(range(9)), 8) == [list(range(8))]  # a tail below a quarter is dropped
    assert cut_sequences([5], 4) == [[5]]
    with pytest.raises(DataError):
        cut_sequences([], 4)


def test_masking_follows_bert() -> None:
    ids = torch.randint(10, 1000, (64, 128))
    maskable = torch.ones_like(ids, dtype=torch.bool)
    maskable[:, 0] = False
    inputs, labels = mask_tokens(ids, maskable, 3, 1000, torch.Generator().manual_seed(0))
    chosen = labels != -100
    assert not chosen[:, 0].any()
    assert torch.equal(labels[chosen], ids[chosen])
    assert torch.equal(inputs[~chosen], ids[~chosen])
    share = chosen.float().mean().item()
    assert 0.13 < share < 0.17
    as_mask = (inputs[chosen] == 3).float().mean().item()
    kept = (inputs[chosen] == ids[chosen]).float().mean().item()
    assert 0.75 < as_mask < 0.85 and 0.06 < kept < 0.14


def test_every_row_gets_a_masked_token() -> None:
    ids = torch.arange(20).reshape(2, 10)
    _, labels = mask_tokens(ids, torch.ones_like(ids, dtype=torch.bool), 0, 20, torch.Generator().manual_seed(1))
    assert ((labels != -100).sum(dim=1) >= 1).all()


def test_batches_cover_the_data_each_pass() -> None:
    indices = batch_order(10, PretrainSettings(batch_size=5, seed=2))
    assert sorted(indices(1) + indices(2)) == list(range(10))
    assert len(batch_order(3, PretrainSettings(batch_size=8))(1)) == 3


def test_the_config_is_checked() -> None:
    config = build_config(GPT2Config, {"n_layer": 1}, vocab_size=300)
    assert (config.n_layer, config.vocab_size) == (1, 300)
    with pytest.raises(ConfigError, match=r"n_layr: not a setting of GPT2Config.*did you mean 'n_layer'"):
        build_config(GPT2Config, {"n_layr": 1}, vocab_size=300)
    with pytest.raises(ConfigError, match="vocab_size: is set by the training"):
        build_config(GPT2Config, {"vocab_size": 3}, vocab_size=300)
