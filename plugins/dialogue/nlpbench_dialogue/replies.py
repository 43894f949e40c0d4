"""Replies as the reply metrics read them: text from a prediction, and its tokens."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from nlpbench import MetricError

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_WORD_OR_MARK = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_SPACED = re.compile(r"\S+")


def reply_text(prediction: Any, position: int) -> str:
    """A prediction as text: None (no answer) is ""; a declarative task's generated
    prediction (``{"text", "answer"}``) gives its filtered answer."""
    if isinstance(prediction, Mapping) and "answer" in prediction:
        prediction = prediction["answer"]
    if prediction is None:
        return ""
    if not isinstance(prediction, str):
        raise MetricError(f"example {position}: a reply must be a string or None, not {type(prediction).__name__}")
    return prediction


def tokens(text: str, *, lowercase: bool = True, punctuation: bool = False) -> list[str]:
    """The words of ``text`` (runs of letters and digits, with inner apostrophes: "don't"),
    lowercased unless told otherwise; with ``punctuation``, each other mark is a token too."""
    found = (_WORD_OR_MARK if punctuation else _WORD).findall(text)
    return [token.lower() for token in found] if lowercase else found


def word_count(text: str) -> int:
    """How many words ``text`` has: runs of characters between white space."""
    return len(_SPACED.findall(text))
