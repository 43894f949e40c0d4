"""``nlpbench pretrain --type gpt``: a tokenizer and a tiny model trained from scratch on a
few kilobytes of text learn something, and the folder loads in a suite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nlpbench_metrics.plugin
import nlpbench_sentiment.plugin
from nlpbench import PretrainSettings
from nlpbench_gpt import GPTModel, plugin
from nlpbench_transformers.testing import check_pretrained_in_a_suite, pretrain_and_check

CONFIG: dict[str, Any] = {"n_layer": 2, "n_embd": 32, "n_head": 2}
SETTINGS = PretrainSettings(steps=30, seed=1, batch_size=8, lr=3e-3, vocab_size=400, max_length=32)


def test_pretraining_lowers_the_loss_and_the_folder_runs_in_a_suite(tmp_path: Path, nlpbench_run: Any) -> None:
    out = pretrain_and_check(GPTModel, CONFIG, SETTINGS, tmp_path)
    assert json.loads((out / "config.json").read_text())["architectures"] == ["GPT2LMHeadModel"]

    check_pretrained_in_a_suite(nlpbench_run, [plugin, nlpbench_sentiment.plugin, nlpbench_metrics.plugin], "gpt", out)
