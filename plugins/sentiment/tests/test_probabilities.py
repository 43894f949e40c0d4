"""The label probabilities the sentiment task records beside each prediction (for the
bias audits' change in predicted probability): a classifier's own, renormalised over
the task's labels; a language model's, as the softmax of the label words' log-likelihoods;
none for strategies that give no probability."""

from __future__ import annotations

import math

import pytest

from nlpbench import Loglikelihood
from nlpbench_sentiment.strategies import probabilities

LABELS = ("negative", "positive")


def test_a_classifier_gives_its_own_probabilities_in_label_order() -> None:
    got = probabilities("classify", [{"positive": 0.7, "negative": 0.3}], LABELS)
    assert got == {"negative": pytest.approx(0.3), "positive": pytest.approx(0.7)}
    assert list(got or {}) == list(LABELS)


def test_a_classifier_with_more_outputs_is_renormalised_over_the_labels() -> None:
    got = probabilities("classify", [{"positive": 0.3, "negative": 0.1, "neutral": 0.6}], LABELS)
    assert got == {"negative": pytest.approx(0.25), "positive": pytest.approx(0.75)}


def test_a_classifier_that_gives_the_labels_no_probability_has_none() -> None:
    assert probabilities("classify", [{"positive": 0.0, "negative": 0.0}], LABELS) is None
    assert probabilities("classify", ["positive"], LABELS) is None


def test_loglikelihoods_become_a_softmax_over_the_label_words() -> None:
    got = probabilities("loglikelihood", [Loglikelihood(math.log(0.1)), Loglikelihood(math.log(0.3))], LABELS)
    assert got == {"negative": pytest.approx(0.25), "positive": pytest.approx(0.75)}
    # very unlikely words do not underflow to 0/0
    got = probabilities("loglikelihood", [Loglikelihood(-2000.0), Loglikelihood(-2001.0)], LABELS)
    assert got is not None and got["negative"] == pytest.approx(1 / (1 + math.exp(-1.0)))
    assert probabilities("loglikelihood", [Loglikelihood(-math.inf), Loglikelihood(-math.inf)], LABELS) is None


def test_generate_and_encode_give_no_probabilities() -> None:
    assert probabilities("generate", ["positive"], LABELS) is None
    assert probabilities("encode", [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], LABELS) is None
