"""The dialogue task in whole suites on the built-in sample: the ``copy`` baseline (it
repeats the user's turn), saved replies (``replay``), a chat model that reads the
messages, and a tiny GPT built from a config that continues the plain prompt."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from nlpbench import DataError, GenerateRequest, ModelSpec, TaskSpec, hookimpl
from nlpbench_dialogue import DialogueTask, plugin

metrics = pytest.importorskip("nlpbench_metrics.plugin", reason="needs nlpbench-metrics")
baselines = pytest.importorskip("nlpbench_baselines.plugin", reason="needs nlpbench-baselines")

#: The task's metrics with ROUGE-L unstemmed, which would import nltk (seconds): the slow
#: test below runs the defaults, stemming and all.
FAST_METRICS: list[Any] = [
    name if name != "rouge-l" else {"name": name, "stemming": False} for name in DialogueTask.default_metrics
]
TINY_GPT = {"n_layer": 1, "n_embd": 32, "n_head": 2, "n_positions": 512}


class ChatModel:
    """Answers from the messages alone (a chat model's way): how many it was given, and the user's turn."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"generate"})

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        return [f"{len(r.messages)} messages, last: {r.messages[-1].content}" for r in requests]


class ChatPlugin:
    NLPBENCH_PLUGIN_NAME = "chat-model"

    @hookimpl
    def register_models(self, register: Any) -> None:
        register(ChatModel, name="chat")


def sample_ids() -> list[str]:
    return [e.id for e in DialogueTask(TaskSpec(name="d", type="dialogue")).examples()]


def test_baselines_and_a_chat_model_with_intervals_and_samples(nlpbench_run: Any) -> None:
    examples = DialogueTask(TaskSpec(name="d", type="dialogue")).examples()
    saved = "".join(json.dumps({"id": e.id, "prediction": e.references[0]}) + "\n" for e in examples)
    suite = {
        "name": "chat",
        "models": [
            {"name": "parrot", "type": "copy"},
            {"name": "gold", "type": "replay", "params": {"predictions": "gold.jsonl"}},
            {"name": "chat", "type": "chat"},
        ],
        "tasks": [{"name": "talk", "type": "dialogue", "metrics": FAST_METRICS}],
    }
    run = nlpbench_run(suite, plugins=[plugin, metrics, baselines, ChatPlugin()], files={"gold.jsonl": saved})
    run.assert_ok()
    for model in ("parrot", "gold", "chat"):
        cell = run.cell(model, "talk")
        assert (cell["status"], cell["strategy"], cell["n"]) == ("ok", "generate", 51)
        assert set(cell["metrics"]) == set(DialogueTask.default_metrics)
        for name, score in cell["metrics"].items():
            assert score["ci_low"] <= score["value"] <= score["ci_high"], (model, name, score)
        assert cell["metrics"]["distinct-1"]["corpus_only"] is True
    gold, parrot = run.cell("gold", "talk")["metrics"], run.cell("parrot", "talk")["metrics"]
    assert gold["chrf"]["value"] == pytest.approx(100.0) and gold["bleu"]["value"] == pytest.approx(100.0)
    assert gold["rouge-l"]["value"] == pytest.approx(1.0)
    assert parrot["chrf"]["value"] < 40 and parrot["reply-words"]["value"] < gold["reply-words"]["value"]
    assert gold["reply-words"]["ci_low"] < gold["reply-words"]["value"] < gold["reply-words"]["ci_high"]
    assert 0.3 < gold["distinct-2"]["value"] <= 1.0
    info = run.cell("parrot", "talk")["task_info"]
    assert (info["data"], info["conversations"], info["stop"]) == ("built-in sample", 20, ["\nUser:"])

    samples = {(s["model"], s["id"]): s for s in run.samples}
    chat = samples[("chat", "sourdough/turn-2")]
    assert chat["input"] == [
        {"role": "system", "content": "You are a friendly baking assistant. Keep answers short."},
        {"role": "user", "content": "My sourdough starter smells like nail polish. Is it ruined?"},
        {"role": "assistant", "content": chat["input"][2]["content"]},
        {"role": "user", "content": "How much flour and water should I feed it?"},
    ]
    assert chat["prediction"] == "4 messages, last: How much flour and water should I feed it?"
    assert chat["prompt"].endswith("User: How much flour and water should I feed it?\nAssistant:")
    assert chat["references"] == ["Equal weights work well: keep 50 grams of starter and add 50 grams of flour and 50 grams of water."]  # fmt: skip
    assert samples[("parrot", "sourdough/turn-2")]["prediction"] == "How much flour and water should I feed it?"
    assert chat["scores"]["distinct-1"] is None and chat["scores"]["reply-words"] == 12.0
    assert [s["id"] for s in run.samples if s["model"] == "chat"] == sample_ids()


def test_a_conversation_out_of_order_stops_the_suite_before_any_model_loads(nlpbench_run: Any) -> None:
    chats = '{"messages": [{"role": "user", "content": "Hi"}, {"role": "user", "content": "Hello?"}]}\n'
    suite = {
        "name": "bad",
        "models": [{"name": "parrot", "type": "copy"}],
        "tasks": [{"name": "talk", "type": "dialogue", "data": {"path": "chats.jsonl"}}],
    }
    with pytest.raises(DataError, match=r"task 'talk': .*chats\.jsonl:1: column 'messages' \(mapped by data.messages\): message 2 \(user\) follows a user turn"):  # fmt: skip
        nlpbench_run(suite, plugins=[plugin, metrics, baselines], files={"chats.jsonl": chats})


@pytest.fixture
def one_torch_thread() -> Iterator[None]:
    """Tiny models: a second thread only adds overhead (as in the model plugins' tests)."""
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.slow  # building the model takes seconds (its 50k-token tokenizer), asking it a fraction
@pytest.mark.usefixtures("one_torch_thread")
def test_a_tiny_gpt_continues_the_plain_prompt(nlpbench_run: Any) -> None:
    gpt = pytest.importorskip("nlpbench_gpt.plugin", reason="needs nlpbench-gpt")
    suite = {
        "name": "chat",
        "seed": 3,
        "models": [{"name": "gpt-tiny", "type": "gpt", "config": TINY_GPT, "params": {"device": "cpu"}}],
        "tasks": [{"name": "talk", "type": "dialogue", "limit": 6,  # the default metrics
                   "params": {"max_new_tokens": 6, "max_history_turns": 1}}],
    }  # fmt: skip
    run = nlpbench_run(suite, plugins=[plugin, metrics, gpt])
    run.assert_ok()
    cell = run.cell("gpt-tiny", "talk")
    assert (cell["status"], cell["n"]) == ("ok", 6)
    assert set(cell["metrics"]) == set(DialogueTask.default_metrics)
    for name, score in cell["metrics"].items():
        assert score["ci_low"] <= score["value"] <= score["ci_high"], (name, score)
    assert cell["task_info"]["histories_cut"] == 1  # sourdough's third reply: two earlier exchanges, one kept
    samples = {s["id"]: s for s in run.samples}
    third = samples["sourdough/turn-3"]
    assert [m["role"] for m in third["input"]] == ["system", "user", "assistant", "user"]
    assert third["prompt"].startswith("System: You are a friendly baking assistant.")
    assert third["prompt"].endswith("User: And how do I know when it is ready to bake with?\nAssistant:")
    assert all(isinstance(s["prediction"], str) and "\nUser:" not in s["prediction"] for s in run.samples)
