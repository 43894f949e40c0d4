"""``nlpbench pretrain --type t5``: a tokenizer and a tiny model trained from scratch on a
few kilobytes of text learn something, and the folder loads in a suite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nlpbench_metrics.plugin
import nlpbench_sentiment.plugin
from nlpbench import PretrainSettings
from nlpbench_t5 import T5Model, plugin
from nlpbench_transformers.testing import check_pretrained_in_a_suite, pretrain_and_check

CONFIG: dict[str, Any] = {"num_layers": 2, "d_model": 32, "d_ff": 64, "num_heads": 2, "d_kv": 16}
SETTINGS = PretrainSettings(steps=30, seed=1, batch_size=8, lr=3e-3, vocab_size=400, max_length=32)


def test_pretraining_lowers_the_loss_and_the_folder_runs_in_a_suite(tmp_path: Path, nlpbench_run: Any) -> None:
    out = pretrain_and_check(T5Model, CONFIG, SETTINGS, tmp_path)
    vocabulary = json.loads((out / "tokenizer.json").read_text())["added_tokens"]
    assert [t["content"] for t in vocabulary[:3]] == ["<pad>", "</s>", "<unk>"]
    assert "<extra_id_0>" in {t["content"] for t in vocabulary}

    check_pretrained_in_a_suite(nlpbench_run, [plugin, nlpbench_sentiment.plugin, nlpbench_metrics.plugin], "t5", out)


def test_span_corruption_drops_15_percent_in_sentinel_marked_spans() -> None:
    import random

    from nlpbench_t5.pretraining import corrupt_spans

    ids = list(range(100, 140))
    sentinels = [10, 11, 12, 13, 14, 15, 16]
    inputs, targets = corrupt_spans(ids, sentinels, 1, random.Random(0))
    assert inputs[-1] == targets[-1] == 1
    used = [t for t in targets if t in sentinels]
    assert used == sentinels[: len(used)] == [t for t in inputs if t in sentinels]
    assert len(used) == 2  # 6 noise tokens (15% of 40) in round(6 / 3) spans
    dropped = [t for t in targets[:-1] if t not in sentinels]
    assert len(dropped) == 6
    assert sorted([t for t in inputs[:-1] if t not in sentinels] + dropped) == ids
