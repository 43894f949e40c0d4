"""The four ways to ask a model for a text's sentiment, and how each answer becomes a label.

- classify: one request naming the labels; the most probable label wins.
- loglikelihood: the prompt continued by each label's word; the likeliest wins.
- generate: the model continues the prompt; the first label word it says wins.
- encode: the text and one description per label are embedded; the closest wins.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from nlpbench import (
    ClassifyRequest,
    EncodeRequest,
    GenerateRequest,
    LoglikelihoodRequest,
    Request,
    TaskError,
)

from .config import Prompting

STRATEGIES = ("classify", "loglikelihood", "generate", "encode")


def build(
    strategy: str,
    text: str,
    labels: Sequence[str],
    prompts: Prompting,
    shots: Sequence[tuple[str, str]] = (),
    max_new_tokens: int = 5,
    until: tuple[str, ...] = ("\n",),
) -> list[Request]:
    """The requests that ask about ``text`` with ``strategy``; a prompt shows ``shots``
    (each a text and its label) before the question. A generated answer is at most
    ``max_new_tokens`` tokens and ends before the first of ``until``."""
    if strategy == "classify":
        return [ClassifyRequest(text=text, labels=tuple(labels))]
    if strategy == "loglikelihood":
        context = prompts.render(text, shots)
        return [LoglikelihoodRequest(context=context, continuation=f" {prompts.word(label)}") for label in labels]
    if strategy == "generate":
        return [
            GenerateRequest(
                prompt=prompts.render(text, shots),
                max_new_tokens=max_new_tokens,
                stop=until,
                messages=prompts.conversation(text, shots),  # the shots as turns, for a chat model
            )
        ]
    if strategy == "encode":
        return [EncodeRequest(text=text), *(EncodeRequest(text=prompts.describe(label)) for label in labels)]
    raise TaskError(f"the sentiment task has no strategy '{strategy}'; it has: {', '.join(STRATEGIES)}")


def predict(strategy: str, answers: Sequence[Any], labels: Sequence[str], prompts: Prompting) -> str | None:
    """The label the answers point to, or None when they name none."""
    expected = {"classify": 1, "generate": 1, "loglikelihood": len(labels), "encode": len(labels) + 1}
    if strategy not in expected:
        raise TaskError(f"the sentiment task has no strategy '{strategy}'; it has: {', '.join(STRATEGIES)}")
    if len(answers) != expected[strategy]:
        raise TaskError(f"{strategy}: expected {expected[strategy]} answers, got {len(answers)}")
    if strategy == "classify":
        return from_probabilities(answers[0], labels)
    if strategy == "loglikelihood":
        return _best(labels, [float(getattr(answer, "logprob", answer)) for answer in answers])
    if strategy == "generate":
        return from_generation(str(answers[0]), labels, prompts)
    text, *descriptions = answers
    return _best(labels, [cosine(text, description) for description in descriptions])


def probabilities(strategy: str, answers: Sequence[Any], labels: Sequence[str]) -> dict[str, float] | None:
    """The model's probability of each label, in label order, where the strategy gives one.

    - classify: the model's own probabilities of the labels, renormalised to sum to 1
      over them (a classifier with more outputs than the task's labels);
    - loglikelihood: the softmax of the labels' log-likelihoods, the probability of each
      label's word among the label words, given the prompt;
    - generate and encode: None (a generated word and a cosine similarity are not probabilities).
    """
    if strategy == "classify":
        (answer,) = answers
        if not isinstance(answer, Mapping):
            return None
        raw = [max(float(answer.get(label, 0.0)), 0.0) for label in labels]
    elif strategy == "loglikelihood":
        scores = [float(getattr(answer, "logprob", answer)) for answer in answers]
        top = max(scores)
        if not math.isfinite(top):
            return None
        raw = [math.exp(score - top) for score in scores]
    else:
        return None
    total = sum(raw)
    if not math.isfinite(total) or total <= 0.0:
        return None
    return {label: value / total for label, value in zip(labels, raw, strict=True)}


def from_probabilities(probabilities: Any, labels: Sequence[str]) -> str | None:
    """The most probable of ``labels``; ties go to the earlier label."""
    if not isinstance(probabilities, Mapping):
        raise TaskError(f"classify: expected label probabilities, got {type(probabilities).__name__}")
    if not any(label in probabilities for label in labels):
        raise TaskError(
            f"classify: the answer gives none of the labels {', '.join(labels)} (it gives {', '.join(map(str, probabilities))})"
        )
    return _best(labels, [float(probabilities.get(label, -math.inf)) for label in labels])


def from_generation(output: str, labels: Sequence[str], prompts: Prompting) -> str | None:
    """The label whose word (or name) appears first in ``output``, as a whole word, in any case."""
    found: list[tuple[int, int, str]] = []
    for label in labels:
        for word in {prompts.word(label), label}:
            match = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", output, flags=re.IGNORECASE)
            if match:
                found.append((match.start(), -len(word), label))  # earliest, then longest word
    return min(found)[2] if found else None


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity; 0.0 when either vector is zero."""
    if len(a) != len(b):
        raise TaskError(f"encode: embeddings of different sizes ({len(a)} and {len(b)})")
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norms if norms else 0.0


def _best(labels: Sequence[str], scores: Sequence[float]) -> str | None:
    """The label with the highest finite score (the first on ties); None when none is finite."""
    best: tuple[float, str] | None = None
    for label, score in zip(labels, scores, strict=True):
        if math.isfinite(score) and (best is None or score > best[0]):
            best = (score, label)
    return best[1] if best else None
