"""The ROUGE metrics: options, inputs, statistics and aggregates, against rouge-score."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from rouge_score import rouge_scorer

from nlpbench import ConfigError, MetricError
from nlpbench_metrics import Rouge1Metric, Rouge2Metric, RougeLMetric, RougeLsumMetric, RougeMetric
from nlpbench_metrics.sentences import one_sentence_per_line

METRICS: list[type[RougeMetric]] = [Rouge1Metric, Rouge2Metric, RougeLMetric, RougeLsumMetric]


def synthetic_texts(count: int, seed: int) -> tuple[list[str], list[str]]:
    """Made-up summaries and references with repeated, inflected words and several sentences."""
    rng = random.Random(seed)
    words = ["report", "reports", "reported", "reporting", "the", "a", "police", "said", "two", "men", "cats", "cat"]

    def text() -> str:
        sentences = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 9))) for _ in range(rng.randint(1, 4))]
        return rng.choice([". ", " . ", "! "]).join(sentences) + "."

    return [text() for _ in range(count)], [text() for _ in range(count)]


def reference_scores(rouge_type: str, stemming: bool, predictions: list[str], references: list[str]) -> np.ndarray:
    scorer = rouge_scorer.RougeScorer([rouge_type], use_stemmer=stemming)
    scores = [scorer.score(target=r, prediction=p)[rouge_type] for p, r in zip(predictions, references, strict=True)]
    return np.array([[s.precision, s.recall, s.fmeasure] for s in scores])


@pytest.mark.parametrize("metric_class", METRICS)
@pytest.mark.parametrize("stemming", [True, False])
def test_equals_rouge_score_on_synthetic_texts(metric_class: type[RougeMetric], stemming: bool) -> None:
    predictions, references = synthetic_texts(60, seed=5)
    metric = metric_class(stemming=stemming)  # ROUGE-Lsum by default: the text as given
    stats = metric.stats(predictions, [(r,) for r in references])
    expected = reference_scores(metric_class.rouge_type, stemming, predictions, references)
    assert np.array_equal(stats, expected)
    assert metric.aggregate(stats) == pytest.approx(expected[:, 2].mean(), abs=1e-12)


def test_rouge_lsum_can_split_sentences_before_rouge_score_sees_them() -> None:
    predictions, references = synthetic_texts(40, seed=6)
    metric = RougeLsumMetric(split_sentences="regex")
    stats = metric.stats(predictions, [(r,) for r in references])
    split = reference_scores(
        "rougeLsum",
        True,
        [one_sentence_per_line(p) for p in predictions],
        [one_sentence_per_line(r) for r in references],
    )
    assert np.array_equal(stats, split)
    unsplit = reference_scores("rougeLsum", True, predictions, references)
    assert not np.array_equal(stats, unsplit)  # without sentences, ROUGE-Lsum is ROUGE-L


def test_rouge_lsum_keeps_the_lines_it_is_given() -> None:
    prediction, reference = "the cat sat. on the mat\nit slept", "the cat sat on the mat.\nIt slept. Well"
    stats = RougeLsumMetric().stats([prediction], [(reference,)])
    scorer = rouge_scorer.RougeScorer(["rougeLsum"], use_stemmer=True)
    score = scorer.score(target=reference, prediction=prediction)["rougeLsum"]
    assert stats.tolist() == [[score.precision, score.recall, score.fmeasure]]


@pytest.mark.parametrize("metric_class", METRICS)
def test_several_references_take_the_best_f_measure_as_rouge_score_does(metric_class: type[RougeMetric]) -> None:
    predictions, references = synthetic_texts(40, seed=7)
    extra, _ = synthetic_texts(40, seed=8)
    refs = [(a, b, a) for a, b in zip(references, extra, strict=True)]  # a repeat: ties go to the first
    metric = metric_class()
    stats = metric.stats(predictions, refs)
    scorer = rouge_scorer.RougeScorer([metric.rouge_type], use_stemmer=True)
    for row, prediction, targets in zip(stats, predictions, refs, strict=True):
        best = scorer.score_multi([metric.prepare(t) for t in targets], metric.prepare(prediction))[metric.rouge_type]
        assert row.tolist() == [best.precision, best.recall, best.fmeasure]


def test_the_chosen_reference_gives_all_three_measures() -> None:
    # the second reference has the better F-measure, though the first has the better recall
    prediction = "police arrested two men"
    refs = ("police arrested two men on monday after a long chase through town", "police arrested three men")
    stats = Rouge1Metric().stats([prediction], [refs])
    assert stats.tolist() == [[0.75, 0.75, 0.75]]


@pytest.mark.parametrize("metric_class", METRICS)
def test_no_answer_scores_zero(metric_class: type[RougeMetric]) -> None:
    metric = metric_class()
    stats = metric.stats([None, "the cat sat"], [("the cat sat",), ("the cat sat",)])
    assert stats[0].tolist() == [0.0, 0.0, 0.0]
    assert stats[1].tolist() == [1.0, 1.0, 1.0]
    assert metric.aggregate(stats) == 0.5


@pytest.mark.parametrize("measure", ["precision", "recall", "fmeasure"])
def test_measure_picks_the_column(measure: str) -> None:
    metric = Rouge1Metric(measure=measure)
    stats = metric.stats(["the cat", "a dog barked at the cat"], [("the cat sat",), ("the dog barked",)])
    column = ["precision", "recall", "fmeasure"].index(measure)
    assert metric.aggregate(stats) == pytest.approx(stats[:, column].mean(), abs=1e-15)
    assert [metric.example_score(row) for row in stats] == stats[:, column].tolist()


def test_stemming_is_on_by_default_and_can_be_turned_off() -> None:
    prediction, refs = ["the cats were sitting"], [("the cat sat",)]
    assert Rouge1Metric().stats(prediction, refs)[0, 2] > Rouge1Metric(stemming=False).stats(prediction, refs)[0, 2]
    assert Rouge1Metric().stemming is True


def test_aggregate_is_the_plain_mean_of_the_examples() -> None:
    predictions, references = synthetic_texts(30, seed=9)
    metric = RougeLMetric()
    stats = metric.stats(predictions, [(r,) for r in references])
    assert metric.aggregate(stats) == float(np.mean(stats[:, 2]))
    assert np.isnan(metric.aggregate(np.zeros((0, 3))))


@pytest.mark.parametrize("metric_class", METRICS)
def test_fast_path_equals_aggregate_on_each_resample(metric_class: type[RougeMetric]) -> None:
    predictions, references = synthetic_texts(50, seed=10)
    metric = metric_class(measure="recall")
    stats = metric.stats(predictions, [(r,) for r in references])
    indices = np.random.default_rng(0).integers(0, len(stats), size=(200, len(stats)))
    fast = metric.aggregate_resamples(stats, indices)
    slow = np.array([metric.aggregate(stats[row]) for row in indices])
    assert np.allclose(fast, slow, rtol=0, atol=1e-12)
    assert np.isnan(metric.aggregate_resamples(np.zeros((0, 3)), np.zeros((4, 0), dtype=np.int64))).all()


def test_describe_records_the_settings() -> None:
    assert Rouge2Metric(stemming=False, measure="recall").describe() == {
        "stemming": False,
        "measure": "recall",
        "implementation": "rouge-score 0.1.2",
        "tokenizer": "rouge-score default (lowercased; runs of characters other than a-z and 0-9 split words)",
    }
    described = RougeLsumMetric().describe()
    assert described["split_sentences"] == "newline" and described["sentences"].startswith("one per line, as given")
    assert described["stemming"] is True and described["measure"] == "fmeasure"


@pytest.mark.parametrize(
    ("metric_class", "options", "message"),
    [
        (Rouge1Metric, {"stemmer": True}, "stemmer: unknown option; known: stemming, measure"),
        (Rouge1Metric, {"stemming": "yes"}, "stemming: must be true or false, not 'yes'"),
        (Rouge1Metric, {"measure": "f1"}, "measure: must be 'precision', 'recall' or 'fmeasure', not 'f1'"),
        (Rouge1Metric, {"split_sentences": "nltk"}, "split_sentences: unknown option"),
        # (true and false, the option's old flag form, still read as regex and newline)
        (
            RougeLsumMetric,
            {"split_sentences": "lines"},
            "split_sentences: must be 'newline', 'nltk' or 'regex', not 'lines'",
        ),
    ],
)
def test_bad_options(metric_class: type[RougeMetric], options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        metric_class(**options)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("predictions", "references", "message"),
    [
        (["a"], [("a",), ("b",)], "1 predictions but 2 references"),
        (["a"], [()], "example 0: references must be a non-empty list of texts"),
        (["a"], ["a"], "example 0: references must be a non-empty list of texts"),
        (["a"], [(None,)], "example 0: a reference must be text, got NoneType"),
        ([3], [("a",)], "example 0: the prediction must be text, got int"),
    ],
)
def test_bad_inputs(predictions: list[Any], references: list[Any], message: str) -> None:
    with pytest.raises(MetricError, match=message):
        Rouge1Metric().stats(predictions, references)


def test_tokens_are_shared_between_the_metrics_and_stay_exact() -> None:
    # the four metrics share one cache of tokens; scoring in any order gives the same rows
    predictions, references = synthetic_texts(20, seed=11)
    refs = [(r,) for r in references]
    first = [m().stats(predictions, refs) for m in METRICS]
    second = [m().stats(predictions, refs) for m in reversed(METRICS)][::-1]
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
