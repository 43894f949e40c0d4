"""Checks of one split on its own: empty and whitespace-only fields, references equal
to their input, label balance (with the accuracy of always answering the majority
label), and the length of inputs in words and in a model's tokens."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from nlpbench import Example

from .findings import finding, not_computed
from .text import input_text, normalise, text_of

#: At most this many distinct single references make a task classification-like when it names no labels.
MAX_INFERRED_LABELS = 20


def _blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


def empty_fields(examples: Sequence[Example], max_ids: int) -> list[dict[str, Any]]:
    """Per field, the share of examples where it is empty or whitespace only: ``input``
    (the whole input; for a mapping input, also each of its string fields ``input.KEY``)
    and ``references`` (none at all, or a blank string among them)."""
    flagged: dict[str, list[str]] = {"input": [], "references": []}
    for example in examples:
        if not input_text(example).strip():
            flagged["input"].append(example.id)
        if isinstance(example.input, dict):
            for key, value in example.input.items():
                ids = flagged.setdefault(f"input.{key}", [])
                if _blank(value) or value is None:
                    ids.append(example.id)
        if not example.references or any(_blank(r) for r in example.references):
            flagged["references"].append(example.id)
    n = len(examples)
    return [finding("empty-fields", name, len(ids) / n, n, ids=ids, max_ids=max_ids) for name, ids in flagged.items()]


def references_equal_input(examples: Sequence[Example], max_ids: int) -> dict[str, Any]:
    """The share of examples with a string reference equal (normalised) to their input:
    a model that copies its input scores on them."""
    ids = []
    for example in examples:
        text = normalise(input_text(example))
        if text and any(isinstance(r, str) and normalise(r) == text for r in example.references):
            ids.append(example.id)
    return finding("reference-equals-input", "share", len(ids) / len(examples), len(examples), ids=ids, max_ids=max_ids)


def label_balance(examples: Sequence[Example], labels: Sequence[str] | None, max_ids: int) -> list[dict[str, Any]]:
    """Each label's share (group: the label) and the majority-class accuracy it implies.
    Labels are the task's ``labels``, else inferred: every example with one reference,
    at most :data:`MAX_INFERRED_LABELS` distinct, fewer than half the examples."""
    n = len(examples)
    firsts = [text_of(e.references[0]) if e.references else None for e in examples]
    names: list[str]
    if labels is None:
        distinct = set(firsts)
        single = all(len(e.references) == 1 for e in examples)
        if not single or None in distinct or len(distinct) > MAX_INFERRED_LABELS or len(distinct) * 2 > n:
            why = "not a classification task (no labels, and the references are not a few single labels)"
            return [not_computed("label-balance", "share", n, why)]
        names = sorted(str(label) for label in distinct)
    else:
        names = list(labels)
    counts = Counter(firsts)
    shown: dict[str, Any] = {"labels": "inferred from the references"} if labels is None else {}
    entries = [
        finding("label-balance", "share", counts.get(label, 0) / n, n, group=label, count=counts.get(label, 0),
                **shown)
        for label in names
    ]  # fmt: skip
    outside = n - sum(counts.get(label, 0) for label in names)
    majority = max(names, key=lambda label: counts.get(label, 0))
    extra: dict[str, Any] = {"n_labels": len(names), **({"n_unlisted": outside} if outside else {})}
    entries.append(
        finding("label-balance", "majority-class accuracy", counts.get(majority, 0) / n, n, group=majority, **extra)
    )
    return entries


def spread(lengths: Sequence[int]) -> dict[str, Any]:
    """min, median (the value), p95 (nearest rank), max and mean."""
    ordered = sorted(lengths)
    p95 = ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]
    return {
        "value": float(statistics.median(ordered)), "min": ordered[0], "p95": p95, "max": ordered[-1],
        "mean": statistics.fmean(ordered),
    }  # fmt: skip


def word_lengths(examples: Sequence[Example]) -> dict[str, Any]:
    lengths = [len(normalise(input_text(e)).split()) for e in examples]
    return {"check": "length", "group": None, "measure": "words", "n": len(examples), **spread(lengths), "reason": None}


def token_lengths(examples: Sequence[Example], model: str, count: Callable[[str], int]) -> dict[str, Any]:
    lengths = [count(input_text(e)) for e in examples]
    return {"check": "length", "group": model, "measure": "tokens", "n": len(examples), **spread(lengths),
            "reason": None}  # fmt: skip
