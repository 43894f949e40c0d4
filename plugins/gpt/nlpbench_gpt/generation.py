"""Batched generation with a causal LM: left padding, the KV cache, stop strings, and
sampling that is reproducible per request.

``model.generate`` does the decoding (greedy, with the cache). Sampling is not HF's
``do_sample``, which draws every row from one global random stream, so a row's sample
would depend on its batch. Instead :class:`SeededSampler`, a logits processor, draws
each sampled row's token from that row's own ``torch.Generator`` (seeded from its
request) and hands greedy decoding a distribution with all its mass on that token.
A request's text therefore depends on its own seed, not on the batch it landed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from transformers import GenerationConfig, LogitsProcessor, LogitsProcessorList, StoppingCriteriaList

from nlpbench_transformers.stopping import StopStrings


@dataclass(frozen=True)
class Prompt:
    """One generation to make: prompt tokens and how to decode after them."""

    tokens: tuple[int, ...]
    stop: tuple[str, ...]
    temperature: float
    seed: int


class SeededSampler(LogitsProcessor):
    """Samples each row with ``temperature > 0`` from its own generator; other rows stay greedy."""

    def __init__(self, temperatures: Sequence[float], seeds: Sequence[int], device: torch.device) -> None:
        self.rows = [
            (row, temperature, torch.Generator(device=device).manual_seed(seed % 2**64))
            for row, (temperature, seed) in enumerate(zip(temperatures, seeds, strict=True))
            if temperature > 0
        ]

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        scores = scores.clone()  # type: ignore[assignment]
        for row, temperature, generator in self.rows:
            probabilities = torch.softmax(scores[row].float() / temperature, dim=-1)
            token = torch.multinomial(probabilities, 1, generator=generator)
            scores[row] = float("-inf")
            scores[row, token] = 0.0
        return scores


def cut_at_stop(text: str, stops: Sequence[str]) -> str:
    """``text`` up to the first occurrence of any of ``stops`` (empty stops are ignored)."""
    cuts = [found for found in (text.find(stop) for stop in stops if stop) if found >= 0]
    return text[: min(cuts)] if cuts else text


class Generator:
    """Generates for a batch of prompts that share ``max_new_tokens``."""

    def __init__(self, model: Any, tokenizer: Any, device: torch.device, pad_id: int, eos_ids: Sequence[int]) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.device = device
        self.pad_id = pad_id
        self.eos_ids = list(eos_ids)

    @torch.inference_mode()
    def generate(self, prompts: Sequence[Prompt], max_new_tokens: int) -> list[str]:
        width = max(len(prompt.tokens) for prompt in prompts)
        ids = torch.tensor([[*[self.pad_id] * (width - len(p.tokens)), *p.tokens] for p in prompts], device=self.device)
        mask = (torch.arange(width, device=self.device)[None, :] >= torch.tensor(
            [width - len(p.tokens) for p in prompts], device=self.device
        )[:, None]).long()  # fmt: skip
        processors = LogitsProcessorList()
        if any(p.temperature > 0 for p in prompts):
            processors.append(SeededSampler([p.temperature for p in prompts], [p.seed for p in prompts], self.device))
        criteria = StoppingCriteriaList()
        if any(p.stop for p in prompts):
            criteria.append(StopStrings(self.tokenizer, width, [p.stop for p in prompts]))
        config = GenerationConfig(
            max_new_tokens=max_new_tokens,
            do_sample=False,  # sampling, when asked for, is SeededSampler's
            num_beams=1,
            repetition_penalty=1.0,
            no_repeat_ngram_size=0,
            pad_token_id=self.pad_id,
            eos_token_id=self.eos_ids or None,
            use_cache=True,
        )
        out = self.model.generate(
            input_ids=ids,
            attention_mask=mask,
            generation_config=config,
            logits_processor=processors,
            stopping_criteria=criteria,
        )
        new = out[:, width:].tolist()  # one device-to-host transfer
        return [self._text(tokens, prompt.stop) for tokens, prompt in zip(new, prompts, strict=True)]

    def _text(self, tokens: list[int], stop: tuple[str, ...]) -> str:
        for index, token in enumerate(tokens):
            if token in self.eos_ids:
                tokens = tokens[:index]
                break
        return cut_at_stop(self.tokenizer.decode(tokens, skip_special_tokens=True), stop)
