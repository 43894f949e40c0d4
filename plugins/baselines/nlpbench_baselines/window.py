"""The sliding-window answer finder, after Richardson et al. (2013)'s MCTest baseline: the
window of the context that best overlaps the question, then the words beside the overlap.

1. The context's words are weighted by inverse frequency, ``log(1 + 1/count)``; the
   question's content words are its words that aren't stopwords.
2. Every window of ``size`` consecutive words scores the summed weights of its words
   that are question content words (repeats count). The best window wins; the first
   of equals.
3. The answer: take the window's question words from the last to the first; for each,
   the run of words right after it, else right before it, up to the next question word
   or clause punctuation (``. ! ? ; ,``), without stopwords at either end, cut to the
   ``max_answer_words`` nearest the question word. The first such run is the answer
   (the last question word of the window, read left to right, is usually followed by
   what it asks about: "… was founded in 1891").
4. With no overlap at all, the context's first words; with nothing beside the overlap,
   the window's first words; a context with no words answers its text, trimmed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from nlpbench import Span

from .stopwords import STOPWORDS
from .words import Word, words

# punctuation between two words that ends a candidate answer
CLAUSE_BREAK = re.compile(r"[.!?;,]")

Run = tuple[int, int]  # word indices [first, last)


@dataclass(frozen=True)
class Window:
    """The best window: its first word, one past its last, and its score."""

    start: int
    end: int
    score: float


def find_answer(question: str, context: str, max_answer_words: int, window: int | None = None) -> Span:
    """The span of ``context`` that answers ``question``: ``context[start:end] == text``, and
    never empty when the context isn't. Its score is the best window's score.

    ``window`` is the window's length in words; by default the number of the question's
    content words plus ``max_answer_words``, room for the overlap and an answer.
    """
    found = words(context)
    if not found:
        return _whole(context)
    asked = {word.key for word in words(question)} - STOPWORDS
    size = min(window or len(asked) + max_answer_words, len(found))
    best = best_window(question_weights(found, asked), size)
    if best.score == 0:
        opening = (0, min(len(found), max_answer_words))
        return _span(context, found, trim(found, opening) or opening, 0.0)
    run = answer_run(context, found, asked, best, max_answer_words)
    return _span(context, found, run or (best.start, min(best.end, best.start + max_answer_words)), best.score)


def question_weights(found: Sequence[Word], asked: set[str]) -> list[float]:
    """Each word's inverse-frequency weight in the context if it is a question word, else 0."""
    counts = Counter(word.key for word in found)
    return [math.log1p(1 / counts[word.key]) if word.key in asked else 0.0 for word in found]


def best_window(weights: Sequence[float], size: int) -> Window:
    """The window of ``size`` words with the highest total weight; the first of equals."""
    total = sum(weights[:size])
    best = Window(0, size, total)
    for start in range(1, len(weights) - size + 1):
        total += weights[start + size - 1] - weights[start - 1]
        if total > best.score + 1e-9:  # rounding in the running sum must not move the answer
            best = Window(start, start + size, total)
    return best


def answer_run(context: str, found: Sequence[Word], asked: set[str], best: Window, limit: int) -> Run | None:
    """The words beside the window's question words, by rule 3 above; None if there are none."""
    for at in reversed(range(best.start, best.end)):
        if found[at].key not in asked:
            continue
        after = trim(found, _beside(context, found, asked, at, 1))
        if after:
            return (after[0], min(after[1], after[0] + limit))
        before = trim(found, _beside(context, found, asked, at, -1))
        if before:
            return (max(before[0], before[1] - limit), before[1])
    return None


def trim(found: Sequence[Word], run: Run) -> Run | None:
    """``run`` without stopwords at either end; None if nothing is left."""
    first, last = run
    while first < last and found[first].key in STOPWORDS:
        first += 1
    while last > first and found[last - 1].key in STOPWORDS:
        last -= 1
    return (first, last) if first < last else None


def _beside(context: str, found: Sequence[Word], asked: set[str], at: int, step: int) -> Run:
    """The words after (``step`` 1) or before (-1) word ``at``, up to a question word or a break."""
    edge = at
    while 0 <= edge + step < len(found) and found[edge + step].key not in asked:
        left, right = sorted((edge, edge + step))
        if CLAUSE_BREAK.search(context, found[left].end, found[right].start):
            break
        edge += step
    return (at + 1, edge + 1) if step == 1 else (edge, at)


def _span(context: str, found: Sequence[Word], run: Run, score: float) -> Span:
    start, end = found[run[0]].start, found[run[1] - 1].end
    return Span(context[start:end], start, end, score)


def _whole(context: str) -> Span:
    """A context with no words: its text without surrounding whitespace, or all of it if blank."""
    stripped = context.strip()
    if not stripped:
        return Span(context, 0, len(context), 0.0)
    start = context.index(stripped)
    return Span(stripped, start, start + len(stripped), 0.0)
