"""Rolling log-likelihood of whole texts (perplexity), against a direct computation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

from nlpbench import LoglikelihoodRollingRequest, ModelError
from nlpbench_gpt.windows import rolling_windows

TEXT = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of "
    "foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the season of Light."
)


def direct_rolling(model: Any, tokenizer: Any, text: str, max_length: int, stride: int) -> tuple[float, int]:
    """Hugging Face's perplexity recipe, token by token: windows of at most ``max_length``
    input tokens start every ``stride`` tokens; each token is scored by the first window
    whose input ends right before it or later, from everything in that window before it."""
    tokens = [tokenizer.eos_token_id, *tokenizer(text)["input_ids"]]
    n = len(tokens) - 1
    total, scored, start = 0.0, 0, 0
    while scored < n:
        last = min(start + max_length, n)
        for i in range(scored + 1, last + 1):  # token i, predicted from tokens[start:i]
            with torch.no_grad():
                logits = model(torch.tensor([tokens[start:i]])).logits[0, -1]
            total += torch.log_softmax(logits, dim=-1)[tokens[i]].item()
        scored, start = last, start + stride
    return total, n


@pytest.mark.parametrize(("max_length", "stride"), [(16, 5), (16, 16), (12, 1)])
def test_equals_a_direct_token_by_token_computation(
    gpt: Callable[..., Any], reference_model: Any, tokenizer: Any, max_length: int, stride: int
) -> None:
    n_tokens = len(tokenizer(TEXT)["input_ids"])
    assert n_tokens > 2 * max_length  # several windows
    model = gpt(max_length=max_length, batch_size=4)
    (answer,) = model.loglikelihood_rolling([LoglikelihoodRollingRequest(TEXT, stride=stride)])
    expected, n = direct_rolling(reference_model, tokenizer, TEXT, max_length, stride)
    assert answer.n_tokens == n == n_tokens
    assert answer.logprob == pytest.approx(expected, abs=1e-4)


def test_several_texts_and_the_default_stride(gpt: Callable[..., Any], reference_model: Any, tokenizer: Any) -> None:
    model = gpt(max_length=20, rolling_stride=7, batch_size=3)
    texts = [TEXT, "Short.", "", TEXT[:90]]
    answers = model.loglikelihood_rolling([LoglikelihoodRollingRequest(text) for text in texts])
    for text, answer in zip(texts, answers, strict=True):
        expected, n = direct_rolling(reference_model, tokenizer, text, 20, 7) if text else (0.0, 0)
        assert answer.n_tokens == n
        assert answer.logprob == pytest.approx(expected, abs=1e-4)
    assert model.describe()["rolling_stride"] == 7
    assert model.describe()["truncated_inputs"] == 0  # windows are not truncation


def test_bad_strides(gpt: Callable[..., Any]) -> None:
    model = gpt(max_length=16)
    for stride in (0, 17):
        with pytest.raises(ModelError, match="stride"):
            model.loglikelihood_rolling([LoglikelihoodRollingRequest("text", stride=stride)])


def test_each_request_keeps_its_own_stride(gpt: Callable[..., Any], reference_model: Any, tokenizer: Any) -> None:
    model = gpt(max_length=16, rolling_stride=8, batch_size=4)
    requests = [LoglikelihoodRollingRequest(TEXT, stride=s) for s in (3, None, 16)]
    answers = model.loglikelihood_rolling(requests)
    for stride, answer in zip((3, 8, 16), answers, strict=True):
        expected, n = direct_rolling(reference_model, tokenizer, TEXT, 16, stride)
        assert answer.n_tokens == n
        assert answer.logprob == pytest.approx(expected, abs=1e-4)
    assert answers[0].logprob != pytest.approx(answers[2].logprob, abs=1e-3)  # the strides made a difference


@pytest.mark.parametrize(("n", "max_length", "stride"), [(1, 4, 2), (10, 4, 1), (10, 4, 4), (37, 8, 3), (8, 8, 5)])
def test_windows_score_every_token_once(n: int, max_length: int, stride: int) -> None:
    windows = rolling_windows(n, max_length, stride)
    scored = [i for _, first, last in windows for i in range(first, last + 1)]
    assert scored == list(range(1, n + 1))
    for k, (start, first, last) in enumerate(windows):
        assert start == k * stride
        assert 0 < last - start <= max_length  # the model's input fits
        assert start < first  # every scored token has context
        if k:
            assert first - start == max_length - stride + 1


def test_no_windows_for_an_empty_text() -> None:
    assert rolling_windows(0, 8, 4) == []
    with pytest.raises(ValueError):
        rolling_windows(5, 8, 9)


def lm_eval_windows(tokens: list[int], prefix: int, max_length: int) -> list[tuple[list[int], list[int]]]:
    """lm-evaluation-harness's rolling windows as its docs describe them, written out
    here on their own: the first window scores the first ``max_length`` tokens after the
    prefix token; each next one scores up to ``max_length`` more, its input the
    ``max_length`` tokens ending right before its last scored token (so a full window
    conditions on one earlier token, the short last one on more)."""
    windows = [([prefix], tokens[:max_length])]
    done = min(max_length, len(tokens))
    while done < len(tokens):
        count = min(len(tokens) - done, max_length)
        end = done + count
        window_input = tokens[end - max_length - 1 : end - 1]
        windows.append((window_input[: len(window_input) - (count - 1)], tokens[end - count : end]))
        done = end
    return windows


@pytest.mark.parametrize(("n", "max_length"), [(1, 4), (4, 4), (5, 4), (9, 4), (13, 5), (40, 16)])
def test_disjoint_windows_are_lm_evaluation_harness_s(n: int, max_length: int) -> None:
    from nlpbench_gpt.windows import disjoint_window_pairs

    tokens = list(range(100, 100 + n))
    pairs = disjoint_window_pairs(tokens, 7, max_length)
    assert [(list(p), list(t)) for p, t in pairs] == lm_eval_windows(tokens, 7, max_length)
    assert [t for _, scored in pairs for t in scored] == tokens  # every token once
    assert all(len(prefix) + len(scored) - 1 <= max_length for prefix, scored in pairs)


def test_disjoint_windows_score_as_a_direct_computation(
    gpt: Callable[..., Any], reference_model: Any, tokenizer: Any
) -> None:
    model = gpt(max_length=16, batch_size=2)
    (answer,) = model.loglikelihood_rolling([LoglikelihoodRollingRequest(TEXT, windows="disjoint")])
    tokens = tokenizer(TEXT)["input_ids"]
    expected = 0.0
    for context, scored in lm_eval_windows(tokens, tokenizer.eos_token_id, 16):
        sequence = [*context, *scored]
        with torch.no_grad():
            logits = reference_model(torch.tensor([sequence[:-1]])).logits[0]
        logprobs = torch.log_softmax(logits, dim=-1)
        expected += sum(logprobs[len(context) - 1 + i, token].item() for i, token in enumerate(scored))
    assert answer.n_tokens == len(tokens)
    assert answer.logprob == pytest.approx(expected, abs=1e-4)
