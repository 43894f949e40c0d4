"""Sliding windows for scoring a text longer than the model's context (perplexity).

The text's tokens ``t[1..n]`` follow a start token ``t[0]``. Each window is at most
``max_length`` tokens of input and scores the tokens it is the first to reach, so every
token is scored exactly once; after the first window, each scores ``stride`` new tokens
with the ``max_length - stride + 1`` before them as context. These are the windows of
Hugging Face's perplexity recipe with ``max_length + 1`` tokens each: the recipe never
uses the prediction after a window's last token, so that token is not read here and the
model's input stays within ``max_length``.
"""

from __future__ import annotations

from collections.abc import Sequence

from .encoding import Pair


def rolling_windows(n: int, max_length: int, stride: int) -> list[tuple[int, int, int]]:
    """``(start, first, last)`` per window, over tokens ``t[0..n]``: the window's input is
    ``t[start:last]`` and it scores ``t[first:last + 1]``."""
    if not 1 <= stride <= max_length:
        raise ValueError(f"stride must be between 1 and max_length ({max_length}), not {stride}")
    windows = []
    start, scored = 0, 0  # scored: the last token index already scored
    while scored < n:
        last = min(start + max_length, n)
        windows.append((start, scored + 1, last))
        scored = last
        start += stride
    return windows


def window_pairs(tokens: Sequence[int], start_token: int, max_length: int, stride: int) -> list[Pair]:
    """The windows of ``tokens`` (a whole text, conditioned on ``start_token``) as
    (prefix, scored tokens) pairs, ready to score."""
    sequence = (start_token, *tokens)
    return [
        (sequence[start:first], sequence[first : last + 1])
        for start, first, last in rolling_windows(len(tokens), max_length, stride)
    ]


def disjoint_window_pairs(tokens: Sequence[int], start_token: int, max_length: int) -> list[Pair]:
    """lm-evaluation-harness's windows of ``tokens`` (its ``get_rolling_token_windows``
    with a context of one token, made disjoint): the first scores the first
    ``max_length`` tokens after ``start_token``; each next one scores up to
    ``max_length`` new tokens conditioned on the token before them, the last reaching
    back so that it reads a full ``max_length`` tokens. Every token is scored once."""
    n = len(tokens)
    if not n:
        return []
    first = min(max_length, n)
    pairs: list[Pair] = [((start_token,), tuple(tokens[:first]))]
    predicted = first
    while predicted < n:
        scored = min(n - predicted, max_length)
        end = predicted + scored
        context = tokens[end - max_length - 1 : end - 1]
        pairs.append((tuple(context[: len(context) - (scored - 1)]), tuple(tokens[end - scored : end])))
        predicted = end
    return pairs
