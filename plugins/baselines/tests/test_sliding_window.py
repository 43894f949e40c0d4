from __future__ import annotations

import json
import re
import string
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, ExtractSpanRequest, Model, ModelSpec, Span
from nlpbench_baselines import SlidingWindowModel
from nlpbench_baselines.words import words

CONTEXT = "The university was founded in 1891 by Leland Stanford. Its campus lies near Palo Alto."


def model(params: dict[str, Any] | None = None) -> SlidingWindowModel:
    return SlidingWindowModel(ModelSpec(name="sw", type="sliding-window", params=params or {}))


def test_follows_the_protocol() -> None:
    sw = model()
    assert isinstance(sw, Model) and sw.capabilities == frozenset({"extract_span"})
    assert sw.describe() == {"max_answer_words": 5, "window": "question words + answer"}
    assert model({"window": 8}).describe()["window"] == 8


def test_answers_in_request_order() -> None:
    requests = [
        ExtractSpanRequest("Who founded the university?", CONTEXT, example_id="a"),
        ExtractSpanRequest("When was the university founded?", CONTEXT, example_id="b"),
    ]
    first, second = model({"max_answer_words": 2}).extract_span(requests)
    assert isinstance(first, Span) and first.score > 0
    assert (first.text, second.text) == ("1891 by", "1891 by")  # the same window, the same rule
    assert CONTEXT[first.start : first.end] == first.text
    (span,) = model({"max_answer_words": 2}).extract_span([ExtractSpanRequest("Who founded it in 1891?", CONTEXT)])
    assert span.text == "Leland Stanford"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"max_answer_words": 0}, "params.max_answer_words: must be at least 1, not 0"),
        ({"window": -3}, "params.window: must be at least 1, not -3"),
        ({"max_words": 5}, "params.max_words: unknown option"),
        ({"windows": 5}, "(did you mean 'window'?)"),
    ],
)
def test_bad_params(params: dict[str, Any], message: str) -> None:
    spec = ModelSpec(name="sw", type="sliding-window", params=params)
    with pytest.raises(ConfigError) as raised:
        SlidingWindowModel.check_spec(spec)
    assert message in str(raised.value)
    with pytest.raises(ConfigError, match="loads no weights: remove path"):
        SlidingWindowModel.check_spec(ModelSpec(name="sw", type="sliding-window", path=Path("x")))


def _normalize(text: str) -> list[str]:
    """The official SQuAD v1.1 normalization: lower case, no punctuation, no articles."""
    text = "".join(c for c in text.lower() if c not in string.punctuation)
    return re.sub(r"\b(a|an|the)\b", " ", text).split()


def _f1(prediction: str, gold: str) -> float:
    predicted, wanted = _normalize(prediction), _normalize(gold)
    common = sum((Counter(predicted) & Counter(wanted)).values())
    if not common:
        return 0.0
    precision, recall = common / len(predicted), common / len(wanted)
    return 2 * precision * recall / (precision + recall)


def test_real_xquad_questions(xquad: Path) -> None:
    articles = json.loads(xquad.read_text(encoding="utf-8"))["data"]
    items = [
        (ExtractSpanRequest(qa["question"], paragraph["context"], example_id=qa["id"]), qa["answers"][0]["text"])
        for article in articles
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    ]
    assert len(items) == 632
    spans = model().extract_span([request for request, _ in items])
    for (request, _), span in zip(items, spans, strict=True):
        assert span.text and request.context[span.start : span.end] == span.text
        assert len(words(span.text)) <= 5  # dashes and commas between them are not words
    exact = sum(_normalize(span.text) == _normalize(gold) for span, (_, gold) in zip(spans, items, strict=True))
    f1 = sum(_f1(span.text, gold) for span, (_, gold) in zip(spans, items, strict=True))
    # measured: EM 11.9, F1 27.4 (SQuAD scale); Rajpurkar et al. (2016) report F1 20.0 for theirs
    assert 100 * exact / len(items) > 8
    assert 100 * f1 / len(items) > 20
