"""How each ``output`` asks a model about an example, and what its answers become.

Predictions are plain JSON, so the store keeps them and metrics read them:

- choice (``multiple_choice``, ``classify``): ``{"choice": index or null, ...}``; by
  log-likelihood also ``loglikelihoods``, ``is_greedy``, ``tokens``, ``chars`` and
  ``bytes`` per choice (what ``acc_norm`` divides by) and ``unconditional`` (each
  choice's log-likelihood with no context, for ``acc_mutual_info``);
- ``generate`` and ``extract_span``: ``{"text": what the model said, "answer": it filtered}``;
- ``loglikelihood`` and ``rolling``: ``{"logprob", "tokens", "words", "bytes"}`` (as the
  language-modeling task predicts, so its perplexity metrics apply) and, for a target
  continuation, ``is_greedy``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from nlpbench import (
    ClassifyRequest,
    ExtractSpanRequest,
    GenerateRequest,
    LoglikelihoodRequest,
    LoglikelihoodRollingRequest,
    Message,
    Request,
    TaskError,
)

from .filters import Filters

if TYPE_CHECKING:
    from .params import GenerateOptions


@dataclass(frozen=True)
class Asked:
    """Everything about one example that the requests are built from."""

    context: str
    choices: tuple[str, ...] = ()
    #: the text scored after each choice (partial scoring: each choice ends the context)
    continuation: str | None = None
    #: the text before the choice in partial scoring (the description and the shots)
    prefix: str = ""
    target: str = ""
    classify_text: str = ""
    classify_pair: str | None = None
    labels: tuple[str, ...] = ()
    span_question: str = ""
    span_context: str = ""
    rolling_text: str = ""
    #: the context as turns for a chat model (each shot's question and answer, then the
    #: question); empty without shots
    messages: tuple[Message, ...] = ()


@dataclass(frozen=True)
class Asking:
    """How a task asks: its output, delimiters, decoding, and what else to ask for."""

    output: str
    generate: GenerateOptions
    target_delimiter: str = " "
    mutual_info: bool = False
    rolling_windows: Literal["sliding", "disjoint"] = "sliding"

    def requests(self, strategy: str, asked: Asked) -> list[Request]:
        """The requests that answer one example with ``strategy``."""
        if strategy == "classify":
            labels = asked.labels or asked.choices
            return [ClassifyRequest(text=asked.classify_text, labels=tuple(labels), text_pair=asked.classify_pair)]
        if strategy == "loglikelihood" and self.output == "multiple_choice":
            if asked.continuation is not None:
                requests = [
                    LoglikelihoodRequest(asked.prefix + choice, self.target_delimiter + asked.continuation)
                    for choice in asked.choices
                ]
            else:
                requests = [LoglikelihoodRequest(asked.context, self.target_delimiter + c) for c in asked.choices]
            if self.mutual_info:
                requests += [LoglikelihoodRequest("", self.target_delimiter + c) for c in asked.choices]
            return list(requests)
        if strategy == "loglikelihood":
            return [LoglikelihoodRequest(asked.context, self.target_delimiter + asked.target)]
        if strategy == "loglikelihood_rolling":
            stride = None
            return [LoglikelihoodRollingRequest(asked.rolling_text, stride, windows=self.rolling_windows)]
        if strategy == "generate":
            options = self.generate
            return [
                GenerateRequest(
                    prompt=asked.context,
                    max_new_tokens=options.max_new_tokens,
                    stop=tuple(options.until),
                    temperature=options.temperature,
                    messages=asked.messages,
                )
            ]
        if strategy == "extract_span":
            return [ExtractSpanRequest(question=asked.span_question, context=asked.span_context)]
        raise TaskError(f"output {self.output} has no strategy '{strategy}'")


def _logprob(answer: Any) -> float:
    return float(getattr(answer, "logprob", answer))


def choice_prediction(
    strategy: str, answers: Sequence[Any], choices: Sequence[str], labels: Sequence[str], mutual_info: bool
) -> dict[str, Any]:
    """A choice task's prediction from its answers (see the module docstring)."""
    if strategy == "classify":
        (answer,) = answers
        if not isinstance(answer, Mapping):
            raise TaskError(f"classify: expected label probabilities, got {type(answer).__name__}")
        names = labels or choices
        scores = [float(answer.get(name, -math.inf)) for name in names]
        if not any(name in answer for name in names):
            raise TaskError(f"classify: the answer gives none of the labels {', '.join(names)}")
        return {"choice": best_index(scores), "label_probabilities": [answer.get(name) for name in names]}
    n = len(choices)
    expected = 2 * n if mutual_info else n
    if len(answers) != expected:
        raise TaskError(f"{strategy}: expected {expected} answers for {n} choices, got {len(answers)}")
    conditional = answers[:n]
    lls = [_logprob(a) for a in conditional]
    prediction: dict[str, Any] = {
        "choice": best_index(lls),
        "loglikelihoods": lls,
        "is_greedy": [bool(getattr(a, "is_greedy", False)) for a in conditional],
        "tokens": [int(getattr(a, "n_tokens", 0)) for a in conditional],
        "chars": [len(c) for c in choices],
        "bytes": [len(c.encode("utf-8")) for c in choices],
    }
    if mutual_info:
        prediction["unconditional"] = [_logprob(a) for a in answers[n:]]
    return prediction


def choice_probabilities(strategy: str, prediction: Mapping[str, Any]) -> dict[str, float] | None:
    """The probability of each choice (keyed by its index as text): the classifier's own,
    renormalised over the choices, or the softmax of the choices' log-likelihoods."""
    if strategy == "classify":
        raw = [max(float(p), 0.0) if p is not None else 0.0 for p in prediction.get("label_probabilities", [])]
    else:
        lls = prediction.get("loglikelihoods") or []
        top = max(lls, default=-math.inf)
        if not math.isfinite(top):
            return None
        raw = [math.exp(ll - top) for ll in lls]
    total = sum(raw)
    if not raw or not math.isfinite(total) or total <= 0:
        return None
    return {str(i): value / total for i, value in enumerate(raw)}


def text_prediction(text: str, pipelines: Mapping[str, Filters], choices: Sequence[str]) -> dict[str, Any]:
    """A generated (or extracted) text and the answer the filters make of it: ``answer``
    from the first pipeline, and with named pipelines each one's under ``answers``."""
    answers = {name: filters.apply(text, choices) for name, filters in pipelines.items()}
    prediction: dict[str, Any] = {"text": text, "answer": next(iter(answers.values()))}
    if "" not in answers:
        prediction["answers"] = answers
    return prediction


def likelihood_prediction(answer: Any, text: str, count_words: Any, greedy: bool) -> dict[str, Any]:
    """A scored text's log-probability and its counts (tokens, words, UTF-8 bytes)."""
    prediction = {
        "logprob": _logprob(answer),
        "tokens": int(getattr(answer, "n_tokens", 0)),
        "words": int(count_words(text)),
        "bytes": len(text.encode("utf-8")),
    }
    if greedy:
        prediction["is_greedy"] = bool(getattr(answer, "is_greedy", False))
    return prediction


def best_index(scores: Sequence[float]) -> int | None:
    """The first highest finite score's index (numpy's argmax order, as lm-evaluation-harness
    picks a choice); None when none is finite."""
    best: int | None = None
    for index, score in enumerate(scores):
        if math.isfinite(score) and (best is None or score > scores[best]):
            best = index
    return best
