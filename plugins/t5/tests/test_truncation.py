"""Encoder inputs longer than max_length are cut on the truncation side, counted, and
the tokenizer's own special tokens (</s> for T5) survive the cut."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nlpbench import LoglikelihoodRequest

LONG = "summarize: " + " ".join(f"word{i}" for i in range(40))


def test_right_truncation_keeps_the_task_prefix(load: Callable[..., Any]) -> None:
    model = load(fresh=True, max_length=8)
    (ids,) = model.encoder_inputs([LONG])
    tokenizer = model.loaded.tokenizer
    full = tokenizer(LONG)["input_ids"]
    assert ids == [*full[:7], tokenizer.eos_token_id]
    facts = model.describe()
    assert facts["truncation_side"] == "right" and facts["max_length"] == 8
    assert facts["truncated_inputs"] == 1 and facts["truncated_tokens"] == len(full) - 8


def test_left_truncation_keeps_the_end(load: Callable[..., Any]) -> None:
    model = load(fresh=True, max_length=8, truncation="left")
    (ids,) = model.encoder_inputs([LONG])
    full = model.loaded.tokenizer(LONG)["input_ids"]
    assert ids == full[-8:]
    assert model.describe()["truncation_side"] == "left"


def test_scoring_sees_only_what_fits(load: Callable[..., Any]) -> None:
    # two sources that differ only after the cut score the same
    model = load(fresh=True, max_length=8)
    a, b = model.loglikelihood(
        [LoglikelihoodRequest(LONG + " alpha", " yes"), LoglikelihoodRequest(LONG + " omega", " yes")]
    )
    assert a.logprob == pytest.approx(b.logprob, abs=1e-6)
    assert model.describe()["truncated_inputs"] == 2
    untruncated = load(fresh=True)
    c, d = untruncated.loglikelihood(
        [LoglikelihoodRequest(LONG + " alpha", " yes"), LoglikelihoodRequest(LONG + " omega", " yes")]
    )
    assert c.logprob != pytest.approx(d.logprob, abs=1e-6)
    assert untruncated.describe()["truncated_inputs"] == 0


def test_short_inputs_are_untouched(load: Callable[..., Any]) -> None:
    model = load(fresh=True, max_length=8)
    tokenizer = model.loaded.tokenizer
    assert model.encoder_inputs(["hi there", ""]) == [tokenizer("hi there")["input_ids"], [tokenizer.eos_token_id]]
    assert model.describe()["truncated_inputs"] == 0
