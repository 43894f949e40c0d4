"""distinct-1, distinct-2 and reply-words, by hand; and distinct-n's statistics, which
score any resample of replies exactly as the resampled replies themselves."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from nlpbench import ConfigError, MetricError
from nlpbench_dialogue import Distinct1Metric, Distinct2Metric, ReplyWordsMetric

REPLIES = ["I am not sure.", "I am not sure about that.", "Sounds good to me."]


def score(metric: Any, replies: list[Any]) -> float:
    return float(metric.aggregate(metric.stats(replies, [["ref"]] * len(replies))))


def test_distinct_n_by_hand() -> None:
    # words: i am not sure | i am not sure about that | sounds good to me: 14 words, 10 distinct;
    # 11 bigrams, of which "i am", "am not", "not sure" repeat: 8 distinct
    assert score(Distinct1Metric(), REPLIES) == pytest.approx(10 / 14)
    assert score(Distinct2Metric(), REPLIES) == pytest.approx(8 / 11)
    assert score(Distinct1Metric(), ["the the the"]) == pytest.approx(1 / 3)
    assert score(Distinct2Metric(), ["Yes", "no"]) == 0.0  # no bigram at all: no variety
    assert score(Distinct1Metric(), [None, "", "Hi"]) == 1.0  # no answer is an empty reply


def test_distinct_n_options() -> None:
    replies = ["Yes. Yes!", "yes?"]
    assert score(Distinct1Metric(), replies) == pytest.approx(1 / 3)
    assert score(Distinct1Metric(lowercase=False), replies) == pytest.approx(2 / 3)
    assert score(Distinct1Metric(punctuation=True), replies) == pytest.approx(4 / 6)  # yes . yes ! yes ?
    assert score(Distinct1Metric(), ["don't do it", "don’t"]) == pytest.approx(4 / 4)  # one word each, two apostrophes
    with pytest.raises(ConfigError, match="lowercse"):
        Distinct1Metric(lowercse=True)


def test_distinct_statistics_are_each_replys_share_of_the_distinct_n_grams() -> None:
    metric = Distinct2Metric()
    replies = ["I am not sure.", "Sounds good to me.", "I am sure it is good to me.", "Not sure."]
    stats = metric.stats(replies, [["r"]] * len(replies))
    # bigrams: (i am, am not, not sure) | (sounds good, good to, to me) |
    # (i am, am sure, sure it, it is, is good, good to, to me) | (not sure)
    # shared: "i am" by replies 1 and 3, "not sure" by 1 and 4, "good to" and "to me" by 2 and 3
    assert stats.tolist() == [
        [3, 1 / 2 + 1 + 1 / 2],
        [3, 1 + 1 / 2 + 1 / 2],
        [7, 1 / 2 + 4 + 1 / 2 + 1 / 2],
        [1, 1 / 2],
    ]
    assert metric.aggregate(stats) == pytest.approx(10 / 14)  # exactly distinct-2: 10 distinct of 14
    assert metric.aggregate(stats) == pytest.approx(score(Distinct2Metric(), replies))
    rng = np.random.default_rng(3)
    indices = rng.integers(0, len(replies), size=(50, len(replies)))
    fast = metric.aggregate_resamples(stats, indices)
    assert fast == pytest.approx([metric.aggregate(stats[row]) for row in indices])
    # a resample scores its replies' shares: centred on the score, not below it as the
    # exact distinct-n of resampled replies (a reply drawn twice brings no new bigram) is
    many = metric.aggregate_resamples(stats, rng.integers(0, len(replies), size=(4000, len(replies))))
    assert abs(float(np.median(many)) - 10 / 14) < 0.03
    assert metric.aggregate(stats[[1, 2]]) == pytest.approx((2 + 5.5) / 10)  # a group: its share per bigram
    assert np.isnan(metric.aggregate(stats[:0]))
    with pytest.raises(MetricError, match=r"expected statistics of shape \(n, 2\), got \(4, 3\)"):
        metric.aggregate(np.zeros((4, 3)))


def test_reply_words_by_hand() -> None:
    metric = ReplyWordsMetric()
    assert score(metric, REPLIES) == pytest.approx(14 / 3)
    stats = metric.stats(["one two  three\nfour", None, {"text": "x", "answer": "a b"}], [["r"]] * 3)
    assert stats[:, 0].tolist() == [4.0, 0.0, 2.0]
    indices = np.array([[0, 0, 2], [1, 1, 1]])
    assert metric.aggregate_resamples(stats, indices).tolist() == pytest.approx([10 / 3, 0.0])


def test_a_prediction_that_is_no_text_is_a_metric_error() -> None:
    with pytest.raises(MetricError, match=r"^example 1: a reply must be a string or None, not int$"):
        Distinct1Metric().stats(["fine", 3], [["r"], ["r"]])
    with pytest.raises(MetricError, match=r"^2 predictions but 1 references$"):
        ReplyWordsMetric().stats(["a", "b"], [["r"]])
