"""The metrics of choice tasks and generated answers."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from nlpbench import ConfigError, MetricError, MetricNotComputed
from nlpbench.testing import assert_conformant
from nlpbench_tasks import plugin
from nlpbench_tasks.metrics.choice import AccMetric, AccMutualInfoMetric, AccNormMetric, Mc2Metric
from nlpbench_tasks.metrics.exact import ExactMatchMetric
from nlpbench_tasks.metrics.likelihood import TargetPerplexityMetric


def test_the_plugin_conforms() -> None:
    assert_conformant(plugin)


def _choice(lls: list[float], chars: list[int], **extra: Any) -> dict[str, Any]:
    return {
        "choice": int(np.argmax(lls)),
        "loglikelihoods": lls,
        "chars": chars,
        "bytes": chars,
        "tokens": [1] * len(lls),
        **extra,
    }


def test_acc_norm_divides_by_the_chosen_length() -> None:
    prediction = _choice([-4.0, -6.0], [2, 6], tokens=[2, 1])
    assert AccMetric().value(prediction, [0]) == 1.0
    assert AccNormMetric().value(prediction, [1]) == 1.0  # -2 vs -1 per character
    assert AccNormMetric(by="tokens").value(prediction, [0]) == 1.0  # -2 vs -6 per token
    with pytest.raises(ConfigError, match="by: must be 'chars', 'bytes' or 'tokens', not 'words'"):
        AccNormMetric(by="words")


@pytest.mark.parametrize(
    ("metric", "options", "message"),
    [
        (
            ExactMatchMetric,
            {"regexes_to_ignore": ["("]},
            "regexes_to_ignore: '(' is not a regular expression: missing )",
        ),
        (ExactMatchMetric, {"ignore_cas": True}, "ignore_cas: unknown option (did you mean 'ignore_case'?)"),
        (ExactMatchMetric, {"ignore_case": "yes"}, "ignore_case: must be true or false, not 'yes'"),
        (ExactMatchMetric, {"filter": ""}, "filter: must not be empty"),
        (AccMetric, {"by": "chars"}, "by: unknown option: it takes none"),
    ],
)
def test_options_are_checked_by_the_schema(metric: Any, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        metric(**options)
    assert message in str(caught.value)


def test_acc_counts_any_right_choice_and_a_greedy_continuation() -> None:
    assert AccMetric().value({"choice": 2}, [1, 2]) == 1.0
    assert AccMetric().value({"choice": None}, [0]) == 0.0
    assert AccMetric().value({"logprob": -1.0, "is_greedy": True}, ["word"]) == 1.0
    assert AccMetric().value({"choice": 0}, []) == 0.0  # a target that named no choice is wrong


def test_classifier_answers_have_no_lengths_to_normalise_by() -> None:
    with pytest.raises(MetricNotComputed, match="classifier"):
        AccNormMetric().stats([{"choice": 0, "label_probabilities": [0.9, 0.1]}], [[0]])
    with pytest.raises(MetricNotComputed, match="without the context"):
        AccMutualInfoMetric().stats([{"choice": 0, "loglikelihoods": [-1.0, -2.0]}], [[0]])


def test_mutual_information_subtracts_the_unconditional_likelihood() -> None:
    prediction = _choice([-1.0, -2.0], [1, 1], unconditional=[-0.5, -3.0])
    assert AccMutualInfoMetric().value(prediction, [1]) == 1.0  # -0.5 vs +1.0


def test_mc2_is_the_mass_on_the_true_answers() -> None:
    lls = [math.log(0.3), math.log(0.1), math.log(0.1)]
    assert Mc2Metric().value({"loglikelihoods": lls}, [0, 1]) == pytest.approx(0.8)
    assert Mc2Metric().value({"loglikelihoods": lls}, []) == 0.0


def test_exact_match_follows_lm_evaluation_harness_options() -> None:
    gsm = ExactMatchMetric(ignore_case=True, regexes_to_ignore=[",", "\\$", "(?s).*#### ", "\\.$"])
    assert gsm.value({"answer": "30"}, ["5 * 6 = <<5*6=30>>30\n#### 30"]) == 1.0
    assert gsm.value({"answer": "1,000."}, ["...\n#### 1,000"]) == 1.0
    assert gsm.value({"answer": "$32.00"}, ["#### 32"]) == 0.0
    trivia = ExactMatchMetric(ignore_case=True, ignore_punctuation=True)
    assert trivia.value({"answer": "The Beatles!"}, ["the beatles", "Beatles"]) == 1.0
    assert ExactMatchMetric(ignore_numbers=True).value("abc1", ["abc2"]) == 1.0
    assert ExactMatchMetric().value({"answer": None}, ["x"]) == 0.0


def test_exact_match_picks_a_named_pipeline_and_scores_greedy_choices() -> None:
    prediction = {"text": "t", "answer": "a", "answers": {"strict": "a", "loose": "b"}}
    assert ExactMatchMetric(filter="loose").value(prediction, ["b"]) == 1.0
    with pytest.raises(MetricError, match="no pipeline of filters called 'nope'; it has strict, loose"):
        ExactMatchMetric(filter="nope").value(prediction, ["b"])
    assert ExactMatchMetric().value({"choice": 0, "is_greedy": [False, True]}, [1]) == 1.0


def test_target_perplexity_averages_whole_targets() -> None:
    metric = TargetPerplexityMetric()
    stats = metric.stats([{"logprob": -1.0}, {"logprob": -3.0}], [["a"], ["b"]])
    assert metric.aggregate(stats) == pytest.approx(math.exp(2.0))
    resampled = metric.aggregate_resamples(stats, np.array([[0, 0], [1, 1]]))
    assert resampled.tolist() == pytest.approx([math.exp(1.0), math.exp(3.0)])
    with pytest.raises(MetricError, match="must be a log-probability"):
        metric.stats([{"logprob": 2.0}], [["a"]])
