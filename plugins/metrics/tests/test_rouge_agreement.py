"""ROUGE on the real CNN/DailyMail system summaries equals rouge-score's, value for value.

The FRANK sample in ../shared/data holds 250 CNN/DailyMail test articles, each with
its reference highlights and the summaries of five systems. For every system, with
stemming on and off, each of our four metrics must give rouge-score's precision,
recall and F-measure for every summary, and rouge-score's mean, to 1e-12.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rouge_score import rouge_scorer

from nlpbench_metrics import Rouge1Metric, Rouge2Metric, RougeLMetric, RougeLsumMetric, RougeMetric
from nlpbench_metrics.sentences import one_sentence_per_line

SYSTEMS = ["bart", "bert_sum", "bus", "pgn", "s2s"]
METRICS: list[type[RougeMetric]] = [Rouge1Metric, Rouge2Metric, RougeLMetric, RougeLsumMetric]
TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]


@pytest.fixture(scope="module")
def cnndm(nlpbench_shared_data: Path) -> list[dict[str, Any]]:
    path = nlpbench_shared_data / "summarization_cnndm_frank" / "cnndm_test_frank.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def rouge_score_rows(predictions: list[str], references: list[str], stemming: bool) -> dict[str, np.ndarray]:
    """rouge-score's [precision, recall, fmeasure] per summary, for each type."""
    scorer = rouge_scorer.RougeScorer(TYPES, use_stemmer=stemming)
    scores = [scorer.score(target=r, prediction=p) for p, r in zip(predictions, references, strict=True)]
    return {t: np.array([[s[t].precision, s[t].recall, s[t].fmeasure] for s in scores]) for t in TYPES}


def assert_agrees(metric: RougeMetric, stats: np.ndarray, expected: np.ndarray) -> None:
    assert stats.shape == expected.shape
    assert np.abs(stats - expected).max() <= 1e-12
    for measure, column in (("precision", 0), ("recall", 1), ("fmeasure", 2)):
        chosen = type(metric)(stemming=metric.stemming, measure=measure)
        assert abs(chosen.aggregate(stats) - expected[:, column].mean()) <= 1e-12


@pytest.mark.slow  # rouge-score itself takes a second or two per system
@pytest.mark.parametrize("stemming", [True, False], ids=["stemming", "no-stemming"])
@pytest.mark.parametrize("system", SYSTEMS)
def test_every_summary_equals_rouge_score(cnndm: list[dict[str, Any]], system: str, stemming: bool) -> None:
    predictions = [row["system_summaries"][system] for row in cnndm]
    references = [row["highlights"] for row in cnndm]
    refs = [(r,) for r in references]
    expected = rouge_score_rows(predictions, references, stemming)
    for metric_class, rouge_type in zip(METRICS[:3], TYPES[:3], strict=True):
        metric = metric_class(stemming=stemming)
        assert_agrees(metric, metric.stats(predictions, refs), expected[rouge_type])
    # ROUGE-Lsum as given (the highlights have no newlines: one sentence each) ...
    as_given = RougeLsumMetric(stemming=stemming)  # the default: rouge-score on the text as given
    assert_agrees(as_given, as_given.stats(predictions, refs), expected["rougeLsum"])
    # ... and split into sentences first, which rouge-score is then given one per line
    split = RougeLsumMetric(stemming=stemming, split_sentences="regex")
    scorer = rouge_scorer.RougeScorer(["rougeLsum"], use_stemmer=stemming)
    lines = [
        scorer.score(target=one_sentence_per_line(r), prediction=one_sentence_per_line(p))["rougeLsum"]
        for p, r in zip(predictions, references, strict=True)
    ]
    assert_agrees(split, split.stats(predictions, refs), np.array([[s.precision, s.recall, s.fmeasure] for s in lines]))


@pytest.mark.slow
def test_several_references_equal_rouge_score_multi(cnndm: list[dict[str, Any]]) -> None:
    # the highlights and another system's summary as references of bart's summaries (the
    # first 100 articles: rouge-score is slow)
    predictions = [row["system_summaries"]["bart"] for row in cnndm[:100]]
    refs = [(row["highlights"], row["system_summaries"]["pgn"]) for row in cnndm[:100]]
    for metric_class, rouge_type in zip(METRICS, TYPES, strict=True):
        metric = metric_class()
        scorer = rouge_scorer.RougeScorer([rouge_type], use_stemmer=True)
        best = [scorer.score_multi(list(targets), p)[rouge_type] for p, targets in zip(predictions, refs, strict=True)]
        expected = np.array([[s.precision, s.recall, s.fmeasure] for s in best])
        assert_agrees(metric, metric.stats(predictions, refs), expected)
