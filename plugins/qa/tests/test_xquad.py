"""The real XQuAD questions (SQuAD v1.1 dev, first half) through the task."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nlpbench import TaskSpec
from nlpbench_qa import QATask


def test_every_question_is_read(xquad: Path) -> None:
    task = QATask(TaskSpec(name="xquad", type="qa", data={"path": str(xquad)}))
    examples = task.examples()
    assert len(examples) == 632
    document = json.loads(xquad.read_text(encoding="utf-8"))
    questions = [
        (qa, paragraph["context"], article["title"])
        for article in document["data"]
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    ]
    for example, (qa, context, title) in zip(examples, questions, strict=True):
        assert example.id == qa["id"]
        assert example.input == qa["question"].strip()
        assert example.references == tuple(answer["text"] for answer in qa["answers"])
        assert example.fields["context"] == context and example.fields["title"] == title
        for text, start in zip(example.fields["answers"], example.fields["answer_starts"], strict=True):
            assert context[start : start + len(text)] == text


def test_the_sliding_window_baseline_scores_as_measured(
    xquad: Path, nlpbench_run: Callable[..., Any], suite_plugins: list[Any]
) -> None:
    suite = {
        "name": "xquad",
        "seed": 1234,
        "models": [{"name": "sw", "type": "sliding-window"}],
        "tasks": [{"name": "xquad", "type": "squad", "data": {"path": str(xquad)}}],
    }
    run = nlpbench_run(suite, plugins=suite_plugins)
    cell = run.cell("sw", "xquad")
    assert (cell["status"], cell["strategy"], cell["n"]) == ("ok", "extract_span", 632)
    # measured when the baseline was written, with the official SQuAD v1.1 rules: EM 11.9, F1 27.4
    assert round(cell["metrics"]["squad-em"]["value"], 1) == 11.9
    assert round(cell["metrics"]["squad-f1"]["value"], 1) == 27.4
    assert cell["metrics"]["squad-em"]["ci_low"] < 11.9 < cell["metrics"]["squad-em"]["ci_high"]
