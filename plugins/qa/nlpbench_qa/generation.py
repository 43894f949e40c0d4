"""Turning a model's answers into the predicted answer text.

A generated answer is cleaned the way a reader would: surrounding whitespace goes, only
the first line counts (the prompt's next line would be another question), and a leading
``Answer:`` that the model repeated is dropped. Saying the ``no_answer`` phrase
("unanswerable", in any case, with or without a full stop) predicts that the question
has no answer, which is the empty string: what SQuAD v2 scoring expects.
"""

from __future__ import annotations

import re
from typing import Any

from nlpbench import Span, TaskError

_ANSWER_LABEL = re.compile(r"^\s*answer\s*:\s*", re.IGNORECASE)
_TRIM = " \t\"'.!"


def clean_generation(output: str, no_answer: str) -> str:
    """The answer in ``output``; ``""`` when it says ``no_answer`` or nothing."""
    text = output.strip().split("\n", 1)[0]
    text = _ANSWER_LABEL.sub("", text).strip()
    if text.strip(_TRIM).casefold() == no_answer.strip(_TRIM).casefold():
        return ""
    return text


def span_text(answer: Any) -> str:
    """The text of an extracted span (``""``: the model found no answer)."""
    if isinstance(answer, Span):
        return answer.text
    if isinstance(answer, str):  # a replayed or hand-written model may answer with the text itself
        return answer
    raise TaskError(f"extract_span: expected a Span, got {type(answer).__name__}")
