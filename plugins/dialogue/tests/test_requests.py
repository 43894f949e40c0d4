"""What each model is asked: the messages for a chat model, a plain-text rendering of
them for the others, with a stop string and the user's turn as the source."""

from __future__ import annotations

from typing import Any

import pytest

from nlpbench import ConfigError, Example, GenerateRequest, Message, ModelSpec, TaskError, TaskSpec
from nlpbench_dialogue import DialogueTask


def make(params: dict[str, Any] | None = None) -> DialogueTask:
    return DialogueTask(TaskSpec(name="d", type="dialogue", params=params or {}))


def request_for(task: DialogueTask, example: Example, model: ModelSpec | None = None) -> GenerateRequest:
    view = task.for_model(model or ModelSpec(name="m", type="gpt"))
    (request,) = view.build_requests(example, "generate")
    assert isinstance(request, GenerateRequest)
    return request


def test_a_request_carries_the_messages_and_their_plain_rendering() -> None:
    task = make()
    example = task.examples()[2]  # the sourdough conversation's third reply
    request = request_for(task, example)
    assert example.id == "sourdough/turn-3"
    assert [m.role for m in request.messages] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert request.messages[-1] == Message("user", "And how do I know when it is ready to bake with?")
    assert request.prompt == (
        "System: You are a friendly baking assistant. Keep answers short.\n"
        "User: My sourdough starter smells like nail polish. Is it ruined?\n"
        f"Assistant: {request.messages[2].content}\n"
        "User: How much flour and water should I feed it?\n"
        f"Assistant: {request.messages[4].content}\n"
        "User: And how do I know when it is ready to bake with?\n"
        "Assistant:"
    )
    assert (request.stop, request.max_new_tokens, request.temperature) == (("\nUser:",), 128, 0.0)
    assert request.source == "And how do I know when it is ready to bake with?"


def test_a_prompt_of_its_own_per_model_type_and_a_stop_string_of_its_own() -> None:
    template = "{% for m in messages %}<{{ m.role }}>{{ m.content }}</{{ m.role }}>{% endfor %}<assistant>"
    task = make({"prompt": {"t5": template}, "stop": "</assistant>", "max_new_tokens": 40})
    example = task.examples()[0]
    t5 = request_for(task, example, ModelSpec(name="t", type="t5"))
    assert t5.prompt.startswith("<system>You are a friendly baking assistant.")
    assert t5.prompt.endswith("Is it ruined?</user><assistant>")
    assert (t5.stop, t5.max_new_tokens) == (("</assistant>",), 40)
    assert request_for(task, example).prompt.endswith("Is it ruined?\nAssistant:")  # the default for the rest
    view = task.for_model(ModelSpec(name="t", type="t5"))
    assert (view.describe()["template_for"], view.describe()["template_from"]) == ("t5", "params.prompt.t5")


def test_the_reply_is_the_generated_text_stripped() -> None:
    task = make()
    assert task.process_answers(task.examples()[0], "generate", ["  Feed it more.\n"]) == "Feed it more."
    with pytest.raises(TaskError, match="the dialogue task has no strategy 'classify'; it has: generate"):
        task.build_requests(task.examples()[0], "classify")


def test_an_input_that_is_no_conversation_is_a_task_error() -> None:
    example = Example("x", [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}], ("?",))
    with pytest.raises(TaskError, match=r"^example 'x': the input must end with the user's turn$"):
        make().build_requests(example, "generate")
    with pytest.raises(TaskError, match=r"^example 'y': the input must be a list of \{role, content\} messages"):
        make().build_requests(Example("y", "Hi", ("?",)), "generate")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"max_history_turns": -1}, "params.max_history_turns: must be at least 0, not -1"),
        ({"stop": [""]}, "params.stop"),
        ({"system": ""}, "params.system"),
        ({"prompt": "{{ mesages }}"}, "params.prompt: unknown variable 'mesages' (did you mean 'messages'?)"),
        ({"shots": 1}, "params.shots: unknown option"),
    ],
)
def test_bad_params_are_config_errors(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        DialogueTask.check_spec(TaskSpec(name="d", type="dialogue", params=params))
    assert str(raised.value).startswith(message), str(raised.value)
