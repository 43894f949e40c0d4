"""The baselines in whole suites: on the kit's tiny task, and on small summarization and QA
tasks defined here (no such task plugin exists yet), registered through a test plugin."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import pytest

from nlpbench import ConfigError, Example, ExtractSpanRequest, GenerateRequest, Request, Span, TaskSpec, hookimpl
from nlpbench.testing import TINY_EXAMPLES
from nlpbench_baselines import plugin

DOCUMENTS = (
    ("doc-a", "Mr. Lee won the U.S. Open. He was 3.5 shots clear. Fans cheered."),
    ("doc-b", "'It rained,' she said. The match was delayed. Play resumed at 4 p.m. Friday."),
    ("doc-c", "A short note."),
)

QUESTIONS = (
    ("q-1", "When was the university founded?", "The university was founded in 1891. It is large.", "1891"),
    ("q-2", "Who coached the team?", "The team was coached by Ann Lee, since May.", "Ann Lee"),
)


class SummariesTask:
    """Three documents whose summary is their first two sentences (for these tests)."""

    strategies: ClassVar[tuple[str, ...]] = ("generate",)
    default_metrics: ClassVar[tuple[str, ...]] = ("tiny-match",)

    def __init__(self, spec: TaskSpec) -> None:
        self.spec = spec

    def examples(self) -> Iterable[Example]:
        firsts = {"doc-a": "Mr. Lee won the U.S. Open.\nHe was 3.5 shots clear.", "doc-c": "A short note."}
        firsts["doc-b"] = "'It rained,' she said.\nThe match was delayed."
        for example_id, document in DOCUMENTS:
            yield Example(example_id, document, (firsts[example_id],), {"document": document})

    def build_requests(self, example: Example, strategy: str) -> Sequence[Request]:
        document = example.fields["document"]
        return [GenerateRequest(f"Summarize: {document}\nSummary:", max_new_tokens=60, source=document)]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        return answers[0]


class QuestionsTask:
    """Two questions about short paragraphs (for these tests)."""

    strategies: ClassVar[tuple[str, ...]] = ("extract_span",)
    default_metrics: ClassVar[tuple[str, ...]] = ("tiny-match",)

    def __init__(self, spec: TaskSpec) -> None:
        self.spec = spec

    def examples(self) -> Iterable[Example]:
        for example_id, question, context, answer in QUESTIONS:
            yield Example(example_id, question, (answer,), {"question": question, "context": context})

    def build_requests(self, example: Example, strategy: str) -> Sequence[Request]:
        return [ExtractSpanRequest(example.fields["question"], example.fields["context"])]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        span = answers[0]
        assert isinstance(span, Span)
        return span.text


class TestTasks:
    NLPBENCH_PLUGIN_NAME = "baselines-test-tasks"

    @hookimpl
    def register_tasks(self, register: Any) -> None:
        register(SummariesTask, name="summaries")
        register(QuestionsTask, name="questions")


def test_majority_and_wordlist_answer_the_tiny_task(nlpbench_run: Any) -> None:
    suite = {
        "name": "baselines",
        "models": [
            {"name": "words", "type": "wordlist"},
            {"name": "majority", "type": "majority", "params": {"label": "negative"}},
        ],
        "tasks": [{"name": "tiny", "type": "tiny"}],
    }
    run = nlpbench_run(suite, plugins=[plugin])
    assert run.exit_code == 0
    majority = run.cell("majority", "tiny")
    assert majority["strategy"] == "classify"
    # the tiny task has 4 positive and 4 negative sentences
    assert majority["metrics"]["tiny-match"]["value"] == 0.5
    assert {s["prediction"] for s in run.samples if s["model"] == "majority"} == {"negative"}
    assert run.cell("words", "tiny")["status"] == "ok"


def test_a_majority_model_without_its_label_is_a_config_error(nlpbench_run: Any) -> None:
    suite = {
        "name": "baselines",
        "models": [{"name": "majority", "type": "majority"}],
        "tasks": [{"name": "tiny", "type": "tiny"}],
    }
    with pytest.raises(ConfigError, match=r"models\[0\]"):
        nlpbench_run(suite, plugins=[plugin])


def test_replay_of_saved_predictions_on_the_tiny_task(nlpbench_run: Any) -> None:
    # the gold labels, with the first two swapped: 6 of 8 right
    labels = [label for _, label in TINY_EXAMPLES]
    saved = [{"id": f"tiny-{i}", "prediction": label} for i, label in enumerate(labels)]
    saved[0]["prediction"], saved[1]["prediction"] = labels[1], labels[0]
    suite = {
        "name": "replay",
        "models": [
            {"name": "saved", "type": "replay", "params": {"predictions": "saved.jsonl"}},
            {"name": "lines", "type": "replay", "path": "saved.txt", "params": {"id_format": "tiny-{index}"}},
        ],
        "tasks": [{"name": "tiny", "type": "tiny"}],
    }
    files = {
        "saved.jsonl": "".join(json.dumps(row) + "\n" for row in saved),
        "saved.txt": "".join(f"{label}\n" for label in labels),
    }
    run = nlpbench_run(suite, plugins=[plugin], files=files)
    assert run.exit_code == 0
    cell = run.cell("saved", "tiny")
    assert cell["strategy"] == "classify" and cell["metrics"]["tiny-match"]["value"] == 0.75
    assert cell["model_info"]["saved"] == 8
    assert run.cell("lines", "tiny")["metrics"]["tiny-match"]["value"] == 1.0
    predictions = {s["id"]: s["prediction"] for s in run.samples if s["model"] == "saved"}
    assert predictions == {row["id"]: row["prediction"] for row in saved}


def test_replay_missing_an_example_fails_its_cell_naming_the_id(nlpbench_run: Any) -> None:
    suite = {
        "name": "replay",
        "models": [{"name": "saved", "type": "replay", "params": {"predictions": "saved.jsonl"}}],
        "tasks": [{"name": "tiny", "type": "tiny"}],
    }
    run = nlpbench_run(suite, plugins=[plugin], files={"saved.jsonl": '{"id": "tiny-0", "prediction": "positive"}\n'})
    assert run.exit_code == 1
    cell = run.cell("saved", "tiny")
    assert cell["status"] == "failed" and "no saved prediction for example 'tiny-1'" in cell["error"]
    assert "saved.jsonl" in cell["error"]


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ({"type": "replay"}, r"models\[0\]: the replay model needs its saved predictions"),
        ({"type": "replay", "params": {"predictions": "p.jsonl", "id_format": "{line}"}}, "does not apply to jsonl"),
        ({"type": "lead", "params": {"k": 0}}, r"models\[0\]: params.k must be a whole number"),
        ({"type": "sliding-window", "params": {"max_answer_word": 3}}, "did you mean 'max_answer_words'"),
    ],
)
def test_bad_models_are_config_errors_before_anything_runs(
    nlpbench_run: Any, model: dict[str, Any], message: str
) -> None:
    suite = {"name": "bad", "models": [{"name": "m", **model}], "tasks": [{"name": "tiny", "type": "tiny"}]}
    with pytest.raises(ConfigError, match=message):
        nlpbench_run(suite, plugins=[plugin])


def test_lead_summarizes_the_source_of_each_request(nlpbench_run: Any) -> None:
    suite = {
        "name": "summaries",
        "models": [
            {"name": "lead-2", "type": "lead", "params": {"k": 2}},
            {"name": "lead-1", "type": "lead", "params": {"k": 1, "join": "space"}},
        ],
        "tasks": [{"name": "summaries", "type": "summaries"}],
    }
    run = nlpbench_run(suite, plugins=[plugin, TestTasks()])
    assert run.exit_code == 0
    cell = run.cell("lead-2", "summaries")
    assert cell["strategy"] == "generate" and cell["metrics"]["tiny-match"]["value"] == 1.0
    assert cell["model_info"] == {"k": 2, "join": "newline", "from_source": 3, "from_prompt": 0}
    assert run.cell("lead-1", "summaries")["metrics"]["tiny-match"]["value"] == pytest.approx(1 / 3)  # doc-c


def test_sliding_window_and_replay_answer_questions(nlpbench_run: Any) -> None:
    saved = '{"id": "q-1", "prediction": "1891"}\n{"id": "q-2", "prediction": "ann lee"}\n'
    suite = {
        "name": "questions",
        "models": [
            {"name": "window", "type": "sliding-window", "params": {"max_answer_words": 2}},
            {"name": "saved", "type": "replay", "params": {"predictions": "answers.jsonl"}},
            {"name": "lead", "type": "lead"},
        ],
        "tasks": [{"name": "questions", "type": "questions"}],
    }
    run = nlpbench_run(suite, plugins=[plugin, TestTasks()], files={"answers.jsonl": saved})
    assert run.exit_code == 0
    assert run.cell("window", "questions")["metrics"]["tiny-match"]["value"] == 1.0
    # the saved "ann lee" is found ignoring case, and answered in the context's spelling
    assert run.cell("saved", "questions")["metrics"]["tiny-match"]["value"] == 1.0
    assert run.cell("lead", "questions")["status"] == "not_applicable"
