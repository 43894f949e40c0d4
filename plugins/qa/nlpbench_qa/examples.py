"""What one question of the task is: an :class:`~nlpbench.Example` with the question as its
input (what a bias audit rewrites) and the paragraph in its fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nlpbench import Example

from .answers import Answers


def qa_example(
    example_id: str, question: str, context: str, title: str, answers: Answers, kept: Mapping[str, Any] | None = None
) -> Example:
    """The example: ``references`` are the gold answer texts, ``()`` when it has none;
    ``kept`` (the ``data.keep`` columns) joins the fields."""
    return Example(
        id=example_id,
        input=question,
        references=answers.texts,
        fields={
            "question": question,
            "context": context,
            "title": title,
            "answers": list(answers.texts),
            "answer_starts": list(answers.starts),
            **(kept or {}),
        },
    )


def question_of(example: Example) -> str:
    """The question to ask: the input (perhaps rewritten by an audit), else the field."""
    return example.input if isinstance(example.input, str) else str(example.fields["question"])


def context_of(example: Example) -> str:
    """The paragraph the answer comes from (an audit may rewrite it in the fields)."""
    return str(example.fields["context"])


def title_of(example: Example) -> str:
    return str(example.fields.get("title") or "")
