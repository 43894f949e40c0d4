"""The official SQuAD scoring rules for one prediction against its gold answers.

A transcription of the SQuAD v1.1 evaluation script (``evaluate-v1.1.py``):
``normalize_answer``, the exact-match and the Counter-based token F1 of one
prediction against one gold answer, the maximum over gold answers; plus the SQuAD
v2 script's rule for questions without an answer. Pure Python, no numpy: this is
what :mod:`nlpbench_metrics.squad` calls once per example.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from nlpbench import MetricError

# The script's own pattern and character set: \b is Unicode-aware in Python 3, and
# only ASCII punctuation (string.punctuation) is removed, so “curly quotes” stay.
_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCTUATION = str.maketrans("", "", string.punctuation)


def normalize_answer(text: str) -> str:
    """Lowercase, remove ASCII punctuation, remove the articles a/an/the, collapse whitespace."""
    text = text.lower().translate(_PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match_score(prediction: str, gold: str) -> float:
    """1.0 when the two are equal once normalized, else 0.0."""
    return 1.0 if normalize_answer(prediction) == normalize_answer(gold) else 0.0


def f1_score(prediction: str, gold: str) -> float:
    """Token F1 of the normalized texts, counting a repeated token as often as both hold it.

    As in v1.1, no token in common is 0.0, even when both normalize to nothing.
    """
    prediction_tokens = normalize_answer(prediction).split()
    gold_tokens = normalize_answer(gold).split()
    common = Counter(prediction_tokens) & Counter(gold_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision = same / len(prediction_tokens)
    recall = same / len(gold_tokens)
    return (2 * precision * recall) / (precision + recall)


def max_over_golds(score: Callable[[str, str], float], prediction: str, golds: Sequence[str]) -> float:
    """The best score of ``prediction`` against any gold answer."""
    return max(score(prediction, gold) for gold in golds)


def no_answer_score(prediction: str) -> float:
    """SQuAD v2 on a question without an answer: its gold answers become ``[""]``, so a
    prediction that normalizes to nothing scores 1 (exact match and F1 alike), any other 0."""
    return 0.0 if normalize_answer(prediction) else 1.0


def check_prediction(position: int, prediction: Any) -> str:
    """The prediction as text: None (no answer given) is ``""``."""
    if prediction is None:
        return ""
    if not isinstance(prediction, str):
        raise MetricError(f"example {position}: a prediction must be a string or None, not {prediction!r}")
    return prediction


def gold_answers(position: int, references: Any) -> tuple[str, ...]:
    """The gold answers that count: every reference that isn't empty (or only whitespace).

    An empty tuple means the question has no answer (SQuAD v2): its references were
    an empty list, or empty strings only.
    """
    if isinstance(references, (str, bytes)) or not isinstance(references, Sequence):
        raise MetricError(
            f"example {position}: references must be a list of answer strings (empty for no answer), got {references!r}"
        )
    for reference in references:
        if not isinstance(reference, str):
            raise MetricError(f"example {position}: a reference answer must be a string, not {reference!r}")
    return tuple(reference for reference in references if reference.strip())
