"""The chat endpoint: the request's messages (or its prompt as one user turn), the
system prompt first; samples show the messages sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from nlpbench import GenerateRequest, Message, ModelSpec
from nlpbench_openai import OpenAIModel
from nlpbench_openai import plugin as openai_plugin


def _model(server: Any, **params: Any) -> OpenAIModel:
    given = {"base_url": server.base_url, "model": "tiny-gpt", "endpoint": "chat", **params}
    return OpenAIModel(ModelSpec(name="chat", type="openai", params=given))


def test_messages_go_to_the_chat_endpoint_with_the_system_prompt_first(openai_server: Any) -> None:
    model = _model(openai_server, system="Be brief.")
    conversation = (
        Message("user", "Hi"),
        Message("assistant", "Hello."),
        Message("user", "How are you?"),
    )
    try:
        assert model.capabilities == frozenset({"generate"})
        model.generate([GenerateRequest("User: Hi\nAssistant: Hello.\nUser: How are you?", 4, messages=conversation)])
        model.generate([GenerateRequest("Just a prompt", 4)])
    finally:
        model.close()
    assert openai_server.state.conversations == [
        [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello."},
            {"role": "user", "content": "How are you?"},
        ],
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Just a prompt"}],
    ]
    assert openai_server.state.received["/v1/completions"] == 0  # no probe: chat does not score


def test_a_conversation_with_its_own_system_turn_gets_one_system_turn(openai_server: Any) -> None:
    model = _model(openai_server, system="Be brief.")
    conversation = (Message("system", "You are a pirate."), Message("user", "Hi"))
    try:
        model.generate([GenerateRequest("System: You are a pirate.\nUser: Hi", 4, messages=conversation)])
    finally:
        model.close()
    assert openai_server.state.conversations[-1] == [
        {"role": "system", "content": "Be brief.\n\nYou are a pirate."},
        {"role": "user", "content": "Hi"},
    ]


def test_chat_answers_as_the_completions_endpoint_does_on_the_rendered_conversation(openai_server: Any) -> None:
    chat = _model(openai_server)
    plain = OpenAIModel(
        ModelSpec(name="plain", type="openai", params={"base_url": openai_server.base_url, "model": "tiny-gpt"})
    )
    rendered = openai_server.lm.tokenizer.apply_chat_template(
        [{"role": "user", "content": "Tell me a story"}], tokenize=False, add_generation_prompt=True
    )
    try:
        said = chat.generate([GenerateRequest("Tell me a story", 8, stop=("\n",))])
        assert said == plain.generate([GenerateRequest(rendered, 8, stop=("\n",))])
    finally:
        chat.close()
        plain.close()


def test_samples_show_the_messages_sent(
    nlpbench_run: Callable[..., Any], openai_entry: Callable[..., dict[str, Any]]
) -> None:
    suite = {
        "name": "chat",
        "models": [openai_entry(endpoint="chat", system="Answer in one word.")],
        "tasks": [{"name": "tiny-gen", "type": "tiny", "strategy": "generate"}],
    }
    run = nlpbench_run(suite, plugins=[openai_plugin])
    run.assert_ok()
    sample = run.samples[0]
    sent = json.loads(sample["prompt"])
    assert sent[0] == {"role": "system", "content": "Answer in one word."}
    assert sent[1]["role"] == "user" and sent[1]["content"].endswith("\nSentiment:")
    info = run.cell("served", "tiny-gen")["model_info"]
    assert (info["endpoint"], info["prompt_logprobs"]) == ("chat", None)
