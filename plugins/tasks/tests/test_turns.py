"""Few-shot prompts as alternating turns for a chat model (lm-evaluation-harness's
``--fewshot_as_multiturn``): a generating template task's request carries its shots as
turns beside the plain prompt, which stays what it was; a chat GPT is shown the turns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nlpbench import Message
from nlpbench.results.store import request_fingerprint
from nlpbench.suites.suite import load_suite

QUESTIONS = [{"q": "2+2?", "a": "4"}, {"q": "3+3?", "a": "6"}]
TRAIN = [{"q": "1+1?", "a": "2"}, {"q": "5+5?", "a": "10"}, {"q": "0+0?", "a": "0"}]
TASK = {
    "name": "sums",
    "type": "template",
    "data": {"path": "q.jsonl", "train": "t.jsonl"},
    "params": {"output": "generate", "input": "Q: {{q}}\nA:", "target": "a", "description": "Add.\n\n",
               "shots": 2, "sampler": "first", "generate": {"until": ["\n"], "max_new_tokens": 3}},
}  # fmt: skip


def lines(rows: list[Any]) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)


FILES = {"q.jsonl": lines(QUESTIONS), "t.jsonl": lines(TRAIN)}


def _requests(tmp_path: Path, host: Any, **params: Any) -> list[Any]:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    task = {**TASK, "params": {**TASK["params"], **params}}
    suite = {"name": "t", "models": [{"name": "tiny", "type": "tiny"}], "tasks": [task]}
    (tmp_path / "suite.yaml").write_text(json.dumps(suite), encoding="utf-8")
    (spec,) = load_suite(tmp_path / "suite.yaml", host).tasks
    instance = host.tasks.get(spec.type).component(spec)
    return list(instance.build_requests(instance.examples()[0], "generate"))


def test_a_generate_request_carries_its_shots_as_turns_and_keeps_its_plain_prompt(tmp_path: Path, host: Any) -> None:
    (request,) = _requests(tmp_path, host)
    assert request.prompt == "Add.\n\nQ: 1+1?\nA: 2\n\nQ: 5+5?\nA: 10\n\nQ: 2+2?\nA:"
    assert request.messages == (
        Message("user", "Add.\n\nQ: 1+1?\nA:"),  # the description opens the first turn
        Message("assistant", "2"),
        Message("user", "Q: 5+5?\nA:"),
        Message("assistant", "10"),
        Message("user", "Q: 2+2?\nA:"),
    )
    (plain,) = _requests(tmp_path, host, shots=0)
    assert plain.prompt == "Add.\n\nQ: 2+2?\nA:"
    assert plain.messages == () and "messages" not in request_fingerprint(plain)  # its key as before


def test_a_chat_gpt_is_shown_the_turns_and_samples_keep_them(run: Any, tmp_path: Path) -> None:
    from nlpbench_gpt.tokenizer import gpt2_tokenizer

    tokenizer = gpt2_tokenizer()
    tokenizer.chat_template = "{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}[assistant]"
    tokenizer.save_pretrained(tmp_path / "chat-tokenizer")
    config = {"n_layer": 1, "n_embd": 32, "n_head": 2, "n_positions": 128, "tokenizer": "chat-tokenizer"}
    models = [
        {"name": "chat", "type": "gpt", "config": config, "params": {"device": "cpu", "chat": True}},
        {"name": "plain", "type": "gpt", "config": config, "params": {"device": "cpu"}},
    ]
    result = run([TASK], files=FILES, models=models)
    result.assert_ok()
    prompts = {s["model"]: s["prompt"] for s in result.samples if s["id"] == result.samples[0]["id"]}
    assert prompts["plain"] == "Add.\n\nQ: 1+1?\nA: 2\n\nQ: 5+5?\nA: 10\n\nQ: 2+2?\nA:"
    assert prompts["chat"] == (
        "[user] Add.\n\nQ: 1+1?\nA:\n[assistant] 2\n[user] Q: 5+5?\nA:\n[assistant] 10\n[user] Q: 2+2?\nA:\n[assistant]"
    )
