from __future__ import annotations

import math

import pytest

from nlpbench import (
    ClassifyRequest,
    EncodeRequest,
    GenerateRequest,
    Loglikelihood,
    LoglikelihoodRequest,
    TaskError,
)
from nlpbench_sentiment.config import Prompting
from nlpbench_sentiment.strategies import build, cosine, from_generation, predict

LABELS = ("negative", "positive")
PROMPTS = Prompting()


def test_classify() -> None:
    assert build("classify", "Great film.", LABELS, PROMPTS) == [ClassifyRequest("Great film.", LABELS)]
    assert predict("classify", [{"negative": 0.2, "positive": 0.8}], LABELS, PROMPTS) == "positive"
    assert predict("classify", [{"negative": 0.5, "positive": 0.5}], LABELS, PROMPTS) == "negative"  # tie: first


def test_classify_answer_without_our_labels() -> None:
    with pytest.raises(TaskError, match="gives none of the labels negative, positive"):
        predict("classify", [{"LABEL_0": 0.9}], LABELS, PROMPTS)


def test_loglikelihood() -> None:
    requests = build("loglikelihood", "Great film.", LABELS, PROMPTS)
    assert requests == [
        LoglikelihoodRequest("Review: Great film.\nSentiment:", " negative"),
        LoglikelihoodRequest("Review: Great film.\nSentiment:", " positive"),
    ]
    answers = [Loglikelihood(-3.5, n_tokens=1), Loglikelihood(-0.7, is_greedy=True, n_tokens=1)]
    assert predict("loglikelihood", answers, LABELS, PROMPTS) == "positive"


def test_loglikelihood_with_own_prompt_and_words() -> None:
    prompts = Prompting(prompt="{{ text }} All in all, it was", verbalizers={"negative": "bad", "positive": "good"})
    requests = build("loglikelihood", "Dull.", LABELS, prompts)
    assert [(r.context, r.continuation) for r in requests if isinstance(r, LoglikelihoodRequest)] == [
        ("Dull. All in all, it was", " bad"),
        ("Dull. All in all, it was", " good"),
    ]
    assert predict("loglikelihood", [Loglikelihood(-1.0), Loglikelihood(-2.0)], LABELS, prompts) == "negative"


def test_generate() -> None:
    assert build("generate", "Great film.", LABELS, PROMPTS) == [
        GenerateRequest("Review: Great film.\nSentiment:", max_new_tokens=5, stop=("\n",))
    ]
    assert predict("generate", [" Positive."], LABELS, PROMPTS) == "positive"
    assert predict("generate", [" I'd say NEGATIVE, not positive"], LABELS, PROMPTS) == "negative"
    assert predict("generate", [" meh"], LABELS, PROMPTS) is None


def test_generate_matches_whole_words_and_verbalizers() -> None:
    prompts = Prompting(verbalizers={"negative": "bad", "positive": "good"})
    assert from_generation(" goodness knows, it was bad", LABELS, prompts) == "negative"
    assert from_generation(" positive", LABELS, prompts) == "positive"  # the label name counts too
    assert from_generation(" badly made", LABELS, prompts) is None


def test_encode() -> None:
    requests = build("encode", "Great film.", LABELS, PROMPTS)
    assert requests == [
        EncodeRequest("Great film."),
        EncodeRequest("This review is negative."),
        EncodeRequest("This review is positive."),
    ]
    answers = [[1.0, 0.2], [-1.0, 0.1], [0.9, 0.3]]
    assert predict("encode", answers, LABELS, PROMPTS) == "positive"


def test_encode_with_own_description() -> None:
    prompts = Prompting(description="A {{ label }} opinion.", verbalizers={"positive": "glowing"})
    requests = build("encode", "x", LABELS, prompts)
    assert [r.text for r in requests if isinstance(r, EncodeRequest)][1:] == [
        "A negative opinion.",
        "A glowing opinion.",
    ]


def test_cosine() -> None:
    assert cosine([1.0, 0.0], [2.0, 0.0]) == pytest.approx(1.0)
    assert cosine([1.0, 0.0], [0.0, 3.0]) == pytest.approx(0.0)
    assert cosine([0.0, 0.0], [1.0, 1.0]) == 0.0
    with pytest.raises(TaskError, match="different sizes"):
        cosine([1.0], [1.0, 2.0])


def test_wrong_number_of_answers() -> None:
    with pytest.raises(TaskError, match="loglikelihood: expected 2 answers, got 1"):
        predict("loglikelihood", [Loglikelihood(-1.0)], LABELS, PROMPTS)


def test_no_finite_score_is_no_prediction() -> None:
    answers = [Loglikelihood(-math.inf), Loglikelihood(-math.inf)]
    assert predict("loglikelihood", answers, LABELS, PROMPTS) is None


def test_unknown_strategy() -> None:
    with pytest.raises(TaskError, match="no strategy 'extract_span'"):
        build("extract_span", "x", LABELS, PROMPTS)
    with pytest.raises(TaskError, match="no strategy 'extract_span'"):
        predict("extract_span", [], LABELS, PROMPTS)
