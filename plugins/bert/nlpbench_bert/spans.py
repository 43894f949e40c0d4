"""Extractive question answering with a QA head, the way SQuAD systems decode.

A context longer than ``max_length`` is read in overlapping windows (``doc_stride``
tokens of overlap). In each window the ``n_best`` highest start and end logits over the
context's tokens are paired (end not before start, at most ``max_answer_length``
tokens); the pair with the highest start + end logit over all windows wins, and its
character offsets into the original context give the span.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from nlpbench import ExtractSpanRequest, ModelError, Span

from .inputs import Row, pad, truncation_side
from .runtime import Runtime


@dataclass(frozen=True)
class Window:
    """One window (a "feature") of one request's context."""

    request: int
    row: Row
    offsets: list[tuple[int, int]]  # character offsets into the context, per token
    context: list[bool]  # whether each token belongs to the context


@dataclass(frozen=True)
class Candidate:
    score: float
    start: int  # characters
    end: int


def extract_spans(runtime: Runtime, requests: Sequence[ExtractSpanRequest]) -> list[Span]:
    """The best span of each request's context, in request order; ``context[start:end] == text``."""
    windows = _windows(runtime, requests)
    best = runtime.runner.run([len(w.row.input_ids) for w in windows], lambda batch: _decode(runtime, windows, batch))
    winners: list[Candidate | None] = [None] * len(requests)
    for window, candidate in zip(windows, best, strict=True):  # windows are in request order
        current = winners[window.request]
        if candidate is not None and (current is None or candidate.score > current.score):
            winners[window.request] = candidate
    spans = []
    for request, winner in zip(requests, winners, strict=True):
        if winner is None:  # an empty context: nothing to point at
            spans.append(Span(text="", start=0, end=0, score=0.0))
        else:
            text = request.context[winner.start : winner.end]
            spans.append(Span(text=text, start=winner.start, end=winner.end, score=winner.score))
    return spans


def _windows(runtime: Runtime, requests: Sequence[ExtractSpanRequest]) -> list[Window]:
    """Every request's windows, in request order. Questions are tokenized once, batched;
    one that would leave the context less than half the room is cut (and counted). The
    stride shrinks for a window too small for it, so each request's windows depend on
    that request alone, never on what it is batched with."""
    tokenizer, limit = runtime.tokenizer, runtime.max_length
    specials = tokenizer.num_special_tokens_to_add(pair=True)
    room = (limit - specials) // 2
    if room < 1:
        raise ModelError(f"max_length {limit} leaves no room for a question and its context")
    questions = [request.question for request in requests]
    encoded = tokenizer(questions, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    lengths = [len(ids) for ids in encoded["input_ids"]]
    for i, (ids, offsets) in enumerate(zip(encoded["input_ids"], encoded["offset_mapping"], strict=True)):
        if len(ids) > room:
            questions[i] = _cut_question(questions[i], offsets, room, runtime.truncation.side)
            lengths[i] = len(tokenizer(questions[i], add_special_tokens=False)["input_ids"])
            runtime.truncation.truncated += 1
            runtime.truncation.tokens_dropped += max(0, len(ids) - lengths[i])
    by_stride: dict[int, list[int]] = {}
    for i, length in enumerate(lengths):
        stride = min(runtime.settings.doc_stride, max(0, (limit - specials - length) // 2))
        by_stride.setdefault(stride, []).append(i)
    windows: list[Window] = []
    for stride, group in by_stride.items():
        with truncation_side(tokenizer, "right"):  # windows run from the start of the context
            features = tokenizer(
                [questions[i] for i in group],
                [requests[i].context for i in group],
                truncation="only_second",
                max_length=limit,
                stride=stride,
                return_overflowing_tokens=True,
                return_offsets_mapping=True,
            )
        types = features.get("token_type_ids") if runtime.token_types else None
        for f, sample in enumerate(features["overflow_to_sample_mapping"]):
            windows.append(
                Window(
                    request=group[sample],
                    row=Row(features["input_ids"][f], types[f] if types is not None else None),
                    offsets=list(features["offset_mapping"][f]),
                    context=[sequence == 1 for sequence in features.sequence_ids(f)],
                )
            )
    windows.sort(key=lambda window: window.request)  # stable: each request's windows keep their order
    return windows


def _cut_question(question: str, offsets: Sequence[Sequence[int]], keep: int, side: str) -> str:
    """The question cut to about ``keep`` tokens at a token boundary, on ``side``."""
    if side == "left":
        return question[offsets[len(offsets) - keep][0] :]
    return question[: offsets[keep - 1][1]]


def _decode(runtime: Runtime, windows: Sequence[Window], batch: list[int]) -> list[Candidate | None]:
    inputs = pad(runtime, [windows[i].row for i in batch])
    with torch.inference_mode():
        output = runtime.model(**inputs)
        logits = torch.stack((output.start_logits, output.end_logits), dim=1).float().cpu()  # one transfer
    return [_best(windows[i], logits[k, 0], logits[k, 1], runtime) for k, i in enumerate(batch)]


def _best(window: Window, start: torch.Tensor, end: torch.Tensor, runtime: Runtime) -> Candidate | None:
    """The window's best (start, end) pair among its n-best starts and ends, or None."""
    settings = runtime.settings
    positions = torch.tensor([p for p, inside in enumerate(window.context) if inside], dtype=torch.long)
    if len(positions) == 0:
        return None
    k = min(settings.n_best, len(positions))
    starts = positions[torch.topk(start[positions], k).indices]
    ends = positions[torch.topk(end[positions], k).indices]
    found = _best_pair(start, end, starts, ends, settings.max_answer_length)
    if found is None:  # no n-best start has an n-best end in reach: look at every pair
        found = _best_pair(start, end, positions, positions, settings.max_answer_length)
    if found is None:
        return None
    score, first, last = found
    return Candidate(score=score, start=window.offsets[first][0], end=window.offsets[last][1])


def _best_pair(
    start: torch.Tensor, end: torch.Tensor, starts: torch.Tensor, ends: torch.Tensor, longest: int
) -> tuple[float, int, int] | None:
    """The (score, start, end) token positions of the best valid pair, or None."""
    scores = start[starts].unsqueeze(1) + end[ends].unsqueeze(0)
    length = ends.unsqueeze(0) - starts.unsqueeze(1) + 1
    scores[(length < 1) | (length > longest)] = float("-inf")
    flat = int(torch.argmax(scores))
    score = float(scores.view(-1)[flat])
    if score == float("-inf"):
        return None
    return score, int(starts[flat // len(ends)]), int(ends[flat % len(ends)])
