"""loglikelihood with a masked-LM head: pseudo-log-likelihood, one masked row per continuation token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

from nlpbench import LoglikelihoodRequest, ModelError

REQUESTS = [
    LoglikelihoodRequest("a good film with a good cast\nSentiment:", " positive"),
    LoglikelihoodRequest("dull and far too long\nSentiment:", " negative"),
    LoglikelihoodRequest("The capital of France is", " Paris, which is a large city."),
    LoglikelihoodRequest("un", "believable"),  # a word split across the boundary counts as continuation
    LoglikelihoodRequest("nothing follows", ""),
]


def _direct(model: Any, tokenizer: Any, request: LoglikelihoodRequest) -> tuple[float, bool, int]:
    """Mask each continuation token of the whole text in turn, one forward pass each."""
    encoded = tokenizer(request.context + request.continuation, return_offsets_mapping=True)
    ids = encoded["input_ids"]
    positions = [
        i
        for i, (start, end) in enumerate(encoded["offset_mapping"])
        if end > len(request.context) and ids[i] not in tokenizer.all_special_ids
    ]
    total, greedy = 0.0, True
    for position in positions:
        masked = torch.tensor([ids])
        masked[0, position] = tokenizer.mask_token_id
        with torch.no_grad():
            logits = model(input_ids=masked).logits[0, position]
        total += float(logits.log_softmax(-1)[ids[position]])
        greedy = greedy and int(logits.argmax()) == ids[position]
    return total, greedy, len(positions)


@pytest.mark.parametrize("batch_size", [1, 4])
def test_equals_a_direct_one_at_a_time_computation(
    load: Callable[..., Any], reference: Callable[[str], Any], tokenizer: Any, batch_size: int
) -> None:
    answers = load("masked-lm", batch_size=batch_size).loglikelihood(REQUESTS)
    direct = reference("masked-lm")
    for answer, request in zip(answers, REQUESTS, strict=True):
        logprob, greedy, n_tokens = _direct(direct, tokenizer, request)
        assert answer.logprob == pytest.approx(logprob, abs=1e-4)
        assert (answer.is_greedy, answer.n_tokens) == (greedy, n_tokens)
    assert [a.n_tokens for a in answers][2:] == [8, 1, 0]  # "unbelievable" is one token: all of it counts
    assert answers[-1].logprob == 0.0 and answers[-1].is_greedy


def test_a_long_context_loses_its_start(
    load: Callable[..., Any], reference: Callable[[str], Any], tokenizer: Any
) -> None:
    context = "once upon a time " * 10 + "the film was"
    model = load("masked-lm", max_length=16)
    (answer,) = model.loglikelihood([LoglikelihoodRequest(context, " good")])
    kept = tokenizer.convert_tokens_to_string(tokenizer.tokenize(context)[-13:])  # 16 - [CLS] - [SEP] - "good"
    logprob, _, _ = _direct(reference("masked-lm"), tokenizer, LoglikelihoodRequest(kept, " good"))
    assert answer.logprob == pytest.approx(logprob, abs=1e-4)
    facts = model.describe()["loglikelihood_truncation"]
    assert (facts["truncation_side"], facts["truncated_inputs"]) == ("left", 1)


def test_a_continuation_too_long_for_max_length_is_a_model_error(load: Callable[..., Any]) -> None:
    with pytest.raises(ModelError, match="continuation of 20 tokens does not fit max_length 16"):
        load("masked-lm", max_length=16).loglikelihood([LoglikelihoodRequest("x", " word" * 20)])
