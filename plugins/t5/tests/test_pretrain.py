"""``nlpbench pretrain --type t5``: a tokenizer and a tiny model trained from scratch on a
few kilobytes of text learn something, and the folder loads in a suite."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

import nlpbench_metrics.plugin
import nlpbench_sentiment.plugin
from nlpbench import PretrainReport, PretrainSettings, PretrainStepped
from nlpbench_t5 import T5Model, plugin
from nlpbench_transformers.testing import write_sample_corpus

CONFIG: dict[str, Any] = {"num_layers": 2, "d_model": 32, "d_ff": 64, "num_heads": 2, "d_kv": 16}
SETTINGS = PretrainSettings(steps=30, seed=1, batch_size=8, lr=3e-3, vocab_size=400, max_length=32)


def test_pretraining_lowers_the_loss_and_the_folder_runs_in_a_suite(tmp_path: Path, nlpbench_run: Any) -> None:
    corpus = write_sample_corpus(tmp_path)
    out = tmp_path / "model"
    out.mkdir()
    steps: list[PretrainStepped] = []
    report = T5Model.pretrain([corpus], CONFIG, SETTINGS, out, steps.append)
    assert isinstance(report, PretrainReport)
    assert report.steps == len(report.losses) == len(steps) == 30
    assert [event.step for event in steps] == list(range(1, 31))
    assert statistics.mean(report.losses[-5:]) < statistics.mean(report.losses[:5])
    assert (out / "model.safetensors").is_file() and (out / "tokenizer.json").is_file()
    assert not list(out.glob("*.bin"))
    vocabulary = json.loads((out / "tokenizer.json").read_text())["added_tokens"]
    assert [t["content"] for t in vocabulary[:3]] == ["<pad>", "</s>", "<unk>"]
    assert "<extra_id_0>" in {t["content"] for t in vocabulary}

    suite = {
        "name": "pretrained",
        "models": [{"name": "mine", "type": "t5", "path": str(out), "params": {"device": "cpu", "batch_size": 8}}],
        "tasks": [{"name": "sample", "type": "sentiment", "limit": 8}],
    }
    run = nlpbench_run(suite, plugins=[plugin, nlpbench_sentiment.plugin, nlpbench_metrics.plugin])
    cell = run.cell("mine", "sample")
    assert (cell["status"], cell["strategy"], cell["n"]) == ("ok", "loglikelihood", 8), cell
    assert 0.0 <= cell["metrics"]["accuracy"]["value"] <= 1.0


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
