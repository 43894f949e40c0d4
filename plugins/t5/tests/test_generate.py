"""Generation: greedy equals one-at-a-time model.generate at every batch size, stop
strings cut, sampling is seeded per request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nlpbench import GenerateRequest
from nlpbench_t5.generation import cut_at_stop

PROMPTS = [
    "translate German to English: Das Haus ist klein.",
    "summarize: the cat sat on the mat and looked at the dog for a long while.",
    "question: who wrote it? context: Ann wrote the book in 1990.",
    "a",
    "good film",
    "the film was good. Sentiment:",
    "translate English to French: The weather is nice today, isn't it?",
    "cola sentence: The books was on the table.",
    "x y z",
    "",
]
GREEDY = [GenerateRequest(p, max_new_tokens=4 + (i % 4) * 3) for i, p in enumerate(PROMPTS)]


def one_at_a_time(reference: tuple[Any, Any], request: GenerateRequest) -> str:
    import torch

    model, tokenizer = reference
    source = torch.tensor([tokenizer(request.prompt)["input_ids"]])
    with torch.no_grad():
        out = model.generate(input_ids=source, max_new_tokens=request.max_new_tokens, do_sample=False)
    return str(tokenizer.decode(out[0, 1:], skip_special_tokens=True))


def test_greedy_equals_model_generate_at_every_batch_size(load: Callable[..., Any], reference: tuple[Any, Any]) -> None:
    want = [one_at_a_time(reference, r) for r in GREEDY]
    # the untrained model still says different things to different prompts
    assert len(set(want)) >= len(want) - 2 and sum(bool(w.strip()) for w in want) >= len(want) - 2
    for batch_size in (1, 3, 8):
        assert load(batch_size=batch_size).generate(GREEDY) == want, f"batch_size {batch_size}"


def test_max_new_tokens_is_per_request(load: Callable[..., Any]) -> None:
    prompt = PROMPTS[1]
    short, long = load(batch_size=2).generate([GenerateRequest(prompt, max_new_tokens=2), GenerateRequest(prompt, 9)])
    assert long.startswith(short) and len(long) > len(short)
    assert load().generate([GenerateRequest(prompt, max_new_tokens=0)]) == [""]


def test_stop_strings_cut_the_answer(load: Callable[..., Any]) -> None:
    model = load(batch_size=4)
    plain = model.generate(GREEDY)
    index = next(i for i, text in enumerate(plain) if len(text) >= 8)
    text = plain[index]
    stop = text[3:6]
    cut = text[: text.index(stop)]
    request = GenerateRequest(GREEDY[index].prompt, GREEDY[index].max_new_tokens, stop=(stop,))
    never = GenerateRequest(GREEDY[index].prompt, GREEDY[index].max_new_tokens, stop=("\u2603 never",))
    # stopping one row early leaves every other row of its batch as it was
    mixed = [*GREEDY, request, never]
    answers = model.generate(mixed)
    assert answers[: len(GREEDY)] == plain
    assert answers[-2:] == [cut, text]


def test_cut_at_stop() -> None:
    assert cut_at_stop("abc\ndef. ghi", ("\n", ".")) == "abc"
    assert cut_at_stop("abc. def\nghi", ("\n", ".")) == "abc"
    assert cut_at_stop("abc", ()) == "abc"
    assert cut_at_stop("abc", ("",)) == "abc"
    assert cut_at_stop("abc", ("abc",)) == ""


def test_seeded_sampling_is_reproducible_in_any_batch(load: Callable[..., Any]) -> None:
    sampled = [GenerateRequest(p, max_new_tokens=6, temperature=1.0, seed=11) for p in PROMPTS[:4]]
    alone = load(batch_size=1).generate(sampled)
    assert alone == load(batch_size=1).generate(sampled)
    # mixed with greedy requests, in batches of 3 and 8, and in another order
    mixed = [r for pair in zip(GREEDY[:4], sampled, strict=True) for r in pair]
    for batch_size in (3, 8):
        answers = load(batch_size=batch_size).generate(mixed)
        assert answers[1::2] == alone
        assert answers[0::2] == load(batch_size=1).generate(GREEDY[:4])
    assert load(batch_size=3).generate(sampled[::-1]) == alone[::-1]
    other_seed = [GenerateRequest(r.prompt, 6, temperature=1.0, seed=12) for r in sampled]
    assert load().generate(other_seed) != alone
    assert alone != load().generate([GenerateRequest(r.prompt, 6) for r in sampled])


def test_unseeded_sampling_uses_the_suite_seed_and_prompt(load: Callable[..., Any]) -> None:
    sampled = [GenerateRequest(p, max_new_tokens=6, temperature=0.7) for p in PROMPTS[:5]]
    first = load(batch_size=2).generate(sampled)
    assert first == load(batch_size=5).generate(sampled)
    assert load(batch_size=5).generate(sampled[2:3]) == first[2:3]


def test_the_sampler_draws_from_the_softmax() -> None:
    import torch

    from nlpbench_t5.generation import RowSampler

    probs = torch.tensor([0.1, 0.2, 0.3, 0.4])
    n = 4000
    requests = [GenerateRequest("p", 1, temperature=1.0, seed=s) for s in range(n)]
    sampler = RowSampler(requests, [1] * n, 1, 0, torch.device("cpu"))
    scores = probs.log().repeat(n, 1)
    picked = sampler(torch.zeros((n, 1), dtype=torch.long), scores).argmax(dim=-1)  # type: ignore[arg-type]
    frequencies = torch.bincount(picked, minlength=4).float() / n
    assert torch.allclose(frequencies, probs, atol=0.03)
    # a low temperature sharpens towards the most likely token
    cold = RowSampler(
        [GenerateRequest("p", 1, temperature=0.1, seed=s) for s in range(n)], [1] * n, 1, 0, torch.device("cpu")
    )
    assert float((cold(torch.zeros((n, 1), dtype=torch.long), scores).argmax(dim=-1) == 3).float().mean()) > 0.9  # type: ignore[arg-type]


def test_no_requests(load: Callable[..., Any]) -> None:
    assert load().generate([]) == []


@pytest.mark.parametrize("batch_size", [1, 4])
def test_a_long_prompt_is_truncated_not_refused(load: Callable[..., Any], batch_size: int) -> None:
    model = load(fresh=True, batch_size=batch_size, max_length=16)
    answers = model.generate([GenerateRequest("word " * 100, max_new_tokens=3), GenerateRequest("short", 3)])
    assert len(answers) == 2
    assert model.describe()["truncated_inputs"] == 1
