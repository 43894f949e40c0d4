"""The ``params:`` of a qa task, as an option schema: every key with its type, default and
description, checked by the core before anything loads. The templates and the shots
against the train split are checked in :mod:`nlpbench_qa.config`."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from nlpbench import MaxNewTokens, Options, PromptParam, Shots

DEFAULT_MAX_NEW_TOKENS = 32
DEFAULT_NO_ANSWER = "unanswerable"


def _phrase(value: str) -> str:
    if not value.strip():
        raise ValueError(f"must be a non-empty phrase, not {value!r}")
    return value.strip()


class QAParams(Options):
    """Every key of a qa task's ``params``: how a generating model is asked."""

    prompt: PromptParam = Field(
        default=None,
        description="The Jinja2 prompt for the generate strategy, using {{ question }}, {{ context }}, "
        "{{ title }} and the shots (each also with answer), or a mapping of model name or type to template "
        "with a 'default'; unset: 'Context: … Question: … Answer:' after the shots ('question: … context: …' "
        "for t5).",
    )
    shots: Shots = 0
    max_new_tokens: MaxNewTokens = DEFAULT_MAX_NEW_TOKENS
    no_answer: Annotated[str, AfterValidator(_phrase)] = Field(
        default=DEFAULT_NO_ANSWER,
        description="What a generating model says when the context holds no answer (SQuAD v2): an output that "
        "says it is scored as no answer; shots without an answer show it.",
    )
