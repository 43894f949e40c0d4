"""The same weights through ``gpt`` (loaded here) and ``openai`` (served over HTTP) give
the same greedy generations and log-likelihoods (within 1e-4), request by request and
in a whole suite."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import GenerateRequest, LoglikelihoodRequest, LoglikelihoodRollingRequest, ModelSpec
from nlpbench_openai import OpenAIModel
from nlpbench_openai import plugin as openai_plugin

gpt_plugin = pytest.importorskip("nlpbench_gpt.plugin", reason="needs nlpbench-gpt")

#: GPT-2's start token as text: what the gpt type conditions an empty context on.
START = "<|endoftext|>"

GENERATE = [
    GenerateRequest("The quick brown fox", max_new_tokens=12),
    GenerateRequest("Once upon a time", max_new_tokens=6, stop=(" the",)),
    GenerateRequest("Question: what is two and two?\nAnswer:", max_new_tokens=10, stop=("\n", ".", "!", "?", ",")),
    GenerateRequest("Nothing asked", max_new_tokens=0),
]
LOGLIKELIHOOD = [
    LoglikelihoodRequest("The movie was great.\nSentiment:", " positive"),
    LoglikelihoodRequest("The movie was great.\nSentiment: ", "negative"),  # the space moves to the continuation
    LoglikelihoodRequest("", "An empty context conditions on the start token."),
    LoglikelihoodRequest("A question", ""),
    LoglikelihoodRequest("Paris is the capital of", " France, and a city of about two million people"),
]
ROLLING = [
    LoglikelihoodRollingRequest("A short text, scored as a whole, every token once."),
    LoglikelihoodRollingRequest("x"),
]


def _served(base_url: str, **params: Any) -> OpenAIModel:
    given = {"base_url": base_url, "model": "tiny-gpt", "start_text": START, **params}
    return OpenAIModel(ModelSpec(name="served", type="openai", params=given))


def test_requests_get_the_same_answers_from_gpt_and_from_the_server(openai_server: Any, tiny_gpt_dir: Path) -> None:
    from nlpbench_gpt import GPTModel

    local = GPTModel(ModelSpec(name="local", type="gpt", path=tiny_gpt_dir, params={"device": "cpu", "batch_size": 3}))
    served = _served(openai_server.base_url, max_concurrency=4)
    try:
        assert served.generate(GENERATE) == local.generate(GENERATE)
        for mine, theirs in [
            *zip(served.loglikelihood(LOGLIKELIHOOD), local.loglikelihood(LOGLIKELIHOOD), strict=True),
            *zip(served.loglikelihood_rolling(ROLLING), local.loglikelihood_rolling(ROLLING), strict=True),
        ]:
            assert mine.logprob == pytest.approx(theirs.logprob, abs=1e-4)
            assert (mine.is_greedy, mine.n_tokens) == (theirs.is_greedy, theirs.n_tokens)
    finally:
        served.close()
        local.close()
    # the probe at load, then every request but those answered without asking (no new
    # tokens wanted, an empty continuation)
    assert openai_server.state.received["/v1/completions"] == 1 + 3 + 4 + 2


def test_a_greedy_continuation_is_greedy_through_both(openai_server: Any, tiny_gpt_dir: Path) -> None:
    served = _served(openai_server.base_url)
    try:
        prompt = "The quick brown fox"
        greedy = served.generate([GenerateRequest(prompt, max_new_tokens=4)])[0]
        answer = served.loglikelihood([LoglikelihoodRequest(prompt, greedy)])[0]
        assert answer.is_greedy and answer.n_tokens >= 1
    finally:
        served.close()


def test_one_suite_through_gpt_and_openai_gives_the_same_results(
    nlpbench_run: Callable[..., Any], openai_entry: Callable[..., dict[str, Any]], tiny_gpt_dir: Path
) -> None:
    lm = pytest.importorskip("nlpbench_lm.plugin", reason="needs nlpbench-lm")
    metrics = pytest.importorskip("nlpbench_metrics.plugin", reason="needs nlpbench-metrics")
    texts = [
        {"id": f"t{i}", "text": text}
        for i, text in enumerate(["A first short text.", "Another one, a little longer than the first.", "Third."])
    ]
    suite = {
        "name": "same-weights",
        "models": [
            {"name": "local", "type": "gpt", "path": str(tiny_gpt_dir), "params": {"device": "cpu"}},
            openai_entry(start_text=START),
        ],
        "tasks": [
            {"name": "tiny", "type": "tiny"},
            {"name": "tiny-gen", "type": "tiny", "strategy": "generate"},
            {"name": "texts", "type": "language-modeling", "data": {"path": "texts.jsonl", "text": "text"}},
        ],
    }
    files = {"texts.jsonl": "\n".join(json.dumps(t) for t in texts) + "\n"}
    run = nlpbench_run(suite, plugins=[gpt_plugin, openai_plugin, lm, metrics], files=files)
    run.assert_ok()
    for task in ("tiny", "tiny-gen", "texts"):
        local, served = run.cell("local", task), run.cell("served", task)
        assert served["strategy"] == local["strategy"]
        for name, score in local["metrics"].items():
            assert served["metrics"][name]["value"] == pytest.approx(score["value"], rel=1e-4, abs=1e-4), (task, name)
        predictions = {
            model: [s["prediction"] for s in run.samples if s["model"] == model and s["task"] == task]
            for model in ("local", "served")
        }
        if task != "texts":  # texts' predictions are log-likelihoods, compared through the metric above
            assert predictions["served"] == predictions["local"]
    # every cell counted what it used: two log-likelihoods per tiny example, one generation each
    assert run.cell("served", "tiny")["usage"]["requests"] == 16
    assert run.cell("served", "tiny-gen")["usage"]["requests"] == 8
