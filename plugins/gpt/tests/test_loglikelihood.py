"""Log-likelihoods through the plugin equal a plain one-at-a-time computation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from nlpbench import Loglikelihood, LoglikelihoodRequest, ModelError, ModelSpec
from nlpbench_gpt import GPTModel
from nlpbench_gpt.tokenizer import gpt2_tokenizer

QUESTION = "Question: What is the capital of France?\nAnswer:"

#: Shared contexts (one question, several answers), trailing spaces and newlines, an
#: empty context, a duplicate, and single- and multi-token continuations.
REQUESTS = [
    LoglikelihoodRequest(QUESTION, " Paris"),
    LoglikelihoodRequest(QUESTION, " Lyon"),
    LoglikelihoodRequest(QUESTION, " Marseille and Nice"),
    LoglikelihoodRequest(QUESTION, " a city on the Seine, in the north"),
    LoglikelihoodRequest("The sky is ", "blue"),
    LoglikelihoodRequest("The sky is ", "green today, oddly"),
    LoglikelihoodRequest("", "Hello world, this is a test."),
    LoglikelihoodRequest(
        "A long and winding sentence that keeps going for quite a while, with commas, clauses and "
        "more words than any of the others",
        " indeed.",
    ),
    LoglikelihoodRequest("Once upon a time", " there was a"),
    LoglikelihoodRequest("Numbers: 1, 2, 3,", " 4"),
    LoglikelihoodRequest("Answer:\n", "yes"),
    LoglikelihoodRequest(QUESTION, " Paris"),
]


def assert_matches(got: list[Loglikelihood], expected: list[tuple[float, bool, int]], tolerance: float) -> None:
    assert len(got) == len(expected)
    for answer, (logprob, greedy, n_tokens) in zip(got, expected, strict=True):
        assert answer.logprob == pytest.approx(logprob, abs=tolerance)
        assert (answer.is_greedy, answer.n_tokens) == (greedy, n_tokens)


@pytest.mark.parametrize(("batch_size", "share"), [(1, True), (3, True), (8, True), (3, False)])
def test_equals_one_at_a_time(
    gpt: Callable[..., Any], reference_loglikelihood: Callable[..., Any], batch_size: int, share: bool
) -> None:
    model = gpt(batch_size=batch_size, share_contexts=share, dtype="float32")
    expected = [reference_loglikelihood(r.context, r.continuation) for r in REQUESTS]
    assert_matches(model.loglikelihood(REQUESTS), expected, 1e-4)


def test_results_do_not_depend_on_batch_size_or_sharing(gpt: Callable[..., Any]) -> None:
    runs = [
        gpt(batch_size=b, share_contexts=s, dtype="float32").loglikelihood(REQUESTS)
        for b in (1, 8)
        for s in (True, False)
    ]
    first = runs[0]
    for other in runs[1:]:
        assert_matches(other, [(a.logprob, a.is_greedy, a.n_tokens) for a in first], 1e-5)


def test_the_shared_context_is_read_once(load_gpt: Callable[..., Any], count_inputs: Any, tokenizer: Any) -> None:
    # one question, four answers: with sharing the model reads the question once, not four times
    fed = {}
    for share in (True, False):
        model = load_gpt(batch_size=8, share_contexts=share)
        with count_inputs(model) as counter:
            model.loglikelihood(REQUESTS[:4])
        fed[share] = counter.tokens
    question = len(tokenizer(QUESTION)["input_ids"])
    assert fed[False] - fed[True] >= 3 * question - 10


@pytest.mark.parametrize(("share", "batches"), [(False, 1), (True, 2)])
def test_one_device_to_host_transfer_per_batch(
    gpt: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, share: bool, batches: int
) -> None:
    # 11 distinct requests, one batch of them; with sharing, one batch of contexts read
    # once and one of contexts asked once
    model = gpt(batch_size=16, share_contexts=share)
    transfers = []
    original = torch.Tensor.cpu

    def counting_cpu(self: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        transfers.append(self.shape)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "cpu", counting_cpu)
    model.loglikelihood(REQUESTS)
    assert len(transfers) == batches


def test_empty_inputs(gpt: Callable[..., Any]) -> None:
    model = gpt()
    assert model.loglikelihood([]) == []
    (answer,) = model.loglikelihood([LoglikelihoodRequest("Some context", "")])
    assert answer == Loglikelihood(logprob=0.0, is_greedy=True, n_tokens=0)


def test_long_inputs_are_cut_on_the_left_and_recorded(
    load_gpt: Callable[..., Any], reference_loglikelihood: Callable[..., Any], tokenizer: Any
) -> None:
    model = load_gpt(max_length=12, batch_size=4)
    requests = [REQUESTS[0], REQUESTS[2], REQUESTS[7], REQUESTS[9]]
    expected = [reference_loglikelihood(r.context, r.continuation, max_length=12) for r in requests]
    assert_matches(model.loglikelihood(requests), expected, 1e-4)
    # the model reads the context and all but the last continuation token
    inputs = [len(tokenizer(r.context + r.continuation)["input_ids"]) - 1 for r in requests]
    assert [n > 12 for n in inputs] == [False, True, True, False]
    facts = model.describe()
    assert facts["max_length"] == 12
    assert facts["truncation_side"] == "left"
    assert facts["truncated_inputs"] == 2
    assert facts["truncated_tokens"] == sum(n - 12 for n in inputs if n > 12)


def test_a_continuation_longer_than_the_context_window_is_refused(gpt: Callable[..., Any]) -> None:
    model = gpt(max_length=8)
    with pytest.raises(ModelError, match="loglikelihood_rolling"):
        model.loglikelihood([LoglikelihoodRequest("x", " one two three four five six seven eight nine ten")])


def test_auto_batch_size(gpt: Callable[..., Any], reference_loglikelihood: Callable[..., Any]) -> None:
    model = gpt(batch_size="auto")
    expected = [reference_loglikelihood(r.context, r.continuation) for r in REQUESTS]
    assert_matches(model.loglikelihood(REQUESTS), expected, 1e-4)


def test_a_tokenizer_that_starts_texts_with_bos_gets_it_before_every_context(
    tiny_gpt_dir: Path, tmp_path: Path, reference_model: Any, tokenizer: Any
) -> None:
    from tokenizers.processors import TemplateProcessing

    folder = tmp_path / "bos-first"
    folder.mkdir()
    for file in tiny_gpt_dir.iterdir():
        (folder / file.name).write_bytes(file.read_bytes())
    with_bos = gpt2_tokenizer()
    eos = with_bos.eos_token_id
    with_bos.backend_tokenizer.post_processor = TemplateProcessing(
        single="<|endoftext|> $A", special_tokens=[("<|endoftext|>", eos)]
    )
    assert with_bos("Hello")["input_ids"][0] == eos
    with_bos.save_pretrained(folder)
    model = GPTModel(ModelSpec(name="bos", type="gpt", path=folder, params={"device": "cpu"}))
    try:
        (answer,) = model.loglikelihood([LoglikelihoodRequest("The sky is", " blue")])
        ids = [eos, *tokenizer("The sky is")["input_ids"], *tokenizer(" blue")["input_ids"]]
        with torch.no_grad():
            logits = reference_model(torch.tensor([ids[:-1]])).logits[0]
        expected = torch.log_softmax(logits[-1], dim=-1)[ids[-1]].item()
        assert answer.logprob == pytest.approx(expected, abs=1e-4)
    finally:
        model.close()


def test_models_without_logits_to_keep_get_the_same_numbers(
    load_gpt: Callable[..., Any], reference_loglikelihood: Callable[..., Any]
) -> None:
    model = load_gpt(batch_size=4)
    model._lm.scorer.keeps_logits = False  # as for a model whose forward lacks it
    expected = [reference_loglikelihood(r.context, r.continuation) for r in REQUESTS]
    assert_matches(model.loglikelihood(REQUESTS), expected, 1e-4)
