"""Jinja2 prompts: the old ``{text}`` form, few-shot examples, per-model templates, ``describe()``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, GenerateRequest, LoglikelihoodRequest, ModelSpec, TaskSpec
from nlpbench_sentiment import SentimentTask

DEV = "sentence\tlabel\nA fine film.\t1\nA dull film.\t0\n"
TRAIN = "sentence\tlabel\nLovely.\t1\nAwful.\t0\nGreat fun.\t1\nBoring.\t0\n"
DATA = {"path": "dev.tsv", "text": "sentence", "label": "label", "train": "train.tsv"}


def make(params: dict[str, Any], base: Path, data: dict[str, Any] | None = None) -> SentimentTask:
    spec = TaskSpec(name="s", type="sentiment", data=DATA if data is None else data, params=params, base_dir=base)
    SentimentTask.check_spec(spec)
    return SentimentTask(spec)


@pytest.fixture
def base(write: Callable[[str, str], Path]) -> Path:
    write("dev.tsv", DEV)
    return write("train.tsv", TRAIN).parent


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"prompt": "Review: {text}\nSentiment:"},
            "params.prompt: '{text}' is the old placeholder form; templates are Jinja2 now: write '{{ text }}'",
        ),
        ({"prompt": {"t5": "sst2 sentence: {text}"}}, "params.prompt.t5: '{text}' is the old placeholder form"),
        ({"description": "This review is {label}."}, "params.description: '{label}' is the old placeholder form"),
        ({"shots": 2}, "params.shots: 2 shots need a train split"),
        ({"shots": -1}, "params.shots: must be at least 0, not -1"),
    ],
)
def test_bad_prompts_are_one_line_config_errors(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        SentimentTask.check_spec(TaskSpec(name="s", type="sentiment", params=params))
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_shots_need_a_prompt_that_shows_them(base: Path) -> None:
    with pytest.raises(ConfigError, match=r"^params.shots: 1 shots, but params.prompt shows none; loop over them"):
        make({"shots": 1, "prompt": "{{ text }}"}, base)


def test_both_forms_are_not_accepted_silently(base: Path) -> None:
    # a template with {{ }} is Jinja2: a single brace is literal text, as Jinja2 renders it
    task = make({"prompt": "{{ text }} {x}"}, base)
    (request,) = task.build_requests(task.examples()[0], "generate")
    assert request.prompt == "A fine film. {x}"  # type: ignore[union-attr]


def test_shots_show_their_text_and_word(base: Path) -> None:
    task = make({"shots": 2, "verbalizers": {"positive": "good", "negative": "bad"}}, base)
    example = task.examples()[0]
    requests = task.build_requests(example, "loglikelihood")
    context = requests[0].context  # type: ignore[union-attr]
    blocks = context.split("\n\n")
    assert len(blocks) == 3 and blocks[-1] == "Review: A fine film.\nSentiment:"
    words = {"Lovely.": "good", "Awful.": "bad", "Great fun.": "good", "Boring.": "bad"}
    for block in blocks[:2]:
        text, word = block.removeprefix("Review: ").split("\nSentiment: ")
        assert words[text] == word
    assert [r.continuation for r in requests] == [" bad", " good"]  # type: ignore[union-attr]
    again = make({"shots": 2, "verbalizers": {"positive": "good", "negative": "bad"}}, base)
    assert again.build_requests(again.examples()[0], "loglikelihood")[0] == requests[0]  # seeded: the same shots
    (classify,) = task.build_requests(example, "classify")
    assert classify.text == "A fine film."  # type: ignore[union-attr]


def test_per_model_templates_and_describe(base: Path) -> None:
    prompt = {"t5": "sst2 sentence: {{ text }}", "big": "{{ text }} Overall:"}
    task = make({"prompt": prompt}, base)
    t5 = task.for_model(ModelSpec(name="small", type="t5"))
    big = task.for_model(ModelSpec(name="big", type="gpt"))
    gpt = task.for_model(ModelSpec(name="g", type="gpt"))
    example = task.examples()[0]
    assert t5.build_requests(example, "generate") == [GenerateRequest("sst2 sentence: A fine film.", 5, ("\n",))]
    assert big.build_requests(example, "generate")[0].prompt == "A fine film. Overall:"  # type: ignore[union-attr]
    assert isinstance(gpt.build_requests(example, "loglikelihood")[0], LoglikelihoodRequest)
    assert gpt.build_requests(example, "generate")[0].prompt == "Review: A fine film.\nSentiment:"  # type: ignore[union-attr]
    facts = t5.describe()
    assert facts["data"] == {"path": str(base / "dev.tsv")} and facts["train"] == {"path": str(base / "train.tsv")}
    assert facts["prompt"]["template"] == "sst2 sentence: {{ text }}"
    assert (facts["prompt"]["template_from"], facts["prompt"]["template_for"], facts["prompt"]["shots"]) == (
        "params.prompt.t5",
        "t5",
        0,
    )
    assert gpt.describe()["prompt"]["template_from"] == "built-in"
    assert t5.examples() is not task.examples() and t5.labels == task.labels  # the view shares the loaded data


def test_the_sample_describes_itself() -> None:
    facts = SentimentTask(TaskSpec(name="s", type="sentiment")).describe()
    assert facts["data"] == "built-in sample" and facts["prompt"]["template_from"] == "built-in"
