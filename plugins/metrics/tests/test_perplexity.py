"""Perplexity, word perplexity and bits per byte: pooled over the corpus, counts that mean
what they say, and what bad predictions give."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from nlpbench import ConfigError, Example, LoglikelihoodRollingRequest, MetricError, hookimpl
from nlpbench.testing import make_host, run_suite_text
from nlpbench_metrics import BitsPerByteMetric, LanguageModelMetric, PerplexityMetric, WordPerplexityMetric
from nlpbench_metrics import plugin as metrics_plugin

METRICS: list[type[LanguageModelMetric]] = [PerplexityMetric, WordPerplexityMetric, BitsPerByteMetric]


def prediction(text: str, logprob: float, tokens: int) -> dict[str, Any]:
    """What a language-modeling task predicts for ``text``, counting as the task does."""
    return {"logprob": logprob, "tokens": tokens, "words": len(text.split()), "bytes": len(text.encode("utf-8"))}


def score(metric: LanguageModelMetric, predictions: Sequence[Any]) -> float:
    return metric.aggregate(metric.stats(predictions, [() for _ in predictions]))


def test_formulas() -> None:
    texts = [("The cat sat on the mat.", -20.5, 7), ("Ça va très bien, merci !", -31.25, 11), ("Hi", -3.0, 1)]
    predictions = [prediction(*t) for t in texts]
    logprob = sum(t[1] for t in texts)
    tokens = sum(t[2] for t in texts)
    words = sum(len(t[0].split()) for t in texts)
    size = sum(len(t[0].encode("utf-8")) for t in texts)
    assert score(PerplexityMetric(), predictions) == pytest.approx(math.exp(-logprob / tokens), rel=1e-14)
    assert score(WordPerplexityMetric(), predictions) == pytest.approx(math.exp(-logprob / words), rel=1e-14)
    assert score(BitsPerByteMetric(), predictions) == pytest.approx(-logprob / (math.log(2) * size), rel=1e-14)


def test_statistics_are_the_four_counts() -> None:
    stats = PerplexityMetric().stats([{"logprob": -2.5, "tokens": 3, "words": 2, "bytes": 9}], [()])
    assert stats.tolist() == [[-2.5, 3.0, 2.0, 9.0]]


# -- lm-evaluation-harness's pitfalls ---------------------------------------------


def test_word_perplexity_divides_by_the_words_of_the_text_not_its_tokens() -> None:
    # 12 tokens of a 5-word text: a subword tokenizer splits the long words
    text = "Antidisestablishmentarianism notwithstanding, hyperparameters proliferate unpredictably."
    scored = prediction(text, logprob=-30.0, tokens=12)
    assert scored["words"] == 5
    assert score(WordPerplexityMetric(), [scored]) == pytest.approx(math.exp(30.0 / 5), rel=1e-14)
    assert score(PerplexityMetric(), [scored]) == pytest.approx(math.exp(30.0 / 12), rel=1e-14)


def test_the_corpus_is_pooled_over_tokens_not_averaged_over_texts() -> None:
    # a short text the model finds hard and a long one it finds easy
    predictions = [
        {"logprob": -2 * math.log(100), "tokens": 2, "words": 2, "bytes": 8},  # perplexity 100
        {"logprob": -98 * math.log(2), "tokens": 98, "words": 60, "bytes": 400},  # perplexity 2
    ]
    metric = PerplexityMetric()
    stats = metric.stats(predictions, [(), ()])
    per_text = [metric.example_score(row) for row in stats]
    assert per_text == pytest.approx([100.0, 2.0], rel=1e-14)
    pooled = math.exp((2 * math.log(100) + 98 * math.log(2)) / 100)  # ≈ 2.16
    assert metric.aggregate(stats) == pytest.approx(pooled, rel=1e-14)
    assert abs(metric.aggregate(stats) - np.mean(per_text)) > 40  # the mean of texts would say 51


def test_each_example_scores_its_own_text() -> None:
    predictions = [prediction("one two", -4 * math.log(2), 4), prediction("three four five six", -8 * math.log(2), 2)]
    for metric_class, expected in ((PerplexityMetric, [2.0, 16.0]), (WordPerplexityMetric, [4.0, 4.0])):
        metric = metric_class()
        stats = metric.stats(predictions, [(), ()])
        assert [metric.example_score(row) for row in stats] == pytest.approx(expected, rel=1e-14)
    metric = BitsPerByteMetric()
    stats = metric.stats(predictions, [(), ()])
    assert [metric.example_score(row) for row in stats] == pytest.approx([4 / 7, 8 / 19], rel=1e-14)


# -- edges ------------------------------------------------------------------------


def test_empty_and_countless_are_nan() -> None:
    for metric_class in METRICS:
        metric = metric_class()
        assert math.isnan(metric.aggregate(np.zeros((0, 4))))
        stats = metric.stats([{"logprob": 0.0, "tokens": 0, "words": 0, "bytes": 0}], [()])
        assert math.isnan(metric.aggregate(stats))
        assert metric.example_score(stats[0]) is None


def test_a_zero_probability_is_infinite_perplexity() -> None:
    metric = PerplexityMetric()
    stats = metric.stats([{"logprob": -math.inf, "tokens": 3, "words": 1, "bytes": 5}], [()])
    assert metric.aggregate(stats) == math.inf
    # and a huge loss overflows to infinity rather than raising
    stats = metric.stats([{"logprob": -1e6, "tokens": 1, "words": 1, "bytes": 1}], [()])
    assert metric.aggregate(stats) == math.inf


def test_numpy_numbers_are_accepted() -> None:
    stats = PerplexityMetric().stats(
        [{"logprob": np.float32(-1.5), "tokens": np.int64(3), "words": 1.0, "bytes": np.int32(4)}], [()]
    )
    assert stats.tolist() == [[-1.5, 3.0, 1.0, 4.0]]


@pytest.mark.parametrize("metric_class", METRICS)
def test_fast_path_equals_aggregate_on_each_resample(metric_class: type[LanguageModelMetric]) -> None:
    rng = np.random.default_rng(3)
    predictions = [
        {
            "logprob": -float(rng.uniform(1, 200)),
            "tokens": int(rng.integers(1, 90)),
            "words": int(rng.integers(0, 60)),
            "bytes": int(rng.integers(1, 400)),
        }
        for _ in range(80)
    ]
    metric = metric_class()
    stats = metric.stats(predictions, [() for _ in predictions])
    indices = rng.integers(0, len(stats), size=(300, len(stats)))
    fast = metric.aggregate_resamples(stats, indices)
    slow = np.array([metric.aggregate(stats[row]) for row in indices])
    assert np.allclose(fast, slow, rtol=1e-12, atol=0)


def test_scales_and_direction() -> None:
    assert PerplexityMetric.scale == (1.0, math.inf) == WordPerplexityMetric.scale
    assert BitsPerByteMetric.scale == (0.0, math.inf)
    assert not any(m.higher_is_better for m in METRICS)


def test_describe_states_the_convention() -> None:
    assert PerplexityMetric().describe()["average"] == "over tokens of the whole corpus (not per text)"
    assert WordPerplexityMetric().describe()["average"].startswith("over words of the whole corpus (not per text)")
    assert BitsPerByteMetric().describe()["average"] == "over UTF-8 bytes of the whole corpus (not per text)"


@pytest.mark.parametrize(
    ("predictions", "message"),
    [
        ([None], r"example 0: no prediction \(None\)"),
        (["some text"], "example 0: the prediction must be a mapping of logprob, tokens, words, bytes, got str"),
        ([{"logprob": -1.0, "tokens": 2, "bytes": 3}], "example 0: the prediction has no 'words'"),
        ([{"tokens": 2, "words": 1, "bytes": 3}], "example 0: the prediction has no 'logprob'"),
        ([{"logprob": 0.5, "tokens": 2, "words": 1, "bytes": 3}], "example 0: 'logprob' must be a log-probability"),
        ([{"logprob": math.nan, "tokens": 2, "words": 1, "bytes": 3}], "example 0: 'logprob' must be"),
        ([{"logprob": "-1", "tokens": 2, "words": 1, "bytes": 3}], "example 0: 'logprob' must be"),
        ([{"logprob": -1.0, "tokens": 2.5, "words": 1, "bytes": 3}], "example 0: 'tokens' must be a whole number"),
        ([{"logprob": -1.0, "tokens": 2, "words": -1, "bytes": 3}], "example 0: 'words' must be a whole number"),
        ([{"logprob": -1.0, "tokens": 2, "words": 1, "bytes": True}], "example 0: 'bytes' must be a whole number"),
        (
            [{"logprob": -1.0, "tokens": 0, "words": 1, "bytes": 3}],
            "example 0: a log-probability of -1.0 over 0 tokens",
        ),
    ],
)
def test_bad_predictions_name_the_example_and_the_field(predictions: list[Any], message: str) -> None:
    good = {"logprob": -1.0, "tokens": 1, "words": 1, "bytes": 1}
    with pytest.raises(MetricError, match=message.replace("example 0", "example 1")):
        PerplexityMetric().stats([good, *predictions], [(), ()])


def test_options_are_refused() -> None:
    with pytest.raises(ConfigError, match="base: unknown option: it takes none"):
        PerplexityMetric(base=2)


# -- through the runner -------------------------------------------------------------

TEXTS = ["The cat sat on the mat.", "A longer text, with more words in it than the first.", "Short one."]


class TextsTask:
    """Three texts scored whole, as a language-modeling task predicts them (tests only)."""

    strategies: ClassVar[tuple[str, ...]] = ("loglikelihood_rolling",)
    default_metrics: ClassVar[tuple[str, ...]] = ("perplexity", "word-perplexity", "bits-per-byte")

    def __init__(self, spec: Any) -> None:
        pass

    def examples(self) -> Iterable[Example]:
        for index, text in enumerate(TEXTS):
            yield Example(f"text-{index}", text, (), {"text": text})

    def build_requests(self, example: Example, strategy: str) -> Sequence[LoglikelihoodRollingRequest]:
        return [LoglikelihoodRollingRequest(example.input)]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        answer = answers[0]
        return prediction(example.input, answer.logprob, answer.n_tokens)


class TextsPlugin:
    @hookimpl
    def register_tasks(self, register: Any) -> None:
        register(TextsTask, name="texts")


def test_in_a_suite_with_infinite_scales_written_as_json(tmp_path: Path) -> None:
    suite = {
        "name": "lm",
        "seed": 1234,
        "models": [{"name": "tiny", "type": "tiny"}],
        "tasks": [{"name": "texts", "type": "texts"}],
    }
    run = run_suite_text(suite, tmp_path, host=make_host(metrics_plugin, TextsPlugin()))
    assert run.exit_code == 0, run.log
    metrics = run.cell("tiny", "texts")["metrics"]
    # the tiny model's characters cost log 1/32 each: perplexity per character 32, 5 bits per byte
    assert metrics["perplexity"]["value"] == pytest.approx(32.0, rel=1e-12)
    assert metrics["bits-per-byte"]["value"] == pytest.approx(5.0, rel=1e-12)
    characters = sum(len(t) for t in TEXTS)
    words = sum(len(t.split()) for t in TEXTS)
    assert metrics["word-perplexity"]["value"] == pytest.approx(32.0 ** (characters / words), rel=1e-12)
    assert metrics["perplexity"]["higher_is_better"] is False
    assert metrics["perplexity"]["info"]["average"] == "over tokens of the whole corpus (not per text)"
    # results.json is strict JSON: an infinite bound of the scale is null, never Infinity
    text = (run.out_dir / "results.json").read_text(encoding="utf-8")
    assert "Infinity" not in text and "NaN" not in text

    def refuse(constant: str) -> None:
        raise AssertionError(f"results.json holds {constant}")

    written = json.loads(text, parse_constant=refuse)
    (cell,) = [c for c in written["cells"] if c["task"] == "texts"]
    assert cell["metrics"]["perplexity"]["scale"] == [1.0, None]
    assert cell["metrics"]["bits-per-byte"]["scale"] == [0.0, None]
    assert [s["scores"]["perplexity"] for s in run.samples] == pytest.approx([32.0] * 3, rel=1e-12)
