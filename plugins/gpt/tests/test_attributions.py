"""Token attributions of a gpt model's chosen continuation (docs/attributions.md): a tiny
GPT on a multiple-choice task in a suite run, the continuation it finds most likely
explained over the question's tokens, with integrated gradients' completeness."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import AttributionRequest, DeletionRequest, LoglikelihoodRequest, ModelError
from nlpbench_gpt import GPTModel, plugin

QUESTIONS = [
    {"q": "Which is shortest?", "options": ["ab", "abcdef", "abc"], "answer": 0},
    {"q": "Which is longest?", "options": ["ab", "abcdef", "abc"], "answer": 1},
    {"q": "Which has three letters?", "options": ["ab", "abcdef", "abc"], "answer": 2},
    {"q": "Which colour is the sky?", "options": ["blue", "green", "red"], "answer": 0},
]


def test_a_multiple_choice_cell_explains_each_chosen_continuation(
    tiny_gpt_dir: Path, nlpbench_run: Callable[..., Any]
) -> None:
    tasks = pytest.importorskip("nlpbench_tasks.plugin", reason="needs nlpbench-tasks")
    metrics = pytest.importorskip("nlpbench_metrics.plugin", reason="needs nlpbench-metrics")
    suite = {
        "name": "gpt-attributions",
        "models": [{"name": "gpt", "type": "gpt", "path": str(tiny_gpt_dir), "params": {"device": "cpu"}}],
        "tasks": [{
            "name": "mc", "type": "template", "data": {"path": "q.jsonl"},
            "params": {"output": "multiple_choice", "input": "Q: {{q}}\nA:", "choices": "options", "target": "answer"},
            "metrics": ["acc"],
            "attributions": {"method": "integrated-gradients", "select": "random", "examples": 4, "steps": 64,
                             "random_orders": 3},
        }],
    }  # fmt: skip
    files = {"q.jsonl": "".join(json.dumps(row) + "\n" for row in QUESTIONS)}
    run = nlpbench_run(suite, plugins=[plugin, tasks, metrics], files=files)
    run.assert_ok()
    summary = run.cell("gpt", "mc")["attributions"]
    assert summary["status"] == "ok" and summary["examples"] == 4 and summary["measure"] == "log-probability"
    assert summary["completeness"]["flagged"] == 0
    assert summary["faithfulness"]["examples"] == 4 and isinstance(summary["faithfulness"]["passed"], bool)
    for line in run.samples:
        entry = line["attributions"]
        choice = line["prediction"]["choice"]
        assert entry["request"] == choice and entry["target"].strip() == QUESTIONS[int(line["id"].split("-")[-1])
                                                                                   ]["options"][choice]  # fmt: skip
        assert "".join(entry["tokens"]).startswith("Q: ") and len(entry["tokens"]) == len(entry["scores"])
        assert abs(entry["completeness_error"]) < 0.05 * max(1.0, abs(entry["value"] - entry["baseline_value"]))


def test_attention_and_deletion_of_the_whole_context(load_gpt: Callable[..., GPTModel]) -> None:
    model = load_gpt()
    asked = (LoglikelihoodRequest("The sky is", " blue"), LoglikelihoodRequest("The sky is", " green"))
    request = AttributionRequest("s", "loglikelihood", asked, "attention")
    (attribution,) = model.attribute([request])
    scores = model.loglikelihood(list(asked))
    assert attribution.request == max(range(2), key=lambda k: scores[k].logprob)
    assert attribution.value == pytest.approx(scores[attribution.request].logprob, abs=1e-4)
    assert sum(attribution.scores) == pytest.approx(1.0, abs=1e-4)  # one attention row, averaged over heads
    assert attribution.deletable == (0, 1, 2)  # "The", " sky", " is": GPT-2 adds no start token
    everything = DeletionRequest(request, attribution, ((), (0, 1, 2)))
    (values,) = model.deletion_scores([everything])
    alone = model.loglikelihood([LoglikelihoodRequest("", asked[attribution.request].continuation)])[0].logprob
    assert values[0] == pytest.approx(attribution.value, abs=1e-4) and values[1] == pytest.approx(alone, abs=1e-4)


def test_only_loglikelihood_answers_are_attributed(load_gpt: Callable[..., GPTModel]) -> None:
    from nlpbench import GenerateRequest

    with pytest.raises(ModelError, match="attributes loglikelihood answers, not generate"):
        load_gpt().attribute([AttributionRequest("g", "generate", (GenerateRequest("hi"),))])
