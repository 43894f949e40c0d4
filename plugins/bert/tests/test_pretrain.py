"""``nlpbench pretrain --type bert``: a tokenizer and a tiny model trained from scratch on a
few kilobytes of text learn something, and the folder loads in a suite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nlpbench_metrics.plugin
import nlpbench_sentiment.plugin
from nlpbench import PretrainSettings
from nlpbench_bert import BERTModel, plugin
from nlpbench_transformers.testing import check_pretrained_in_a_suite, pretrain_and_check

CONFIG: dict[str, Any] = {"num_hidden_layers": 2, "hidden_size": 32, "num_attention_heads": 2, "intermediate_size": 64}
SETTINGS = PretrainSettings(steps=30, seed=1, batch_size=8, lr=3e-3, vocab_size=400, max_length=32)


def test_pretraining_lowers_the_loss_and_the_folder_runs_in_a_suite(tmp_path: Path, nlpbench_run: Any) -> None:
    out = pretrain_and_check(BERTModel, CONFIG, SETTINGS, tmp_path)
    assert json.loads((out / "config.json").read_text())["architectures"] == ["BertForMaskedLM"]
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(out))
    assert tokenizer.convert_ids_to_tokens(tokenizer("The film")["input_ids"]) == ["[CLS]", "the", "film", "[SEP]"]
    assert tokenizer.mask_token == "[MASK]"

    check_pretrained_in_a_suite(nlpbench_run, [plugin, nlpbench_sentiment.plugin, nlpbench_metrics.plugin], "bert", out)
