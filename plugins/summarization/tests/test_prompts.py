"""Prompts per model ("summarize: " for T5, "TL;DR:" for the rest), shots, and the length limits."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from nlpbench import ConfigError, GenerateRequest, ModelSpec, TaskError, TaskSpec
from nlpbench_summarization import SummarizationTask

FIRST = "The town council of Marlow Bay voted on Tuesday to close the old harbour bridge for repairs."


def make(params: dict[str, Any] | None = None, seed: int = 1234, name: str = "s") -> SummarizationTask:
    return SummarizationTask(TaskSpec(name=name, type="summarization", params=params or {}, seed=seed))


def model(type: str, name: str = "m") -> ModelSpec:
    return ModelSpec(name=name, type=type)


def test_t5_gets_its_prefix_and_the_whole_document_is_the_source() -> None:
    task = make({"shots": 1}).for_model(model("t5"))
    example = task.examples()[0]
    (request,) = task.build_requests(example, "generate")
    assert request == GenerateRequest(
        prompt=f"summarize: {example.input}", max_new_tokens=128, stop=("\n\n",), source=example.input
    )
    assert request.prompt.startswith(f"summarize: {FIRST} Engineers")
    info = task.describe()
    assert (info["template_for"], info["template_from"], info["shots"]) == ("t5", "built-in", 0)
    assert info["template"] == "summarize: {{ document }}"


@pytest.mark.parametrize("type", ["gpt", "tiny"])
def test_other_models_get_tldr_zero_shot(type: str) -> None:
    task = make().for_model(model(type))
    example = task.examples()[0]
    (request,) = task.build_requests(example, "generate")
    assert request.prompt == f"{example.input}\n\nTL;DR:"  # type: ignore[union-attr]
    assert task.describe()["template_for"] == "default"


def test_shots_are_articles_with_their_summaries_seeded_and_deterministic() -> None:
    def prompts(task: SummarizationTask) -> list[str]:
        view = task.for_model(model("gpt"))
        return [view.prompt(example) for example in view.examples()]

    first = prompts(make({"shots": 1}))
    assert first == prompts(make({"shots": 1}))
    assert first != prompts(make({"shots": 1}, seed=5))
    assert len({prompt.split("\n\n")[0] for prompt in first}) > 1  # not one shot for all
    train = make().train_examples()
    for example, prompt in zip(make().examples(), first, strict=True):
        shot_document, shot_summary, document, end = prompt.split("\n\n")
        shot = next(t for t in train if t.input == shot_document)
        assert shot_summary == f"TL;DR: {shot.references[0]}"
        assert (document, end) == (example.input, "TL;DR:")
    assert make({"shots": 1}).for_model(model("gpt")).describe()["shots"] == 1


def test_the_suites_templates_by_type_and_name() -> None:
    task = make({"prompt": {"t5": "summarise: {{ document }}", "big": "Article: {{ document }}\nSummary:"}})
    example = task.examples()[0]
    assert task.for_model(model("t5")).prompt(example) == f"summarise: {example.input}"
    named = task.for_model(model("gpt", name="big"))
    assert named.prompt(example) == f"Article: {example.input}\nSummary:"
    assert named.describe()["template_from"] == "params.prompt.big"


def test_input_limits_cut_the_prompt_not_the_source_and_are_counted() -> None:
    task = make({"max_input_words": 5}).for_model(model("gpt"))
    examples = task.examples()
    (request,) = task.build_requests(examples[0], "generate")
    assert request.prompt == "The town council of Marlow\n\nTL;DR:" and request.source == examples[0].input  # type: ignore[union-attr]
    task.build_requests(examples[0], "generate")  # the same example again counts once
    task.build_requests(examples[1], "generate")
    info = task.describe()
    assert (info["max_input_words"], info["documents_cut"]) == (5, 2)
    chars = make({"max_input_chars": 30}).for_model(model("t5"))
    assert chars.prompt(examples[0]) == "summarize: The town council of Marlow Bay"
    both = make({"max_input_words": 8, "max_input_chars": 20}).for_model(model("t5"))
    assert both.prompt(examples[0]) == "summarize: The town council of"
    short = make({"max_input_words": 500}).for_model(model("t5"))
    short.prompt(examples[0])
    assert short.describe()["documents_cut"] == 0


def test_max_words_cuts_the_summary_and_is_counted() -> None:
    task = make({"max_words": 4}).for_model(model("gpt"))
    examples = task.examples()
    assert (
        task.process_answers(examples[0], "generate", [" The bridge will close.\nRepairs take"])
        == "The bridge will close."
    )
    assert task.process_answers(examples[1], "generate", ["  One two three\nfour five six "]) == "One two three\nfour"
    info = task.describe()
    assert (info["max_words"], info["summaries_cut"]) == (4, 2)
    assert (
        make().process_answers(examples[0], "generate", ["  Kept as is, lines too.\nYes. "])
        == "Kept as is, lines too.\nYes."
    )


def test_views_count_on_their_own() -> None:
    task = make({"max_words": 1})
    a, b = task.for_model(model("gpt")), task.for_model(model("t5"))
    a.process_answers(task.examples()[0], "generate", ["two words"])
    assert (a.describe()["summaries_cut"], b.describe()["summaries_cut"], task.describe()["summaries_cut"]) == (1, 0, 0)


def test_a_rewritten_input_is_what_is_asked() -> None:
    task = make().for_model(model("t5"))
    example = replace(task.examples()[0], input="She chairs the council.")
    (request,) = task.build_requests(example, "generate")
    assert request.prompt == "summarize: She chairs the council." and request.source == "She chairs the council."  # type: ignore[union-attr]


def test_other_strategies_and_answer_counts() -> None:
    task = make()
    example = task.examples()[0]
    with pytest.raises(TaskError, match="no strategy 'classify'; it has: generate"):
        task.build_requests(example, "classify")
    with pytest.raises(TaskError, match="expected 1 answer, got 0"):
        task.process_answers(example, "generate", [])


def test_more_shots_than_the_train_split_has_is_found_with_the_examples() -> None:
    # the examples are what `nlpbench validate` and a run read first: before any model loads
    task = SummarizationTask(TaskSpec(name="s", type="summarization", params={"shots": 2000}))
    with pytest.raises(ConfigError, match=r"params\.shots: 2000 shots need a train split of at least 2000 examples"):
        task.examples()
