"""The likelihood-preference audit with real architectures, on CrowS-Pairs: a GPT and a
T5 answer with log-likelihoods, a BERT masked LM with its pseudo-log-likelihood. The
models are small and untrained (built from configs), so the shares are near chance; what
is checked is that each architecture is asked the way the audit says and counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nlpbench_bert import plugin as bert
from nlpbench_bias import plugin
from nlpbench_gpt import plugin as gpt
from nlpbench_t5 import plugin as t5

MODELS = [
    {"name": "gpt-tiny", "type": "gpt", "config": {"n_layer": 1, "n_embd": 32, "n_head": 2, "n_positions": 128}},
    {
        "name": "t5-tiny",
        "type": "t5",
        "config": {"d_model": 32, "d_ff": 64, "num_layers": 1, "num_heads": 2, "d_kv": 16},
    },
    {
        "name": "bert-mlm",
        "type": "bert",
        "config": {"num_hidden_layers": 1, "hidden_size": 32, "num_attention_heads": 2, "intermediate_size": 64},
        "params": {"head": "masked-lm"},
    },
]


@pytest.mark.slow
def test_gpt_t5_and_bert_are_each_asked_their_way(nlpbench_run: Any, nlpbench_shared_data: Path) -> None:
    pairs = nlpbench_shared_data / "bias_crows_pairs" / "crows_pairs_anonymized.csv"
    suite = {
        "name": "crows",
        "models": MODELS,
        "tasks": [{"name": "t", "type": "tiny", "models": ["gpt-tiny"]}],
        "audits": [{"type": "crows-pairs", "params": {"data": str(pairs), "limit": 12}}],
    }
    run = nlpbench_run(suite, plugins=[plugin, gpt, t5, bert])
    assert run.exit_code == 0, run.log
    overall = {e["model"]: e for e in run.results["audits"] if e["group"] == "all"}
    assert set(overall) == {"gpt-tiny", "t5-tiny", "bert-mlm"}
    for entry in overall.values():
        assert entry["reason"] is None and entry["n_examples"] == 12 and 10 <= entry["m"] <= 12  # ties left out
        assert entry["ci_low"] <= entry["value"] <= entry["ci_high"] and 0.0 <= entry["p_value"] <= 1.0
    lines = [s for s in run.samples if s.get("audit") == "likelihood-preference"]
    strategies = {s["model"]: s["prediction"]["strategy"] for s in lines}
    # GPT scores each whole sentence (sliding windows); T5 and BERT answer loglikelihood,
    # which a masked LM answers with its pseudo-log-likelihood
    assert strategies == {"gpt-tiny": "loglikelihood_rolling", "t5-tiny": "loglikelihood", "bert-mlm": "loglikelihood"}
    for line in lines:
        prediction = line["prediction"]
        assert prediction["more_logprob"] < 0 and prediction["less_logprob"] < 0
        assert prediction["prefers_stereotype"] == float(prediction["more_logprob"] > prediction["less_logprob"])
