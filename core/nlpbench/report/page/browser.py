"""The example browser's data: per task, each model's embedded examples, without the
per-example values of corpus-level metrics.

A metric whose score exists only for a whole corpus (MCC, BLEU, perplexity) declares
``corpus_only``; the runner writes it into each score (``"corpus_only": true``). Its
value for one example (an MCC of 1.000) means nothing, so the browser leaves it out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nlpbench.report.leaderboard import Board

if TYPE_CHECKING:
    from nlpbench.report.html import Samples


def corpus_only_metrics(board: Board) -> set[str]:
    """The metrics of a task that some cell's score marks as corpus-only."""
    return {
        name
        for cell in board.rows
        for name, score in (cell.get("metrics") or {}).items()
        if isinstance(score, Mapping) and score.get("corpus_only") is True
    }


def _without(example: Mapping[str, Any], hidden: set[str]) -> Mapping[str, Any]:
    if not hidden:
        return example
    scores = example.get("scores") or {}
    return {**example, "scores": {k: v for k, v in scores.items() if k not in hidden}}


@dataclass(frozen=True)
class Browser:
    data: Mapping[str, Any]
    notes: tuple[str, ...]


def browser(all_boards: Sequence[Board], samples: Samples) -> Browser:
    tasks = []
    hidden_anywhere: set[str] = set()
    for board in all_boards:
        hidden = corpus_only_metrics(board)
        cells = [
            {
                "model": c["model"],
                "total": samples.totals.get((c["model"], board.task), 0),
                "examples": [_without(example, hidden) for example in examples],
            }
            for c in board.rows
            if (examples := samples.cells.get((c["model"], board.task))) is not None
        ]
        if cells:
            tasks.append({"task": board.task, "cells": cells})
            hidden_anywhere |= hidden
    notes = []
    if not samples.found:
        notes.append("This run has no samples.jsonl, so there are no examples to show.")
    if samples.truncated:
        notes.append(
            f"Truncated: this report embeds at most {samples.max_examples} examples per model and task; "
            f"{len(samples.truncated)} of {len(samples.totals)} model × task cells have more "
            "(samples.jsonl has them all; `nlpbench report RUN` regenerates this page)."
        )
    if hidden_anywhere:
        notes.append(
            f"Per-example values of corpus-level metrics ({', '.join(sorted(hidden_anywhere))}) are not shown: "
            "their score exists only for a whole set of examples."
        )
    if samples.audit_lines:
        notes.append(f"{samples.audit_lines} audit lines of samples.jsonl are not shown here.")
    if samples.unreadable:
        notes.append(f"{samples.unreadable} lines of samples.jsonl could not be read and were skipped.")
    return Browser({"max_examples": samples.max_examples, "tasks": tasks}, tuple(notes))
