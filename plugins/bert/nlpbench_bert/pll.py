"""Pseudo-log-likelihood with a masked-LM head (Salazar et al., 2020, "Masked Language
Model Scoring"): mask each continuation token in turn, with the context and the rest of
the continuation visible, and sum the log-probabilities of the true tokens.

Batched as one row per masked position, so a request with k continuation tokens costs
k rows, batched with every other request's rows by length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from nlpbench import Loglikelihood, LoglikelihoodRequest, ModelError

from .inputs import Row, pad
from .runtime import Runtime


@dataclass(frozen=True)
class Scored:
    """One request's sequence and the positions of its continuation tokens in it."""

    ids: list[int]  # special tokens included
    positions: range


def pseudo_loglikelihood(runtime: Runtime, requests: Sequence[LoglikelihoodRequest]) -> list[Loglikelihood]:
    """``logprob``: the sum over continuation tokens; ``is_greedy``: every masked token
    is the head's top guess; ``n_tokens``: the continuation's tokens."""
    scored = _sequences(runtime, requests)
    masked = [(i, position) for i, item in enumerate(scored) for position in item.positions]
    mask_id = int(runtime.tokenizer.mask_token_id)
    token_types = runtime.token_types

    def work(batch: list[int]) -> list[tuple[float, bool]]:
        rows, targets, where = [], [], []
        for b in batch:
            i, position = masked[b]
            ids = list(scored[i].ids)
            targets.append(ids[position])
            ids[position] = mask_id
            rows.append(Row(ids, [0] * len(ids) if token_types else None))
            where.append(position)
        inputs = pad(runtime, rows)
        with torch.inference_mode():
            logits = runtime.model(**inputs).logits
            picked = logits[torch.arange(len(batch), device=logits.device), torch.tensor(where, device=logits.device)]
            picked = picked.float()
            true = torch.tensor(targets, device=logits.device)
            logprobs = picked.log_softmax(dim=-1).gather(1, true.unsqueeze(1)).squeeze(1)
            greedy = picked.argmax(dim=-1) == true
            both = torch.stack((logprobs.double(), greedy.double()), dim=1).cpu().tolist()  # one transfer
        return [(float(lp), bool(g)) for lp, g in both]

    results = runtime.runner.run([len(scored[i].ids) for i, _ in masked], work)
    answers = []
    cursor = 0
    for item in scored:
        mine = results[cursor : cursor + len(item.positions)]
        cursor += len(item.positions)
        answers.append(
            Loglikelihood(
                logprob=float(sum(lp for lp, _ in mine)),
                is_greedy=all(g for _, g in mine),
                n_tokens=len(item.positions),
            )
        )
    return answers


def _sequences(runtime: Runtime, requests: Sequence[LoglikelihoodRequest]) -> list[Scored]:
    """Each ``context + continuation`` tokenized once (batched); the continuation's tokens
    are those that end past the context's last character, so a word split across the
    boundary counts as continuation. Too long: the start of the context is cut."""
    tokenizer, limit = runtime.tokenizer, runtime.max_length
    cls, sep = int(tokenizer.cls_token_id), int(tokenizer.sep_token_id)
    texts = [request.context + request.continuation for request in requests]
    encoded = tokenizer(texts, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    scored = []
    for request, ids, offsets in zip(requests, encoded["input_ids"], encoded["offset_mapping"], strict=True):
        boundary = len(request.context)
        first = next((k for k, (_, end) in enumerate(offsets) if end > boundary), len(ids))
        count = len(ids) - first
        if count > limit - 2:
            raise ModelError(
                f"a continuation of {count} tokens does not fit max_length {limit} "
                f"(continuation starts {request.continuation[:40]!r})"
            )
        ids = runtime.context_truncation.cut(list(ids), keep=limit - 2)
        start = 1 + len(ids) - count  # after [CLS]
        scored.append(Scored([cls, *ids, sep], range(start, start + count)))
    return scored
