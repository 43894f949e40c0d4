"""Exact duplicates (the same normalised input) and near duplicates (word-shingle
Jaccard similarity at or above a threshold, candidates found by MinHash LSH and each
confirmed on the exact shingle sets), inside the test set and between test and train.

Memory: a 16-byte digest and a MinHash signature (``num_perm`` integers) per example,
whatever its length; the LSH index holds the signatures of one split."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from nlpbench import Example

from .text import digest, input_text, jaccard, normalise, shingles


@dataclass(frozen=True)
class NearSettings:
    threshold: float
    shingle_size: int
    num_perm: int


def _signature(pieces: set[str], num_perm: int) -> Any:
    from datasketch import MinHash  # type: ignore[import-untyped]  # imported when a check runs, not on listing

    signature = MinHash(num_perm=num_perm, seed=1)
    signature.update_batch([piece.encode("utf-8") for piece in sorted(pieces)])
    return signature


def _index(num_perm: int, threshold: float) -> Any:
    from datasketch import MinHashLSH

    return MinHashLSH(threshold=threshold, num_perm=num_perm)


def exact_groups(examples: Sequence[Example]) -> list[list[int]]:
    """Groups (two or more, in data order) of examples with the same non-empty normalised input."""
    groups: dict[bytes, list[int]] = {}
    for index, example in enumerate(examples):
        text = normalise(input_text(example))
        if text:
            groups.setdefault(digest(text), []).append(index)
    return [members for members in groups.values() if len(members) > 1]


def _pieces(example: Example, size: int) -> tuple[str, set[str]]:
    text = normalise(input_text(example))
    return text, shingles(text.split(), size)


def near_pairs(examples: Sequence[Example], settings: NearSettings) -> list[tuple[int, int, float]]:
    """(earlier, later, Jaccard) of test examples that are near but not exact duplicates."""
    index = _index(settings.num_perm, settings.threshold)
    pairs = []
    for position, example in enumerate(examples):
        text, pieces = _pieces(example, settings.shingle_size)
        if not pieces:
            continue
        signature = _signature(pieces, settings.num_perm)
        for other in sorted(index.query(signature)):
            other_text, other_pieces = _pieces(examples[other], settings.shingle_size)
            similarity = jaccard(pieces, other_pieces)
            if other_text != text and similarity >= settings.threshold:
                pairs.append((other, position, similarity))
        index.insert(position, signature)
    return pairs


def train_overlap(
    test: Sequence[Example], train: Sequence[Example], settings: NearSettings | None
) -> tuple[list[tuple[int, int]], list[tuple[int, int, float]]]:
    """Test examples whose input is a train example's (exact: (test, train)) or near one
    (near: (test, train, Jaccard), not counting exact matches). ``settings`` None: exact only."""
    seen: dict[bytes, int] = {}
    index = _index(settings.num_perm, settings.threshold) if settings is not None else None
    for position, example in enumerate(train):
        text, pieces = _pieces(example, settings.shingle_size if settings else 1)
        if text:
            seen.setdefault(digest(text), position)
        if index is not None and settings is not None and pieces:
            index.insert(position, _signature(pieces, settings.num_perm))
    exact, near = [], []
    for position, example in enumerate(test):
        text, pieces = _pieces(example, settings.shingle_size if settings else 1)
        if not text:
            continue
        match = seen.get(digest(text))
        if match is not None:
            exact.append((position, match))
            continue
        if index is None or settings is None or not pieces:
            continue
        candidates = index.query(_signature(pieces, settings.num_perm))
        # the most similar train example; of equals, the first
        best = max(_similar(train, candidates, pieces, settings), key=lambda s: (s[0], -s[1]), default=None)
        if best is not None:
            near.append((position, best[1], best[0]))
    return exact, near


def _similar(
    train: Sequence[Example], candidates: Any, pieces: set[str], settings: NearSettings
) -> Iterator[tuple[float, int]]:
    for other in sorted(candidates):
        similarity = jaccard(pieces, _pieces(train[other], settings.shingle_size)[1])
        if similarity >= settings.threshold:
            yield similarity, other
