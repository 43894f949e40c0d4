"""``nlpbench pretrain --type gpt``: a tokenizer and a tiny model trained from scratch on a
few kilobytes of text learn something, and the folder loads in a suite."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

import nlpbench_metrics.plugin
import nlpbench_sentiment.plugin
from nlpbench import PretrainReport, PretrainSettings, PretrainStepped
from nlpbench_gpt import GPTModel, plugin
from nlpbench_transformers.testing import write_sample_corpus

CONFIG: dict[str, Any] = {"n_layer": 2, "n_embd": 32, "n_head": 2}
SETTINGS = PretrainSettings(steps=30, seed=1, batch_size=8, lr=3e-3, vocab_size=400, max_length=32)


def test_pretraining_lowers_the_loss_and_the_folder_runs_in_a_suite(tmp_path: Path, nlpbench_run: Any) -> None:
    corpus = write_sample_corpus(tmp_path)
    out = tmp_path / "model"
    out.mkdir()
    steps: list[PretrainStepped] = []
    report = GPTModel.pretrain([corpus], CONFIG, SETTINGS, out, steps.append)
    assert isinstance(report, PretrainReport)
    assert report.steps == len(report.losses) == len(steps) == 30
    assert [event.step for event in steps] == list(range(1, 31))
    assert statistics.mean(report.losses[-5:]) < statistics.mean(report.losses[:5])
    assert (out / "model.safetensors").is_file() and (out / "tokenizer.json").is_file()
    assert not list(out.glob("*.bin"))
    assert json.loads((out / "config.json").read_text())["architectures"] == ["GPT2LMHeadModel"]

    suite = {
        "name": "pretrained",
        "models": [{"name": "mine", "type": "gpt", "path": str(out), "params": {"device": "cpu", "batch_size": 8}}],
        "tasks": [{"name": "sample", "type": "sentiment", "limit": 8}],
    }
    run = nlpbench_run(suite, plugins=[plugin, nlpbench_sentiment.plugin, nlpbench_metrics.plugin])
    cell = run.cell("mine", "sample")
    assert (cell["status"], cell["strategy"], cell["n"]) == ("ok", "loglikelihood", 8), cell
    assert 0.0 <= cell["metrics"]["accuracy"]["value"] <= 1.0
