"""One summary against its references, scored as rouge-score 0.1.2's ``RougeScorer`` does.

``score`` is ``RougeScorer([rouge_type], use_stemmer).score(target, prediction)`` and
``score_multi`` its ``score_multi(targets, prediction)``: the same tokens (from
rouge-score's own tokenizer), the same counting and the same divisions, so the same
floats. The LCS kernel is faster (see :mod:`nlpbench_metrics.lcs`); the n-gram
counting is rouge-score's ``_create_ngrams`` and ``_score_ngrams``.
"""

from __future__ import annotations

import collections
from collections.abc import Sequence

from .lcs import Tokens, Triple, fmeasure, score_lcs, summary_level_lcs
from .rouge_tokens import CachedTokenizer

#: The rouge-score types computed here, by their rouge-score names.
ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


def score(rouge_type: str, tokenizer: CachedTokenizer, target: str, prediction: str) -> Triple:
    """(precision, recall, fmeasure) of ``prediction`` against ``target``."""
    if rouge_type == "rougeLsum":
        # rouge-score reads one sentence per line; empty lines are dropped
        target_sentences = [tokenizer.tokenize(s) for s in target.split("\n") if len(s)]
        prediction_sentences = [tokenizer.tokenize(s) for s in prediction.split("\n") if len(s)]
        return summary_level_lcs(target_sentences, prediction_sentences)
    target_tokens = tokenizer.tokenize(target)
    prediction_tokens = tokenizer.tokenize(prediction)
    if rouge_type == "rougeL":
        return score_lcs(target_tokens, prediction_tokens)
    if rouge_type in ("rouge1", "rouge2"):
        n = int(rouge_type[5:])
        return _score_ngrams(_ngrams(target_tokens, n), _ngrams(prediction_tokens, n))
    raise ValueError(f"unknown rouge type {rouge_type!r} (known: {', '.join(ROUGE_TYPES)})")


def score_multi(rouge_type: str, tokenizer: CachedTokenizer, targets: Sequence[str], prediction: str) -> Triple:
    """The score against the target with the highest F-measure (the first, on a tie)."""
    scores = [score(rouge_type, tokenizer, target, prediction) for target in targets]
    best = max(range(len(scores)), key=lambda i: scores[i][2])  # np.argmax's choice: the first maximum
    return scores[best]


def _ngrams(tokens: Tokens, n: int) -> collections.Counter[tuple[str, ...]]:
    return collections.Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _score_ngrams(
    target_ngrams: collections.Counter[tuple[str, ...]], prediction_ngrams: collections.Counter[tuple[str, ...]]
) -> Triple:
    intersection_ngrams_count = 0
    for ngram in target_ngrams:
        intersection_ngrams_count += min(target_ngrams[ngram], prediction_ngrams[ngram])
    target_ngrams_count = sum(target_ngrams.values())
    prediction_ngrams_count = sum(prediction_ngrams.values())
    precision = intersection_ngrams_count / max(prediction_ngrams_count, 1)
    recall = intersection_ngrams_count / max(target_ngrams_count, 1)
    return (precision, recall, fmeasure(precision, recall))
