"""Generation: batched greedy equals one-at-a-time model.generate; stops; seeded sampling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nlpbench import GenerateRequest, ModelError
from nlpbench_gpt.generation import cut_at_stop

PROMPTS = [
    "Once upon a time",
    "The capital of France is",
    "Q: What is two plus two?\nA:",
    "A",
    "In a long and detailed report published yesterday, the committee said that",
    "def add(a, b):",
    "Numbers: 1, 2, 3,",
    "She opened the door and",
    "Translate to French: cheese =>",
    "",
]


@pytest.fixture(scope="module")
def greedy_texts(reference_generate: Callable[[str, int], str]) -> list[str]:
    return [reference_generate(prompt or "<|endoftext|>", 8) for prompt in PROMPTS]


@pytest.mark.parametrize("batch_size", [1, 3, 8])
def test_greedy_equals_one_at_a_time(gpt: Callable[..., Any], greedy_texts: list[str], batch_size: int) -> None:
    model = gpt(batch_size=batch_size, dtype="float32")
    got = model.generate([GenerateRequest(prompt, max_new_tokens=8) for prompt in PROMPTS])
    assert got == greedy_texts
    assert all(text for text in got[:-1])  # the untrained model still says something


def test_stop_strings_cut_the_text(gpt: Callable[..., Any], greedy_texts: list[str]) -> None:
    model = gpt(batch_size=3)
    # stop strings picked from what greedy decoding is known to produce
    stops = [(text[2:4],) if len(text) > 4 else () for text in greedy_texts]
    got = model.generate([GenerateRequest(p, max_new_tokens=8, stop=s) for p, s in zip(PROMPTS, stops, strict=True)])
    for text, full, stop in zip(got, greedy_texts, stops, strict=True):
        assert text == (full[: full.find(stop[0])] if stop else full)
        assert not stop or stop[0] not in text
    # of several stops, the first occurrence wins; an empty stop is ignored
    full = greedy_texts[1]
    late, early = full[5:8], full[3:5]
    (got_one,) = model.generate([GenerateRequest(PROMPTS[1], max_new_tokens=8, stop=("", late, early))])
    assert got_one == full[: min(full.find(late), full.find(early))]


def test_generation_ends_early_when_every_row_has_stopped(
    gpt: Callable[..., Any], greedy_texts: list[str], count_inputs: Any
) -> None:
    model = gpt(batch_size=8)
    requests = [
        GenerateRequest(p, max_new_tokens=60, stop=(t[:2],)) for p, t in zip(PROMPTS[:3], greedy_texts[:3], strict=True)
    ]
    with count_inputs(model) as counter:
        got = model.generate(requests)
    assert got == ["", "", ""]
    assert counter.calls < 10  # not 60


def test_cut_at_stop() -> None:
    assert cut_at_stop("a\nb.c", ["\n", "."]) == "a"
    assert cut_at_stop("a.b\nc", ["\n", "."]) == "a"
    assert cut_at_stop("abc", ["x", ""]) == "abc"


def test_seeded_sampling_is_reproducible_and_independent_of_the_batch(gpt: Callable[..., Any]) -> None:
    def sample(batch_size: int, seed: int) -> list[str]:
        requests = [GenerateRequest(p, max_new_tokens=6, temperature=1.0, seed=seed + i) for i, p in enumerate(PROMPTS)]
        return list(gpt(batch_size=batch_size).generate(requests))

    first = sample(3, seed=1)
    assert sample(3, seed=1) == first
    assert sample(8, seed=1) == first  # a row's sample depends on its seed, not its batch
    assert sample(1, seed=1) == first
    other = sample(3, seed=100)
    assert sum(a != b for a, b in zip(first, other, strict=True)) >= len(PROMPTS) // 2


def test_greedy_rows_are_unaffected_by_sampled_rows_in_their_batch(
    gpt: Callable[..., Any], greedy_texts: list[str]
) -> None:
    requests = [
        GenerateRequest(p, max_new_tokens=8, temperature=0.0 if i % 2 else 0.9, seed=i) for i, p in enumerate(PROMPTS)
    ]
    got = gpt(batch_size=8).generate(requests)
    assert [text for i, text in enumerate(got) if i % 2] == [t for i, t in enumerate(greedy_texts) if i % 2]


def test_a_request_without_a_seed_samples_reproducibly(load_gpt: Callable[..., Any]) -> None:
    requests = [GenerateRequest("Once upon a time", max_new_tokens=6, temperature=1.0)]
    assert load_gpt().generate(requests) == load_gpt().generate(requests)


def test_requests_with_different_budgets(gpt: Callable[..., Any], greedy_texts: list[str]) -> None:
    requests = [GenerateRequest(PROMPTS[0], max_new_tokens=8), GenerateRequest(PROMPTS[0], max_new_tokens=0)]
    requests += [GenerateRequest(PROMPTS[1], max_new_tokens=2)]
    got = gpt(batch_size=8).generate(requests)
    assert got[0] == greedy_texts[0]
    assert got[1] == ""
    assert greedy_texts[1].startswith(got[2]) and got[2]


def test_long_prompts_keep_their_end_and_are_recorded(load_gpt: Callable[..., Any]) -> None:
    model = load_gpt(max_length=16)
    (text,) = model.generate([GenerateRequest(PROMPTS[4] * 3, max_new_tokens=4)])
    assert isinstance(text, str)
    facts = model.describe()
    assert facts["truncated_inputs"] == 1
    with pytest.raises(ModelError, match="no room"):
        model.generate([GenerateRequest("hi", max_new_tokens=16)])
    with pytest.raises(ModelError, match="temperature"):
        model.generate([GenerateRequest("hi", temperature=-1.0)])
