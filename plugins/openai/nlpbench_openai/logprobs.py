"""The log-probability of the end of a prompt, from a completions response with
``echo: true`` and ``logprobs: 1`` (the server scores the prompt's own tokens).

lm-evaluation-harness's ``local-completions`` tokenizes on the client and counts the
context's tokens; a served model's tokenizer is the server's, so here the boundary is
found in characters instead: ``text_offset`` says where each echoed token starts in the
prompt, and the continuation is scored by the tokens that end after the context does
(a token straddling the boundary counts for the continuation, which is never scored as
nothing). After trailing spaces move to the continuation (as the ``gpt`` type does),
BPE tokenizers put a boundary there, and the tokens are the same as lm-eval's.
``is_greedy`` is lm-eval's test: each scored token's log-probability is the highest of
its ``top_logprobs``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nlpbench import Loglikelihood, ModelError

#: How far a token's log-probability may fall below the best of its top_logprobs and
#: still be the greedy choice (the same float, rounded through JSON).
_GREEDY_SLACK = 1e-6


def prompt_logprobs(response: Mapping[str, Any]) -> tuple[list[float | None], list[int], list[Any]] | None:
    """The echoed prompt's (token_logprobs, text_offset, top_logprobs), generated tokens
    included; None when the response has none of them (a server without prompt logprobs)."""
    choices = response.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
        return None
    logprobs = choices[0].get("logprobs")
    if not isinstance(logprobs, Mapping):
        return None
    values, offsets, tops = logprobs.get("token_logprobs"), logprobs.get("text_offset"), logprobs.get("top_logprobs")
    if not (isinstance(values, list) and isinstance(offsets, list) and isinstance(tops, list)):
        return None
    if not values or len(values) != len(offsets) or len(values) != len(tops):
        return None
    return values, offsets, tops


def has_prompt_logprobs(response: Mapping[str, Any]) -> bool:
    """Whether a probe's response scores the prompt: some echoed token after the first has a log-probability."""
    found = prompt_logprobs(response)
    return found is not None and any(isinstance(value, (int, float)) for value in found[0][1:])


def span_loglikelihood(response: Mapping[str, Any], prompt: str, start: int) -> Loglikelihood:
    """The log-probability of ``prompt[start:]``, the tokens of the echoed ``prompt`` that
    end after character ``start``; tokens at or past ``len(prompt)`` were generated and
    are left out. ModelError when the server did not score one of them."""
    found = prompt_logprobs(response)
    if found is None:
        raise ModelError("the server's response has no prompt log-probabilities (token_logprobs, text_offset)")
    values, offsets, tops = found
    prompt_tokens = [i for i, offset in enumerate(offsets) if isinstance(offset, int) and offset < len(prompt)]
    if not prompt_tokens:
        raise ModelError("the server's echo holds none of the prompt's tokens")
    count = len(prompt_tokens)
    ends = [offsets[prompt_tokens[k + 1]] if k + 1 < count else len(prompt) for k in range(count)]
    scored = [i for i, end in zip(prompt_tokens, ends, strict=True) if end > start]
    total, greedy = 0.0, True
    for i in scored:
        value = values[i]
        if not isinstance(value, (int, float)):
            raise ModelError(
                "the server gave no log-probability for the first token of the text scored: set "
                "params.start_text to the model's start token as text (GPT-2: '<|endoftext|>')"
            )
        total += float(value)
        top = tops[i]
        if isinstance(top, Mapping) and top:
            greedy = greedy and float(value) >= max(float(v) for v in top.values()) - _GREEDY_SLACK
        else:
            greedy = False
    return Loglikelihood(logprob=total, is_greedy=greedy, n_tokens=len(scored))
