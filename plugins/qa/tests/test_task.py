"""Asking a model: the requests of each strategy, prompts with shots, per-model templates,
and reading the answers back."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, ExtractSpanRequest, GenerateRequest, ModelSpec, Span, TaskError
from nlpbench_qa import QATask
from nlpbench_qa.config import DEFAULT_PROMPT, T5_PROMPT

CONTEXT = "Agnes Pell kept the light at Marrow Point until 1968."
QUESTIONS = [("When did she leave?", ["1968"]), ("Where was the light?", ["Marrow Point"]), ("Who built it?", [])]


def _rows(prefix: str, n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{prefix}{i}",
            "context": f"{CONTEXT} ({i})",
            "question": f"{QUESTIONS[i % 3][0]} #{i}",
            "answers": QUESTIONS[i % 3][1],
        }
        for i in range(n)
    ]


@pytest.fixture
def files(write_jsonl: Callable[[str, list[dict[str, Any]]], Path]) -> dict[str, Any]:
    dev = _rows("q", 6)
    # the train split holds the dev questions too (same ids, same questions): never shown as their own shots
    write_jsonl("dev.jsonl", dev)
    write_jsonl("train.jsonl", dev + _rows("t", 9))
    return {"path": "dev.jsonl", "train": "train.jsonl"}


def test_extract_span(make_task: Callable[..., QATask]) -> None:
    task = make_task()
    example = task.examples()[0]
    (request,) = task.build_requests(example, "extract_span")
    assert request == ExtractSpanRequest(question=example.input, context=example.fields["context"])
    assert task.process_answers(example, "extract_span", [Span("1874", 44, 48)]) == "1874"
    assert task.process_answers(example, "extract_span", [Span("", -1, -1)]) == ""  # no answer


def test_generate_zero_shot(make_task: Callable[..., QATask]) -> None:
    task = make_task(params={"max_new_tokens": 12})
    example = task.examples()[0]
    (request,) = task.build_requests(example, "generate")
    assert isinstance(request, GenerateRequest)
    context, question = example.fields["context"], example.input
    assert request.prompt == f"Context: {context}\nQuestion: {question}\nAnswer:"
    assert (request.max_new_tokens, request.stop, request.source) == (12, ("\n",), context)
    assert task.process_answers(example, "generate", [" 1874\nContext: more"]) == "1874"
    assert task.process_answers(example, "generate", [" Unanswerable."]) == ""
    assert make_task().build_requests(example, "generate")[0].max_new_tokens == 32  # type: ignore[union-attr]


def test_an_audit_rewrites_the_question_and_the_context(make_task: Callable[..., QATask]) -> None:
    task = make_task()
    example = task.examples()[0]
    rewritten = dataclasses.replace(
        example, input="When was it built?", fields={**example.fields, "context": "Built in 1874."}
    )
    (request,) = task.build_requests(rewritten, "extract_span")
    assert (request.question, request.context) == ("When was it built?", "Built in 1874.")  # type: ignore[union-attr]


def test_unknown_strategies_and_answer_counts(make_task: Callable[..., QATask]) -> None:
    task = make_task()
    example = task.examples()[0]
    with pytest.raises(TaskError, match="the qa task has no strategy 'classify'"):
        task.build_requests(example, "classify")
    with pytest.raises(TaskError, match="expected 1 answer, got 2"):
        task.process_answers(example, "generate", ["a", "b"])


def _shot_questions(prompt: str) -> list[str]:
    return re.findall(r"Question: (.*)\nAnswer: ", prompt)


def test_shots_come_from_the_train_split(make_task: Callable[..., QATask], files: dict[str, Any]) -> None:
    task = make_task(files, {"shots": 3}, seed=7)
    examples = task.examples()
    prompts = [task.prompt(example) for example in examples]
    for example, prompt in zip(examples, prompts, strict=True):
        shots = _shot_questions(prompt)
        assert len(shots) == 3
        assert example.input not in shots  # never the example itself
        assert prompt.endswith(f"Context: {example.fields['context']}\nQuestion: {example.input}\nAnswer:")
        assert prompt.count("Context: ") == 4
    # a shot shows its first answer, or the no-answer phrase
    assert re.search(r"Question: Who built it\? #\d+\nAnswer: unanswerable\n\n", "".join(prompts))
    assert re.search(r"Question: When did she leave\? #\d+\nAnswer: 1968\n\n", "".join(prompts))
    # the same seed gives the same shots, whatever else happened; another seed, others
    again = make_task(files, {"shots": 3}, seed=7)
    assert [again.prompt(example) for example in reversed(examples)] == prompts[::-1]
    other = make_task(files, {"shots": 3}, seed=8)
    assert [other.prompt(example) for example in examples] != prompts
    # shots go to the generate request
    (request,) = task.build_requests(examples[0], "generate")
    assert request.prompt == prompts[0]  # type: ignore[union-attr]


def test_a_template_of_ones_own(make_task: Callable[..., QATask], files: dict[str, Any]) -> None:
    template = "{{ title }}|{% for shot in shots %}{{ shot.question }}={{ shot.answer }};{% endfor %}{{ question }}="
    task = make_task(files, {"shots": 1, "prompt": template})
    example = task.examples()[0]
    assert re.fullmatch(r"\|.* #\d+=[^;]+;When did she leave\? #0=", task.prompt(example))


def test_templates_per_model(make_task: Callable[..., QATask]) -> None:
    task = make_task(params={"prompt": {"gpt": "Q: {{ question }}\nA:", "big-gpt": "{{ context }}\n{{ question }}"}})
    example = task.examples()[0]
    question, context = example.input, example.fields["context"]

    def prompt_for(name: str, type: str) -> str:
        view = task.for_model(ModelSpec(name=name, type=type))
        assert view is not task and view.examples() == task.examples()  # a view shares the data
        (request,) = view.build_requests(example, "generate")
        assert isinstance(request, GenerateRequest)
        return request.prompt

    assert prompt_for("small-gpt", "gpt") == f"Q: {question}\nA:"  # by type
    assert prompt_for("big-gpt", "gpt") == f"{context}\n{question}"  # by name first
    assert prompt_for("t5-small", "t5") == f"question: {question} context: {context}"  # the built-in T5 default
    assert prompt_for("tiny", "tiny") == f"Context: {context}\nQuestion: {question}\nAnswer:"
    # the task itself keeps the default
    assert task.prompt(example) == f"Context: {context}\nQuestion: {question}\nAnswer:"


def test_one_template_replaces_every_default(make_task: Callable[..., QATask]) -> None:
    task = make_task(params={"prompt": "Q: {{ question }}\nA:"})
    example = task.examples()[0]
    view = task.for_model(ModelSpec(name="t5-small", type="t5"))
    assert view.prompt(example) == f"Q: {example.input}\nA:"
    assert view.describe()["generate"]["template_from"] == "params.prompt"


def test_describe_says_which_template_and_data(
    make_task: Callable[..., QATask], files: dict[str, Any], tmp_path: Path
) -> None:
    task = make_task(
        files, {"shots": 2, "prompt": {"gpt": "{% for shot in shots %}{{ shot.answer }} {% endfor %}{{ question }}"}}
    )
    task.examples()
    facts = task.for_model(ModelSpec(name="g", type="gpt")).describe()
    assert facts["data"] == {"path": str(tmp_path / "dev.jsonl")}
    assert facts["train"] == {"path": str(tmp_path / "train.jsonl")}
    assert facts["generate"]["template_for"] == "gpt"
    assert facts["generate"]["template_from"] == "params.prompt.gpt"
    assert (facts["generate"]["shots"], facts["generate"]["max_new_tokens"], facts["generate"]["no_answer"]) == (
        2,
        32,
        "unanswerable",
    )
    assert (facts["questions"], facts["without_answer"]) == (6, 2)
    t5 = task.for_model(ModelSpec(name="t", type="t5")).describe()["generate"]
    assert (t5["template"], t5["template_for"], t5["template_from"]) == (T5_PROMPT, "t5", "built-in")
    plain = task.for_model(ModelSpec(name="b", type="bert")).describe()["generate"]
    assert (plain["template"], plain["template_for"], plain["template_from"]) == (DEFAULT_PROMPT, "default", "built-in")


def test_more_shots_than_the_train_split_has_is_found_with_the_examples(
    make_task: Callable[..., QATask], files: dict[str, Any]
) -> None:
    # the examples are what `nlpbench validate` and a run read first: before any model loads
    with pytest.raises(
        ConfigError, match=r"params\.shots: 16 shots need a train split of at least 16 examples; it has 15"
    ):
        make_task(data=files, params={"shots": 16}).examples()
    assert len(make_task(data=files, params={"shots": 15}).examples()) == 6
