"""Teacher-forced scoring against a plain one-at-a-time transformers computation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nlpbench import Loglikelihood, LoglikelihoodRequest

#: Twelve requests: three shared sources (multiple choice), singletons, an empty
#: continuation, continuations with and without a leading space, a long source.
REQUESTS = [
    *[LoglikelihoodRequest("the film was good. Sentiment:", c) for c in (" positive", " negative", " neutral")],
    *[
        LoglikelihoodRequest("translate German to English: Das Haus ist klein.", c)
        for c in (" The house is small.", "The house is little.", " Small house")
    ],
    *[
        LoglikelihoodRequest("question: who wrote it? context: Ann wrote the book in 1990.", c)
        for c in ("Ann", " 1990")
    ],
    LoglikelihoodRequest("summarize: " + "the cat sat on the mat and looked at the dog. " * 6, " a cat sat."),
    LoglikelihoodRequest("a", " b c d e f g h i j k l m n o p"),
    LoglikelihoodRequest("nothing to score", ""),
    LoglikelihoodRequest("", " an empty source"),
]


def direct(reference: tuple[Any, Any], request: LoglikelihoodRequest, score_eos: bool = False) -> Loglikelihood:
    """One request, plainly: the tokenizer's encoder input, labels= for teacher forcing."""
    import torch

    model, tokenizer = reference
    target = tokenizer(request.continuation.lstrip(), add_special_tokens=False)["input_ids"]
    if score_eos:
        target = [*target, tokenizer.eos_token_id]
    if not target:
        return Loglikelihood(0.0, True, 0)
    source = torch.tensor([tokenizer(request.context)["input_ids"]])
    labels = torch.tensor([target])
    with torch.no_grad():
        logits = model(input_ids=source, labels=labels).logits[0]
    logprobs = torch.log_softmax(logits, dim=-1)
    total = float(logprobs[torch.arange(len(target)), labels[0]].sum())
    greedy = bool((logits.argmax(dim=-1) == labels[0]).all())
    return Loglikelihood(total, greedy, len(target))


def assert_close(got: list[Loglikelihood], want: list[Loglikelihood], tolerance: float = 1e-4) -> None:
    """Within ``tolerance``, or a float32-sized relative error (1e-6) for sums of hundreds of nats:
    an untrained model over GPT-2's 50,260 tokens gives about -11 to -25 per token."""
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.logprob == pytest.approx(w.logprob, abs=tolerance, rel=1e-6)
        assert (g.is_greedy, g.n_tokens) == (w.is_greedy, w.n_tokens)


@pytest.mark.parametrize("batch_size", [1, 3, 8])
def test_equals_a_direct_computation(load: Callable[..., Any], reference: tuple[Any, Any], batch_size: int) -> None:
    model = load(batch_size=batch_size)
    assert_close(model.loglikelihood(REQUESTS), [direct(reference, r) for r in REQUESTS])


def test_scoring_the_end_of_sequence_token(load: Callable[..., Any], reference: tuple[Any, Any]) -> None:
    model = load(batch_size=3, score_eos=True)
    answers = model.loglikelihood(REQUESTS)
    assert_close(answers, [direct(reference, r, score_eos=True) for r in REQUESTS])
    without = load(batch_size=3).loglikelihood(REQUESTS)
    assert all(a.n_tokens == b.n_tokens + 1 for a, b in zip(answers, without, strict=True))
    assert all(a.logprob < b.logprob for a, b in zip(answers, without, strict=True))


def test_independent_of_batch_size(load: Callable[..., Any]) -> None:
    by_size = {size: load(batch_size=size).loglikelihood(REQUESTS) for size in (1, 3, 8, 64)}
    for answers in by_size.values():
        assert_close(answers, by_size[1], tolerance=1e-5)


def test_some_requests_are_greedy_and_all_finite(load: Callable[..., Any]) -> None:
    answers = load().loglikelihood(REQUESTS)
    assert all(a.logprob <= 0.0 for a in answers)
    assert answers[REQUESTS.index(LoglikelihoodRequest("nothing to score", ""))] == Loglikelihood(0.0, True, 0)


def test_leading_space_is_stripped(load: Callable[..., Any]) -> None:
    spaced, bare = load().loglikelihood(
        [LoglikelihoodRequest("Sentiment:", " positive"), LoglikelihoodRequest("Sentiment:", "positive")]
    )
    assert spaced == bare


def test_each_distinct_source_is_encoded_once(load: Callable[..., Any]) -> None:
    model = load(batch_size=2)
    encoded: list[int] = []
    encoder = model.loaded.model.get_encoder()
    handle = encoder.register_forward_pre_hook(
        lambda module, args, kwargs: encoded.append(int(kwargs["input_ids"].shape[0])), with_kwargs=True
    )
    try:
        model.loglikelihood(REQUESTS)
    finally:
        handle.remove()
    assert sum(encoded) == len({r.context for r in REQUESTS})
    assert max(encoded) <= 2


def test_what_greedy_decoding_says_is_greedy(load: Callable[..., Any], reference: tuple[Any, Any]) -> None:
    import torch

    model, tokenizer = reference
    found = []
    for prompt in ("translate German to English: Das Haus ist klein.", "summarize: the cat sat", "x y z", "a", "b c"):
        with torch.no_grad():
            out = model.generate(input_ids=torch.tensor([tokenizer(prompt)["input_ids"]]), max_new_tokens=5)
        tokens = [t for t in out[0, 1:].tolist() if t not in (tokenizer.pad_token_id, tokenizer.eos_token_id)]
        text = tokenizer.decode(tokens)
        # only texts whose tokens survive the leading-space strip and a round trip
        if tokens and tokenizer(text.lstrip(), add_special_tokens=False)["input_ids"] == tokens:
            found.append(LoglikelihoodRequest(prompt, text))
    assert found
    answers = load().loglikelihood(found)
    assert all(a.is_greedy and a.n_tokens >= 1 for a in answers)


def test_no_requests(load: Callable[..., Any]) -> None:
    assert load().loglikelihood([]) == []
