"""Teacher-forced scoring: log p(continuation | context), the context as the encoder's
input and the continuation as the decoder's target.

The encoder runs once per distinct context: requests are grouped by context, the
``BatchRunner`` batches the contexts by length, and each batch's encoder states are
repeated for every continuation of their context (a multiple-choice question's N
answers share one encoder pass). Decoder rows are right-padded, with the label -100 at
padding. Only scored positions go through the softmax (their logits are gathered first,
then ``logsumexp``), and each batch comes back from the device in one transfer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from transformers.modeling_outputs import BaseModelOutput

from nlpbench import Loglikelihood, LoglikelihoodRequest
from nlpbench_transformers import BatchRunner, input_device

from .encoding import EncoderInputs, SpecialIds, right_padded

IGNORE = -100  # the label of a padding position: not scored


def target_ids(tokenizer: Any, continuations: Sequence[str], eos: int | None) -> list[list[int]]:
    """The decoder targets: each continuation without its leading whitespace (T5 targets
    have none), tokenized without specials, then ``eos`` if it is to be scored."""
    if not continuations:
        return []
    tokens = tokenizer([c.lstrip() for c in continuations], add_special_tokens=False)["input_ids"]
    return [[*row, eos] if eos is not None else list(row) for row in tokens]


def loglikelihood(
    model: Any,
    tokenizer: Any,
    encoder_inputs: EncoderInputs,
    ids: SpecialIds,
    runner: BatchRunner,
    requests: Sequence[LoglikelihoodRequest],
    *,
    score_eos: bool,
) -> list[Loglikelihood]:
    """One answer per request, in order."""
    if not requests:
        return []
    device = input_device(model)
    contexts: dict[str, int] = {}
    members: list[list[int]] = []  # request indices of each distinct context
    for index, request in enumerate(requests):
        slot = contexts.setdefault(request.context, len(contexts))
        if slot == len(members):
            members.append([])
        members[slot].append(index)
    sources = encoder_inputs(list(contexts))
    targets = target_ids(tokenizer, [r.continuation for r in requests], ids.eos[0] if score_eos else None)
    encoder = model.get_encoder()

    def work(batch: list[int]) -> list[list[tuple[int, Loglikelihood]]]:
        input_ids, attention_mask = right_padded([sources[c] for c in batch], ids.pad, device)
        states = encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        # decoder rows: (position of the context in this batch, request index), empty targets aside
        rows = [(k, r) for k, c in enumerate(batch) for r in members[c] if targets[r]]
        rows.sort(key=lambda row: -len(targets[row[1]]))  # similar lengths share a chunk
        sums, misses = [], []
        width = max(1, runner.batch_size)  # decoder rows per forward pass: the batch size, too
        for start in range(0, len(rows), width):
            chunk = rows[start : start + width]
            which = torch.tensor([k for k, _ in chunk], dtype=torch.long, device=device)
            labels = _labels([targets[r] for _, r in chunk], device)
            total, missed = _score(
                model,
                states.index_select(0, which.to(states.device)),
                attention_mask.index_select(0, which),
                labels,
                ids,
            )
            sums.append(total)
            misses.append(missed)
        values = torch.stack([torch.cat(sums), torch.cat(misses)], dim=1).tolist() if rows else []  # the one transfer
        answers: dict[int, Loglikelihood] = {}
        for (_, r), (logprob, missed) in zip(rows, values, strict=True):
            answers[r] = Loglikelihood(logprob=logprob, is_greedy=missed == 0, n_tokens=len(targets[r]))
        empty = Loglikelihood(logprob=0.0, is_greedy=True, n_tokens=0)  # nothing to score
        return [[(r, answers.get(r, empty)) for r in members[c]] for c in batch]

    with torch.inference_mode():
        grouped = runner.run([len(s) for s in sources], work)
    out: list[Loglikelihood | None] = [None] * len(requests)
    for group in grouped:
        for index, answer in group:
            out[index] = answer
    return out  # type: ignore[return-value]


def _labels(rows: Sequence[Sequence[int]], device: torch.device) -> torch.Tensor:
    """Targets right-padded with :data:`IGNORE`."""
    width = max(len(row) for row in rows)
    labels = torch.full((len(rows), width), IGNORE, dtype=torch.long)
    for i, row in enumerate(rows):
        labels[i, : len(row)] = torch.tensor(row, dtype=torch.long)
    return labels.to(device)


def _score(
    model: Any, states: torch.Tensor, attention_mask: torch.Tensor, labels: torch.Tensor, ids: SpecialIds
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per row: the summed log-probability of its labels, and how many of them were not the argmax."""
    scored = labels != IGNORE
    decoder_input_ids = torch.full_like(labels, ids.pad)
    decoder_input_ids[:, 0] = ids.decoder_start
    decoder_input_ids[:, 1:] = labels[:, :-1].masked_fill(~scored[:, :-1], ids.pad)  # teacher forcing: shifted right
    logits = model(
        encoder_outputs=BaseModelOutput(last_hidden_state=states),
        attention_mask=attention_mask,
        decoder_input_ids=decoder_input_ids,
        decoder_attention_mask=scored.long(),  # right padding: a real position never sees a padded one anyway
        use_cache=False,
    ).logits
    # a model spread over several GPUs gives its logits on the last one
    labels, scored = labels.to(logits.device), scored.to(logits.device)
    picked = logits[scored]  # (scored positions, vocabulary): the softmax never sees padding
    gold = labels[scored]
    token_logprob = picked.gather(1, gold.unsqueeze(1)).squeeze(1).float() - torch.logsumexp(picked.float(), dim=-1)
    missed = (picked.argmax(dim=-1) != gold).float()
    row = scored.nonzero()[:, 0]
    zeros = torch.zeros(labels.shape[0], dtype=torch.float32, device=labels.device)
    return zeros.index_add(0, row, token_logprob), zeros.index_add(0, row, missed)
