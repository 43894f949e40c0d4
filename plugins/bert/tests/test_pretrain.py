"""``nlpbench pretrain --type bert``: a tokenizer and a tiny model trained from scratch on a
few kilobytes of text learn something, and the folder loads in a suite."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

import nlpbench_metrics.plugin
import nlpbench_sentiment.plugin
from nlpbench import PretrainReport, PretrainSettings, PretrainStepped
from nlpbench_bert import BERTModel, plugin
from nlpbench_transformers.testing import write_sample_corpus

CONFIG: dict[str, Any] = {"num_hidden_layers": 2, "hidden_size": 32, "num_attention_heads": 2, "intermediate_size": 64}
SETTINGS = PretrainSettings(steps=30, seed=1, batch_size=8, lr=3e-3, vocab_size=400, max_length=32)


def test_pretraining_lowers_the_loss_and_the_folder_runs_in_a_suite(tmp_path: Path, nlpbench_run: Any) -> None:
    corpus = write_sample_corpus(tmp_path)
    out = tmp_path / "model"
    out.mkdir()
    steps: list[PretrainStepped] = []
    report = BERTModel.pretrain([corpus], CONFIG, SETTINGS, out, steps.append)
    assert isinstance(report, PretrainReport)
    assert report.steps == len(report.losses) == len(steps) == 30
    assert [event.step for event in steps] == list(range(1, 31))
    assert statistics.mean(report.losses[-5:]) < statistics.mean(report.losses[:5])
    assert (out / "model.safetensors").is_file() and (out / "tokenizer.json").is_file()
    assert not list(out.glob("*.bin"))
    assert json.loads((out / "config.json").read_text())["architectures"] == ["BertForMaskedLM"]
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(out))
    assert tokenizer.convert_ids_to_tokens(tokenizer("The film")["input_ids"]) == ["[CLS]", "the", "film", "[SEP]"]
    assert tokenizer.mask_token == "[MASK]"

    suite = {
        "name": "pretrained",
        "models": [{"name": "mine", "type": "bert", "path": str(out), "params": {"device": "cpu", "batch_size": 8}}],
        "tasks": [{"name": "sample", "type": "sentiment", "limit": 8}],
    }
    run = nlpbench_run(suite, plugins=[plugin, nlpbench_sentiment.plugin, nlpbench_metrics.plugin])
    cell = run.cell("mine", "sample")
    assert (cell["status"], cell["strategy"], cell["n"]) == ("ok", "loglikelihood", 8), cell
    assert 0.0 <= cell["metrics"]["accuracy"]["value"] <= 1.0
