"""classify with a sequence-classification head: the head's softmax, in request order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

from nlpbench import ClassifyRequest, ModelError

TEXTS = [
    "a good film with a good cast",
    "dull and far too long",
    "good fun from start to end, and the music is wonderful too",
    "the plot makes no sense",
    "ok",
    "I left before the end",
    "not as good as the book, which I read twice before seeing this adaptation",
    "good music, good jokes",
    "meh",
]


def _direct(model: Any, tokenizer: Any, texts: list[str], pairs: list[str] | None = None, **kw: Any) -> torch.Tensor:
    """Probabilities straight from transformers, one text at a time."""
    rows = []
    for i, text in enumerate(texts):
        inputs = tokenizer(text, pairs[i] if pairs else None, return_tensors="pt", **kw)
        with torch.no_grad():
            rows.append(model(**inputs).logits.softmax(-1)[0])
    return torch.stack(rows)


def test_probabilities_equal_transformers_at_every_batch_size(
    load: Callable[..., Any], reference: Callable[[str], Any], tokenizer: Any
) -> None:
    expected = _direct(reference("classification"), tokenizer, TEXTS)
    requests = [ClassifyRequest(text, ("negative", "positive")) for text in TEXTS]
    answers = {size: load("classification", batch_size=size).classify(requests) for size in (1, 3, 8)}
    for size, answer in answers.items():
        got = torch.tensor([[a["negative"], a["positive"]] for a in answer], dtype=torch.float32)
        torch.testing.assert_close(got, expected, atol=1e-5, rtol=0, msg=f"batch size {size}")
        assert all(list(a) == ["negative", "positive"] for a in answer)
    # padding to a different width may move the last bits of a float: the same to 1e-6, and the same winners
    for size in (3, 8):
        for one, other in zip(answers[1], answers[size], strict=True):
            assert one.keys() == other.keys()
            assert all(abs(one[k] - other[k]) < 1e-6 for k in one)
            assert max(one, key=one.__getitem__) == max(other, key=other.__getitem__)


def test_labels_match_ignoring_case_and_in_the_order_asked(load: Callable[..., Any]) -> None:
    model = load("classification")
    lower = model.classify([ClassifyRequest("a good film", ("negative", "positive"))])[0]
    upper = model.classify([ClassifyRequest("a good film", ("Positive", "NEGATIVE"))])[0]
    assert list(upper) == ["Positive", "NEGATIVE"]
    assert upper["Positive"] == pytest.approx(lower["positive"], abs=1e-12)
    assert sum(upper.values()) == pytest.approx(1.0)


def test_a_subset_of_the_heads_labels_is_renormalised(load: Callable[..., Any]) -> None:
    answer = load("classification").classify([ClassifyRequest("a good film", ("positive",))])[0]
    assert answer == {"positive": pytest.approx(1.0)}


def test_a_label_the_head_lacks_is_a_model_error_naming_both_sets(load: Callable[..., Any]) -> None:
    model = load("classification")
    with pytest.raises(ModelError) as caught:
        model.classify([ClassifyRequest("fine", ("negative", "positive")), ClassifyRequest("fine", ("neg", "pos"))])
    message = str(caught.value)
    assert "(neg, pos)" in message and "(negative, positive)" in message and "'neg', 'pos' missing" in message


def test_text_pairs_and_truncation(load: Callable[..., Any], reference: Callable[[str], Any], tokenizer: Any) -> None:
    texts = ["good " * 30, "short one", "bad " * 5]
    pairs = ["a premise", "and a hypothesis that runs on " * 6, "x"]
    model = load("classification", max_length=16, batch_size=2)
    answers = model.classify(
        [ClassifyRequest(t, ("negative", "positive"), text_pair=p) for t, p in zip(texts, pairs, strict=True)]
    )
    expected = _direct(reference("classification"), tokenizer, texts, pairs, truncation=True, max_length=16)
    got = torch.tensor([[a["negative"], a["positive"]] for a in answers])
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=0)
    facts = model.describe()
    assert (facts["max_length"], facts["truncation_side"], facts["truncated_inputs"]) == (16, "right", 2)
    assert facts["truncated_tokens"] > 0


def test_left_truncation_keeps_the_end(
    load: Callable[..., Any], reference: Callable[[str], Any], tokenizer: Any
) -> None:
    text = "the start is long and rambling and goes on and on " * 3 + "but the end is good"
    answer = load("classification", max_length=12, truncation="left").classify(
        [ClassifyRequest(text, ("negative", "positive"))]
    )
    tokenizer.truncation_side = "left"
    try:
        expected = _direct(reference("classification"), tokenizer, [text], truncation=True, max_length=12)
    finally:
        tokenizer.truncation_side = "right"
    assert answer[0]["positive"] == pytest.approx(float(expected[0, 1]), abs=1e-5)


def test_bfloat16_gives_probabilities(load: Callable[..., Any]) -> None:
    model = load("classification", dtype="bfloat16")
    (answer,) = model.classify([ClassifyRequest("a good film", ("negative", "positive"))])
    assert sum(answer.values()) == pytest.approx(1.0)
    assert model.describe()["dtype"] == "bfloat16"
