"""extract_span with a QA head: windows over long contexts, n-best decoding, character offsets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

from nlpbench import ExtractSpanRequest, Span

CONTEXTS = [
    "The Amazon rainforest covers much of the Amazon basin of South America. The basin covers seven "
    "million square kilometres, of which five and a half million are covered by the rainforest. The region "
    "includes territory belonging to nine nations, and the majority of the forest is contained within Brazil.",
    "Paris is the capital of France.",
    "In 1905 Einstein published four papers, on the photoelectric effect, Brownian motion, special relativity "
    "and the equivalence of mass and energy; they changed physics, and the year is called his miracle year.",
    "Tea is drunk cold in summer and hot in winter, with milk or lemon, in cups, glasses or bowls, by "
    "people all over the world, every day of the year, at breakfast, lunch, tea time and dinner.",
]
QUESTIONS = ["Which country holds most of the forest?", "What is the capital of France?", "When?", "How is tea drunk?"]
MAX_LENGTH, STRIDE = 32, 8


def _requests() -> list[ExtractSpanRequest]:
    return [ExtractSpanRequest(q, c) for q, c in zip(QUESTIONS * 2, CONTEXTS * 2, strict=True)]


def _brute_force(model: Any, tokenizer: Any, request: ExtractSpanRequest, longest: int) -> tuple[float, int, int]:
    """Every valid (start, end) pair of every window, scored by transformers directly."""
    windows = tokenizer(request.question, request.context, truncation="only_second", max_length=MAX_LENGTH,
                        stride=STRIDE, return_overflowing_tokens=True, return_offsets_mapping=True)  # fmt: skip
    best: tuple[float, int, int] | None = None
    for f in range(len(windows["input_ids"])):
        ids = torch.tensor([windows["input_ids"][f]])
        with torch.no_grad():
            out = model(input_ids=ids, token_type_ids=torch.tensor([windows["token_type_ids"][f]]))
        context = [i for i, s in enumerate(windows.sequence_ids(f)) if s == 1]
        offsets = windows["offset_mapping"][f]
        for s in context:
            for e in context:
                if s <= e < s + longest:
                    score = float(out.start_logits[0, s] + out.end_logits[0, e])
                    if best is None or score > best[0]:
                        best = (score, offsets[s][0], offsets[e][1])
    assert best is not None
    return best


def _where(spans: list[Span]) -> list[tuple[str, int, int]]:
    return [(s.text, s.start, s.end) for s in spans]


def test_long_contexts_are_read_in_windows(tokenizer: Any) -> None:
    windows = tokenizer(QUESTIONS[0], CONTEXTS[0], truncation="only_second", max_length=MAX_LENGTH, stride=STRIDE,
                        return_overflowing_tokens=True)  # fmt: skip
    assert len(windows["input_ids"]) > 3  # so the tests below exercise the doc stride


@pytest.mark.parametrize("longest", [30, 3])
def test_spans_equal_a_brute_force_search(
    load: Callable[..., Any], reference: Callable[[str], Any], tokenizer: Any, longest: int
) -> None:
    model = load("qa", max_length=MAX_LENGTH, doc_stride=STRIDE, max_answer_length=longest, n_best=1000)
    direct = reference("qa")
    for span, request in zip(model.extract_span(_requests()), _requests(), strict=True):
        score, start, end = _brute_force(direct, tokenizer, request, longest)
        assert (span.start, span.end) == (start, end)
        assert span.score == pytest.approx(score, abs=1e-4)
        assert len(tokenizer(span.text, add_special_tokens=False)["input_ids"]) <= longest


def test_spans_are_the_context_at_their_offsets_at_every_batch_size(load: Callable[..., Any]) -> None:
    requests = _requests()
    by_size = {
        size: load("qa", max_length=MAX_LENGTH, doc_stride=STRIDE, batch_size=size).extract_span(requests)
        for size in (1, 3, 8)
    }
    for spans in by_size.values():
        for span, request in zip(spans, requests, strict=True):
            assert span.text and request.context[span.start : span.end] == span.text
    assert _where(by_size[1]) == _where(by_size[3]) == _where(by_size[8])
    for one, other in zip(by_size[1], by_size[8], strict=True):
        assert one.score == pytest.approx(other.score, abs=1e-5)
    single = load("qa", max_length=MAX_LENGTH, doc_stride=STRIDE, batch_size=8)
    assert _where([single.extract_span([request])[0] for request in requests]) == _where(by_size[8])


def test_a_long_question_is_cut_and_counted(load: Callable[..., Any]) -> None:
    model = load("qa", max_length=MAX_LENGTH, doc_stride=STRIDE)
    question = "Which of the many nations that share the great basin of the river holds the largest part of it?"
    (span,) = model.extract_span([ExtractSpanRequest(question, CONTEXTS[0])])
    assert CONTEXTS[0][span.start : span.end] == span.text
    assert model.describe()["truncated_inputs"] == 1


def test_an_empty_context_gives_an_empty_span(load: Callable[..., Any]) -> None:
    spans = load("qa").extract_span([ExtractSpanRequest("what?", ""), ExtractSpanRequest("what?", "this")])
    assert spans[0] == Span(text="", start=0, end=0, score=0.0)
    assert spans[1].text == "this"
