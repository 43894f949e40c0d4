"""StopStrings, which decodes only each row's tail, stops every row at the step where
decoding the row's whole generated text first shows a stop string."""

from __future__ import annotations

import random

import pytest
import torch
from transformers import PreTrainedTokenizerFast

from nlpbench_transformers.bpe import gpt2_bpe
from nlpbench_transformers.stopping import StopStrings


@pytest.fixture(scope="module")
def tokenizer() -> PreTrainedTokenizerFast:
    return PreTrainedTokenizerFast(tokenizer_object=gpt2_bpe()._tokenizer)


def first_stop_by_full_decoding(tokenizer: PreTrainedTokenizerFast, tokens: list[int], stops: tuple[str, ...]) -> int:
    """The step (tokens generated) at which the whole text first holds a stop; 0 if never."""
    for step in range(1, len(tokens) + 1):
        text = tokenizer.decode(tokens[:step], skip_special_tokens=True)
        if any(stop in text for stop in stops if stop):
            return step
    return 0


def first_stop_by_criterion(tokens: list[list[int]], prompt: list[int], criterion: StopStrings) -> list[int]:
    stopped = [0] * len(tokens)
    for step in range(1, len(tokens[0]) + 1):
        ids = torch.tensor([[*prompt, *row[:step]] for row in tokens])
        done = criterion(ids, None).tolist()  # type: ignore[arg-type]
        stopped = [before or (step if now else 0) for before, now in zip(stopped, done, strict=True)]
    return stopped


def test_tail_decoding_stops_where_full_decoding_does(tokenizer: PreTrainedTokenizerFast) -> None:
    rng = random.Random(7)
    # text with multi-byte characters (cut across tokens), spaces and newlines
    pieces = ["café", " naïve", "😀", " the", " end", "\n", "\n\n", "Q:", " A:", "ab", "ba", " 東京", "."]
    rows = [tokenizer.encode("".join(rng.choice(pieces) for _ in range(12)))[:24] for _ in range(40)]
    rows = [row + [tokenizer.encode(" x")[0]] * (24 - len(row)) for row in rows]
    stop_sets = [("\n\n",), ("Q:", " A:"), ("😀",), ("京",), ("ïve",), (".", ""), ("never there",), ()]
    prompt = tokenizer.encode("Prompt text")
    for stops in stop_sets:
        criterion = StopStrings(tokenizer, len(prompt), [stops] * len(rows))
        expected = [first_stop_by_full_decoding(tokenizer, row, stops) for row in rows]
        assert first_stop_by_criterion(rows, prompt, criterion) == expected, stops
    assert any(first_stop_by_full_decoding(tokenizer, row, ("😀",)) for row in rows)  # the test hits stops


def test_rows_without_stops_never_stop(tokenizer: PreTrainedTokenizerFast) -> None:
    criterion = StopStrings(tokenizer, 0, [(), ("",)])
    ids = torch.tensor([tokenizer.encode("a b c"), tokenizer.encode("a b c")])
    assert criterion(ids, None).tolist() == [False, False]  # type: ignore[arg-type]
