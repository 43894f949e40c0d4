"""The two ways to ask a model for a text's log-probability, and the prediction made of the answer.

- loglikelihood_rolling: the whole text, in the model's sliding windows (any length);
- loglikelihood: the text as the continuation of an empty context, for models without
  rolling scoring. The model reads it in one piece, so a text longer than its context
  is cut or refused as that model does, and an encoder-decoder scores it as the target
  of an empty input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from nlpbench import LoglikelihoodRequest, LoglikelihoodRollingRequest, Request, TaskError

STRATEGIES = ("loglikelihood_rolling", "loglikelihood")


def build(strategy: str, text: str, stride: int | None) -> list[Request]:
    """The one request that scores ``text`` with ``strategy``."""
    if strategy == "loglikelihood_rolling":
        return [LoglikelihoodRollingRequest(text=text, stride=stride)]
    if strategy == "loglikelihood":
        return [LoglikelihoodRequest(context="", continuation=text)]
    raise TaskError(f"the language-modeling task has no strategy '{strategy}'; it has: {', '.join(STRATEGIES)}")


def predict(strategy: str, text: str, answers: Sequence[Any]) -> dict[str, float | int]:
    """``{"logprob", "tokens", "words", "bytes"}`` for ``text`` from the model's one answer.

    ``words`` counts the whitespace-separated words of the text as written (``str.split``:
    no empty strings at its ends), ``bytes`` its UTF-8 bytes; ``tokens`` is how many
    tokens the model scored.
    """
    if strategy not in STRATEGIES:
        raise TaskError(f"the language-modeling task has no strategy '{strategy}'; it has: {', '.join(STRATEGIES)}")
    if len(answers) != 1:
        raise TaskError(f"{strategy}: expected 1 answer, got {len(answers)}")
    (answer,) = answers
    logprob, tokens = getattr(answer, "logprob", None), getattr(answer, "n_tokens", None)
    if isinstance(logprob, bool) or not isinstance(logprob, (int, float)) or math.isnan(logprob) or logprob > 0:
        raise TaskError(f"{strategy}: expected a log-probability (a number of at most 0), got {logprob!r}")
    if isinstance(tokens, bool) or not isinstance(tokens, int) or tokens < 0:
        raise TaskError(f"{strategy}: expected the number of tokens scored (n_tokens), got {tokens!r}")
    return {"logprob": float(logprob), "tokens": tokens, "words": len(text.split()), "bytes": len(text.encode("utf-8"))}
