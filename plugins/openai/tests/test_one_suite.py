"""Issue 15's whole story in one suite: a local ``gpt``, the same weights served through
``openai`` (a real HTTP server on 127.0.0.1, with an API key), and a chat-templated
``gpt``, on a ``dialogue`` task, graded by a judge pointwise and pairwise, with
intervals and paired comparisons; the key is in no file the run writes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from nlpbench import GenerateRequest, hookimpl
from nlpbench.testing import make_host, run_suite_text

pytest.importorskip("nlpbench_gpt.plugin", reason="needs nlpbench-gpt")
pytest.importorskip("nlpbench_dialogue.plugin", reason="needs nlpbench-dialogue")

KEY = "sk-nlpbench-one-suite-Hh4Tt6Yy8Secret"


class WordCountJudge:
    """A judge with a simple rubric: a reply earns a point per word up to 10 (pointwise);
    of two replies the longer wins (pairwise; a tie when equally long)."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"generate"})

    def __init__(self, spec: Any) -> None:
        pass

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        return [self._verdict(request.prompt) for request in requests]

    @staticmethod
    def _verdict(prompt: str) -> str:
        if "[Assistant A's answer]" in prompt:
            shown = prompt.split("[Assistant A's answer]\n", 1)[1]
            a, b = shown.split("\n\n[Assistant B's answer]\n", 1)
            length_a, length_b = len(a.split()), len(b.split())
            return "[[C]]" if length_a == length_b else ("[[A]]" if length_a > length_b else "[[B]]")
        reply = prompt.split("[The assistant's response]\n", 1)[1]
        return f"Rating: [[{min(10, max(1, len(reply.split())))}]]"


class JudgePlugin:
    NLPBENCH_PLUGIN_NAME = "word-count-judge"

    @hookimpl
    def register_models(self, register: Any) -> None:
        register(WordCountJudge, name="word-count-judge")


def test_local_served_and_chat_models_on_a_dialogue_task_with_a_judge(
    openai_server: Any, tiny_gpt_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    openai_server.state.api_key = KEY
    monkeypatch.setenv("NLPBENCH_ONE_SUITE_KEY", KEY)
    local = {"path": str(tiny_gpt_dir), "params": {"device": "cpu"}}
    suite = {
        "name": "one-suite",
        "seed": 3,
        "models": [
            {"name": "local", "type": "gpt", **local},
            {
                "name": "served",
                "type": "openai",
                "params": {
                    "base_url": openai_server.base_url,
                    "model": "tiny-gpt",
                    "api_key_env": "NLPBENCH_ONE_SUITE_KEY",
                    "start_text": "<|endoftext|>",
                    "max_concurrency": 4,
                },
            },
            {"name": "chatty", "type": "gpt", "path": str(tiny_gpt_dir), "params": {"device": "cpu", "chat": True}},
            {"name": "judge", "type": "word-count-judge"},
        ],
        "tasks": [
            {
                "name": "chat",
                "type": "dialogue",
                "limit": 8,
                "params": {"max_new_tokens": 6, "max_history_turns": 1},
                "models": ["local", "served", "chatty"],
                "metrics": [
                    "chrf",
                    "distinct-1",
                    {"name": "judge", "model": "judge"},
                    {"name": "judge", "as": "preference", "model": "judge", "mode": "pairwise"},
                    # a model of the suite as judge, through its chat template (untrained: its verdicts rarely parse)
                    {"name": "judge", "as": "chat-judge", "model": "chatty", "max_new_tokens": 4},
                ],
            }
        ],
    }
    run = run_suite_text(suite, tmp_path, host=make_host(JudgePlugin(), entry_points=True))
    assert run.exit_code == 0, run.log
    cells = {cell["model"]: cell for cell in run.results["cells"]}
    assert set(cells) == {"local", "served", "chatty"}
    assert all(c["status"] == "ok" for c in cells.values()), [c.get("error") for c in cells.values()]
    # the same weights, greedy, locally and over HTTP: the same replies, so the same scores
    replies = {
        model: [s["prediction"] for s in run.samples if s.get("model") == model and "judge" not in s] for model in cells
    }
    assert replies["local"] == replies["served"] and len(replies["local"]) == 8
    for metric in ("chrf", "judge"):
        assert cells["local"]["metrics"][metric]["value"] == pytest.approx(cells["served"]["metrics"][metric]["value"])
        for cell in cells.values():
            score = cell["metrics"][metric]
            assert score["ci_low"] <= score["value"] <= score["ci_high"]
    assert cells["served"]["usage"]["requests"] == 8 and cells["served"]["usage"]["input_tokens"] > 0
    # the chat model was shown its template's rendering of each history
    chat_prompts = [s["prompt"] for s in run.samples if s.get("model") == "chatty" and "judge" not in s]
    assert chat_prompts and all("<|user|>\n" in p and p.endswith("<|assistant|>\n") for p in chat_prompts), chat_prompts
    # paired comparisons, the judge's grade among them, for every pair of the three
    pairs = {(c["a"], c["b"]) for c in run.results["comparisons"] if c["metric"] == "judge"}
    assert pairs == {("local", "served"), ("local", "chatty"), ("served", "chatty")}
    same = next(c for c in run.results["comparisons"] if c["metric"] == "judge" and c["b"] == "served")
    assert same["delta"] == 0.0 and same["p_value"] == 1.0
    # pairwise: both orders asked; local and served wrote the same replies, so every example ties
    judged = {(j["a"], j["b"]): j for j in run.results["judgements"]}
    assert set(judged) == {("local", "served"), ("local", "chatty"), ("served", "chatty")}
    assert judged[("local", "served")]["win_rate"] == 0.5 and judged[("local", "served")]["ties"] == 8
    assert all(j["n"] == 8 and j["inconsistent"] == 0.0 for j in judged.values())
    # the chat model judged every reply; what it wrote is kept, and a verdict with no grade is not a zero
    chat_judged = [s for s in run.samples if s.get("judge") == "chat-judge"]
    assert len(chat_judged) == 24 and all(isinstance(s["verdict"], str) for s in chat_judged)
    for cell in cells.values():
        graded = cell["metrics"]["chat-judge"]
        assert graded["info"]["judged"] == 8
        assert graded["value"] is not None or graded["reason"].startswith("not computed: no verdict")
    # the key: in no file the run wrote
    for path in run.out_dir.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert KEY not in "\n".join(run.log)
