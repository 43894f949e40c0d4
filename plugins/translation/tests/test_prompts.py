"""Prompts per model: T5's prefix, the few-shot prompt for the rest, and the suite's own templates."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from nlpbench import GenerateRequest, ModelSpec, TaskError, TaskSpec
from nlpbench_translation import TranslationTask
from nlpbench_translation.task import translation


def make(params: dict[str, Any] | None = None, seed: int = 1234, name: str = "t") -> TranslationTask:
    return TranslationTask(TaskSpec(name=name, type="translation", params=params or {}, seed=seed))


def model(type: str, name: str = "m") -> ModelSpec:
    return ModelSpec(name=name, type=type)


def test_t5_gets_the_prefix_and_no_shots() -> None:
    task = make({"shots": 2}).for_model(model("t5"))
    example = task.examples()[0]
    (request,) = task.build_requests(example, "generate")
    assert request == GenerateRequest(
        prompt="translate German to English: Der Zug nach Hamburg fährt um acht Uhr ab.",
        max_new_tokens=128,
        stop=("\n",),
        source="Der Zug nach Hamburg fährt um acht Uhr ab.",
    )
    info = task.describe()
    assert (info["template_for"], info["template_from"], info["shots"]) == ("t5", "built-in", 0)
    assert info["template"] == "translate {{ source_language }} to {{ target_language }}: {{ source }}"


@pytest.mark.parametrize("type", ["gpt", "bert", "tiny"])
def test_every_other_model_gets_the_few_shot_prompt(type: str) -> None:
    task = make({"shots": 2, "max_new_tokens": 40}).for_model(model(type))
    example = task.examples()[0]
    (request,) = task.build_requests(example, "generate")
    assert isinstance(request, GenerateRequest)
    assert request.prompt == (
        "German: Der Bus kommt alle zehn Minuten.\nEnglish: The bus comes every ten minutes.\n\n"
        "German: Ich lerne seit einem Jahr Deutsch.\nEnglish: I have been learning German for a year.\n\n"
        "German: Der Zug nach Hamburg fährt um acht Uhr ab.\nEnglish:"
    )
    assert (request.max_new_tokens, request.stop, request.source) == (40, ("\n",), example.input)
    info = task.describe()
    assert (info["template_for"], info["shots"], info["languages"]) == ("default", 2, "German → English")


def test_zero_shots_is_the_bare_prompt() -> None:
    task = make().for_model(model("gpt"))
    (request,) = task.build_requests(task.examples()[3], "generate")
    assert request.prompt == "German: Das Museum ist montags geschlossen.\nEnglish:"  # type: ignore[union-attr]


def test_shots_are_seeded_deterministic_and_vary_by_example() -> None:
    def shots(task: TranslationTask) -> list[str]:
        view = task.for_model(model("gpt"))
        return [view.prompt(example) for example in view.examples()]

    first, again = shots(make({"shots": 3})), shots(make({"shots": 3}))
    assert first == again  # same seed, same shots, for every model and run
    assert shots(make({"shots": 3}, seed=99)) != first  # the suite's seed changes them
    assert shots(make({"shots": 3}, name="other")) != first  # so does the task's name
    assert len({prompt.split("\n\n")[0] for prompt in first}) > 1  # not one shot for all
    task = make({"shots": 7})
    train = {e.input for e in task.train_examples()}
    for example, prompt in zip(task.examples(), shots(task), strict=True):
        blocks = prompt.split("\n\n")
        assert len(blocks) == 8 and blocks[-1] == f"German: {example.input}\nEnglish:"
        assert {block.split("\n")[0].removeprefix("German: ") for block in blocks[:-1]} <= train


def test_the_suites_templates_by_type_and_by_name() -> None:
    prompts = {
        "t5": "translate {{ source_lang }}>{{ target_lang }}: {{ source }}",
        "big-gpt": "{{ source_language }} sentence: {{ source }}\nIn {{ target_language }}:",
    }
    task = make({"prompt": prompts})
    example = task.examples()[0]
    assert task.for_model(model("t5")).prompt(example) == "translate de>en: Der Zug nach Hamburg fährt um acht Uhr ab."
    named = task.for_model(model("gpt", name="big-gpt"))
    assert named.prompt(example) == "German sentence: Der Zug nach Hamburg fährt um acht Uhr ab.\nIn English:"
    assert (named.describe()["template_for"], named.describe()["template_from"]) == ("big-gpt", "params.prompt.big-gpt")
    other = task.for_model(model("gpt"))  # the task's default stays for the rest
    assert other.prompt(example).startswith("German: Der Zug") and other.describe()["template_from"] == "built-in"


def test_one_template_for_every_model() -> None:
    task = make({"prompt": "{{ source }} =>"})
    for type in ("t5", "gpt"):
        view = task.for_model(model(type))
        assert view.prompt(view.examples()[0]) == "Der Zug nach Hamburg fährt um acht Uhr ab. =>"
        assert view.describe()["template_from"] == "params.prompt"


def test_the_view_leaves_the_task_alone() -> None:
    task = make()
    task.for_model(model("t5"))
    assert task.template_key == "default" and task.model is None


def test_a_rewritten_input_is_what_is_asked() -> None:
    task = make().for_model(model("t5"))
    example = replace(task.examples()[0], input="Sie ist Ärztin.")
    (request,) = task.build_requests(example, "generate")
    assert request.prompt == "translate German to English: Sie ist Ärztin." and request.source == "Sie ist Ärztin."  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("answer", "prediction"),
    [(" The train leaves at eight.", "The train leaves at eight."), ("Yes.\nGerman: Nein.", "Yes."),
     ("\n\n  Late start. \nmore", "Late start."), ("", ""), ("   ", "")],
)  # fmt: skip
def test_the_prediction_is_the_first_line_stripped(answer: str, prediction: str) -> None:
    assert translation(answer) == prediction
    task = make()
    assert task.process_answers(task.examples()[0], "generate", [answer]) == prediction


def test_other_strategies_and_answer_counts() -> None:
    task = make()
    example = task.examples()[0]
    with pytest.raises(TaskError, match="no strategy 'loglikelihood'; it has: generate"):
        task.build_requests(example, "loglikelihood")
    with pytest.raises(TaskError, match="expected 1 answer, got 2"):
        task.process_answers(example, "generate", ["a", "b"])
