"""Text-to-text generation: the prompt is the encoder's input, the answer is decoded.

Requests are batched by encoder length (``BatchRunner``) and decoded with one
``model.generate`` call per batch, with the KV cache. Decoding is greedy; a request with
``temperature > 0`` is sampled *inside* that greedy loop by :class:`RowSampler`, which
draws its token from its own seeded uniforms and leaves only that token to the argmax.
So a sample depends on its seed, prompt and model, never on its batch, and greedy and
sampled requests share batches.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import torch
from transformers import LogitsProcessor, LogitsProcessorList, StoppingCriteria, StoppingCriteriaList

from nlpbench import GenerateRequest
from nlpbench_transformers import BatchRunner, input_device
from nlpbench_transformers.stopping import StopStrings

from .encoding import EncoderInputs, SpecialIds, right_padded


def sampling_seed(request: GenerateRequest, suite_seed: int) -> int:
    """The request's seed, or one made from the suite seed and the prompt (not its position)."""
    if request.seed is not None:
        return int(request.seed)
    return zlib.crc32(f"{suite_seed}\0{request.prompt}".encode())


def generate(
    model: Any,
    tokenizer: Any,
    encoder_inputs: EncoderInputs,
    ids: SpecialIds,
    runner: BatchRunner,
    requests: Sequence[GenerateRequest],
    suite_seed: int,
) -> list[str]:
    """One answer per request, in order: the decoded continuation, cut at the first stop."""
    if not requests:
        return []
    device = input_device(model)
    inputs = encoder_inputs([r.prompt for r in requests])

    def work(batch: list[int]) -> list[str]:
        chosen = [requests[i] for i in batch]
        limits = [max(0, r.max_new_tokens) for r in chosen]
        longest = max(limits)
        if longest == 0:
            return [""] * len(batch)
        input_ids, attention_mask = right_padded([inputs[i] for i in batch], ids.pad, device)
        processors = LogitsProcessorList()
        if any(r.temperature > 0 for r in chosen):
            processors.append(RowSampler(chosen, limits, longest, suite_seed, device))
        criteria = StoppingCriteriaList([RowLimits(limits, device)])
        if any(r.stop for r in chosen):
            criteria.append(StopStrings(tokenizer, 1, [r.stop for r in chosen]))  # 1: after the start token
        out = model.generate(
            input_ids=input_ids,
            attention_mask=attention_mask,
            max_new_tokens=longest,
            do_sample=False,  # sampled rows are drawn by RowSampler, see the module docstring
            num_beams=1,
            use_cache=True,
            logits_processor=processors,
            stopping_criteria=criteria,
            pad_token_id=ids.pad,
            eos_token_id=list(ids.eos),
            decoder_start_token_id=ids.decoder_start,
        )
        # one transfer per batch (stop strings add one per step); position 0 is the decoder start token
        rows = out[:, 1:].cpu().tolist()
        return [
            _finish(row[:limit], r.stop, ids, tokenizer) for row, limit, r in zip(rows, limits, chosen, strict=True)
        ]

    with torch.inference_mode():
        return runner.run([len(x) for x in inputs], work)


def _finish(tokens: list[int], stop: Sequence[str], ids: SpecialIds, tokenizer: Any) -> str:
    """Tokens up to the first end of sequence, decoded without specials, cut at the first stop."""
    for position, token in enumerate(tokens):
        if token in ids.eos:
            tokens = tokens[:position]
            break
    return cut_at_stop(str(tokenizer.decode(tokens, skip_special_tokens=True)), stop)


def cut_at_stop(text: str, stop: Sequence[str]) -> str:
    """``text`` up to the earliest occurrence of any of ``stop`` (which is dropped)."""
    found = [index for index in (text.find(s) for s in stop if s) if index >= 0]
    return text[: min(found)] if found else text


class RowSampler(LogitsProcessor):
    """Samples the rows whose request has ``temperature > 0``, from the request's own seeded
    uniforms (inverse CDF), and masks every other token of those rows so that greedy
    decoding picks the sample. Greedy rows pass through untouched."""

    def __init__(
        self,
        requests: Sequence[GenerateRequest],
        limits: Sequence[int],
        width: int,
        suite_seed: int,
        device: torch.device,
    ) -> None:
        sampled = [i for i, r in enumerate(requests) if r.temperature > 0]
        uniforms = torch.zeros((len(sampled), width), dtype=torch.float32)
        for k, i in enumerate(sampled):
            generator = torch.Generator().manual_seed(sampling_seed(requests[i], suite_seed))
            # as many draws as the request's own limit, so its batch's longest limit doesn't matter
            uniforms[k, : limits[i]] = torch.rand(limits[i], generator=generator)
        self.rows = torch.tensor(sampled, dtype=torch.long, device=device)
        self.temperatures = torch.tensor([requests[i].temperature for i in sampled], device=device).unsqueeze(1)
        self.uniforms = uniforms.to(device)

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        step = min(input_ids.shape[1] - 1, self.uniforms.shape[1] - 1)  # tokens generated so far
        probs = torch.softmax(scores[self.rows].float() / self.temperatures, dim=-1)
        cdf = probs.cumsum(dim=-1)
        target = (self.uniforms[:, step] * cdf[:, -1]).unsqueeze(1)
        picked = torch.searchsorted(cdf, target, right=True).clamp(max=scores.shape[-1] - 1)
        only = torch.full_like(scores[self.rows], float("-inf")).scatter_(1, picked, 0.0)
        out = scores.clone()
        out[self.rows] = only
        return out  # type: ignore[return-value]


class RowLimits(StoppingCriteria):
    """Each row stops at its own request's ``max_new_tokens``."""

    def __init__(self, limits: Sequence[int], device: torch.device) -> None:
        self.limits = torch.tensor(limits, dtype=torch.long, device=device)

    def __call__(self, input_ids: torch.LongTensor, scores: Any, **kwargs: Any) -> torch.BoolTensor:
        return (input_ids.shape[1] - 1 >= self.limits).to(input_ids.device)  # type: ignore[return-value]
