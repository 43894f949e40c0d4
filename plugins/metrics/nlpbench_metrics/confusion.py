"""Confusion matrices of many bootstrap resamples at once, and the scores read off them.

The runner's bootstrap asks for ~1000 resamples per metric; calling scikit-learn on
each costs about a millisecond of input validation apiece. Counting every resample's
confusion matrix with one ``bincount`` and scoring with array arithmetic is ~100x
faster. Each formula mirrors scikit-learn's own, so the two paths agree to rounding.

A confusion array has shape ``(B, K, K)``: resample, reference index, prediction
index. The last index ``K - 1`` stands for "no answer" (None); no reference has it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from nlpbench import StatsArray

from .vocabulary import NO_ANSWER

Counts = npt.NDArray[np.int64]
Scores = npt.NDArray[np.float64]

#: Index values per block: bounds memory (8 bytes each, a few arrays) on big tasks.
BLOCK_ELEMENTS = 4_000_000


def encoded(stats: StatsArray) -> tuple[Counts, Counts, int]:
    """References, predictions (no answer moved to the last index) and K, from ``stats``."""
    predictions = stats[:, 0].astype(np.int64)
    references = stats[:, 1].astype(np.int64)
    highest = int(max(predictions.max(initial=0), references.max(initial=0)))
    size = highest + 2  # every label index, plus one slot for "no answer"
    predictions = np.where(predictions == NO_ANSWER, size - 1, predictions)
    return references, predictions, size


def confusion_matrices(stats: StatsArray, indices: npt.NDArray[np.integer]) -> Counts:
    """The confusion matrix of each resample: ``indices`` has one row of example indices each."""
    references, predictions, size = encoded(stats)
    resamples, n = indices.shape
    counts = np.empty((resamples, size, size), dtype=np.int64)
    block = max(1, BLOCK_ELEMENTS // max(n, 1))
    for start in range(0, resamples, block):
        rows = indices[start : start + block]
        offsets = np.arange(len(rows), dtype=np.int64)[:, None] * size * size
        cells = offsets + references[rows] * size + predictions[rows]
        counts[start : start + len(rows)] = np.bincount(cells.ravel(), minlength=len(rows) * size * size).reshape(
            len(rows), size, size
        )
    return counts


def _divide(numerator: Scores, denominator: Scores) -> Scores:
    """``numerator / denominator``, 0 where the denominator is 0 (scikit-learn's zero_division=0)."""
    safe = np.where(denominator == 0, 1.0, denominator)
    return np.where(denominator == 0, 0.0, numerator / safe)


def accuracy(counts: Counts) -> Scores:
    """Share of examples on the diagonal."""
    correct = np.trace(counts, axis1=1, axis2=2).astype(np.float64)
    return _divide(correct, counts.sum(axis=(1, 2)).astype(np.float64))


def per_label(counts: Counts) -> tuple[Scores, Scores, Scores, npt.NDArray[np.bool_]]:
    """True positives, predicted and true counts per real label, and which labels occur.

    The "no answer" column is dropped: it is not a label, so it never enters an
    average, but an example it took still counts against its reference's recall.
    """
    labels = counts[:, :-1, :-1]
    tp = np.diagonal(labels, axis1=1, axis2=2).astype(np.float64)
    predicted = counts[:, :-1, :-1].sum(axis=1).astype(np.float64)
    true = counts[:, :-1, :].sum(axis=2).astype(np.float64)
    present = (predicted + true) > 0
    return tp, predicted, true, present


def averaged(
    numerator: Scores, denominator: Scores, true: Scores, present: npt.NDArray[np.bool_], average: str
) -> Scores:
    """Average per-label ratios over the labels that occur in each resample."""
    if average == "micro":
        return _divide((numerator * present).sum(axis=1), (denominator * present).sum(axis=1))
    scores = _divide(numerator, denominator) * present
    if average == "weighted":
        return _divide((scores * true).sum(axis=1), (true * present).sum(axis=1))
    return _divide(scores.sum(axis=1), present.sum(axis=1).astype(np.float64))


def single_label(numerator: Scores, denominator: Scores, label: int) -> Scores:
    """The ratio for one label (binary averaging): 0 where that label never occurs."""
    if label >= numerator.shape[1]:
        return np.zeros(numerator.shape[0], dtype=np.float64)
    return _divide(numerator[:, label], denominator[:, label])


def matthews(counts: Counts) -> Scores:
    """Matthews correlation per resample, by scikit-learn's multiclass formula (0 when undefined)."""
    t_sum = counts.sum(axis=2, dtype=np.float64)
    p_sum = counts.sum(axis=1, dtype=np.float64)
    n_correct = np.trace(counts, axis1=1, axis2=2).astype(np.float64)
    n_samples = p_sum.sum(axis=1)
    cov_ytyp = n_correct * n_samples - np.einsum("bk,bk->b", t_sum, p_sum)
    cov_ypyp = n_samples**2 - np.einsum("bk,bk->b", p_sum, p_sum)
    cov_ytyt = n_samples**2 - np.einsum("bk,bk->b", t_sum, t_sum)
    product = cov_ypyp * cov_ytyt
    safe = np.where(product == 0, 1.0, product)
    return np.where(product == 0, 0.0, cov_ytyp / np.sqrt(safe))
