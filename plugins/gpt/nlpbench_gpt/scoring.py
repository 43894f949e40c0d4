"""Scoring token sequences with a causal LM: batched, exact, and sharing contexts.

A *pair* is (prefix, targets): the log-probability of ``targets`` following ``prefix``.
Two ways to run a batch, both right-padded with an attention mask:

- **one pass** (a prefix scored once): the model reads ``prefix + targets[:-1]`` and
  the targets are scored from the last ``len(targets)`` positions;
- **shared prefix** (one prefix, several continuations: a question and its answer
  choices): the model reads the prefix once with its KV cache, the first token of
  every continuation is scored from the prefix's last position, and the rest of the
  continuations run as one batch on the cache, expanded to one row per continuation,
  with their own position ids.

Either way the model computes logits only at the positions that are scored
(``logits_to_keep`` with a boolean mask, so the vocabulary projection skips the rest),
log_softmax runs on those rows only, per-pair sums are reduced on the device, and each
batch makes one device-to-host transfer.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import torch
from transformers import modeling_utils

from nlpbench_transformers import BatchRunner

from .encoding import Pair

#: Per pair: (sum of the targets' log-probabilities, whether each target was the argmax).
Score = tuple[float, bool]


class Scorer:
    """Scores pairs with ``model`` in batches that ``runner`` sizes and orders."""

    def __init__(self, model: Any, device: torch.device, pad_id: int, runner: BatchRunner) -> None:
        self.model = model
        self.device = device
        self.pad_id = pad_id
        self.runner = runner
        accepted = inspect.signature(model.forward).parameters
        # transformers >= 5.x names the KV cache `cache`; earlier releases `past_key_values`
        self.cache_arg = "cache" if "cache" in accepted else "past_key_values"
        # a boolean mask for logits_to_keep came with transformers' slice_logits_to_keep;
        # without it the model computes every position's logits and the rows are picked here
        self.keeps_logits = "logits_to_keep" in accepted and hasattr(modeling_utils, "slice_logits_to_keep")

    def score(self, pairs: Sequence[Pair], share: bool = True) -> list[Score]:
        """The score of every pair, in order. With ``share``, pairs with the same prefix
        read it once (see the module docstring); the scores are the same either way."""
        scores: list[Score | None] = [None] * len(pairs)
        groups: dict[tuple[int, ...], list[int]] = {}
        for index, (prefix, _) in enumerate(pairs):
            groups.setdefault(prefix if share else (index,), []).append(index)
        singles = [members[0] for members in groups.values() if len(members) == 1]
        shared = [members for members in groups.values() if len(members) > 1]
        if singles:
            lengths = [len(pairs[i][0]) + len(pairs[i][1]) - 1 for i in singles]
            done = self.runner.run(lengths, lambda batch: self._one_pass([pairs[singles[i]] for i in batch]))
            for index, score in zip(singles, done, strict=True):
                scores[index] = score
        if shared:
            lengths = [len(pairs[m[0]][0]) + max(len(pairs[i][1]) for i in m) - 1 for m in shared]
            done_groups = self.runner.run(
                lengths,
                lambda batch: self._shared_prefix(
                    [(pairs[shared[i][0]][0], [pairs[m][1] for m in shared[i]]) for i in batch]
                ),
            )
            for members, group_scores in zip(shared, done_groups, strict=True):
                for index, score in zip(members, group_scores, strict=True):
                    scores[index] = score
        return scores  # type: ignore[return-value]

    @torch.inference_mode()
    def _one_pass(self, pairs: Sequence[Pair]) -> list[Score]:
        inputs = [(*prefix, *targets[:-1]) for prefix, targets in pairs]
        ids, lengths = self._right_padded(inputs)
        positions = torch.arange(ids.shape[1], device=self.device)[None, :]
        starts = torch.tensor([len(prefix) - 1 for prefix, _ in pairs], device=self.device)[:, None]
        mask = positions < lengths[:, None]
        keep = mask & (positions >= starts)
        logits = self._logits(input_ids=ids, attention_mask=mask.long(), keep=keep, use_cache=False)
        sums, misses = self._reduce(logits, [targets for _, targets in pairs])
        return _to_host(sums, misses)

    @torch.inference_mode()
    def _shared_prefix(self, groups: Sequence[tuple[tuple[int, ...], list[tuple[int, ...]]]]) -> list[list[Score]]:
        ids, lengths = self._right_padded([prefix for prefix, _ in groups])
        positions = torch.arange(ids.shape[1], device=self.device)[None, :]
        mask = positions < lengths[:, None]
        choices = [(g, targets) for g, (_, group) in enumerate(groups) for targets in group]
        longer = [i for i, (_, targets) in enumerate(choices) if len(targets) > 1]
        keep = positions == lengths[:, None] - 1  # each prefix's last position
        out = self._forward(input_ids=ids, attention_mask=mask.long(), keep=keep, use_cache=bool(longer))
        last = self._kept(out.logits, keep)
        # the first token of every continuation, from its prefix's last position
        owner = torch.tensor([g for g, _ in choices], device=last.device)
        firsts = torch.tensor([targets[0] for _, targets in choices], device=last.device)
        sums = torch.log_softmax(last.float(), dim=-1)[owner, firsts].double()
        misses = (last.argmax(dim=-1)[owner] != firsts).double()
        if longer:
            # the rest of each continuation, on the prefix's cache copied to one row per continuation
            rows = owner[longer].to(self.device)
            cache = getattr(out, self.cache_arg)
            cache.reorder_cache(rows)
            more, more_lengths = self._right_padded([choices[i][1][:-1] for i in longer])
            more_positions = torch.arange(more.shape[1], device=self.device)[None, :]
            more_mask = more_positions < more_lengths[:, None]
            logits = self._logits(
                input_ids=more,
                attention_mask=torch.cat([mask[rows], more_mask], dim=1).long(),
                position_ids=lengths[rows][:, None] + more_positions,
                keep=more_mask,
                use_cache=True,
                **{self.cache_arg: cache},
            )
            more_sums, more_misses = self._reduce(logits, [choices[i][1][1:] for i in longer])
            index = torch.tensor(longer, device=sums.device)
            sums.index_add_(0, index, more_sums)
            misses.index_add_(0, index, more_misses)
        flat = _to_host(sums, misses)
        answers, offset = [], 0
        for _, group in groups:
            answers.append(flat[offset : offset + len(group)])
            offset += len(group)
        return answers

    def _right_padded(self, rows: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        width = max(len(row) for row in rows)
        ids = torch.tensor([[*row, *[self.pad_id] * (width - len(row))] for row in rows], device=self.device)
        return ids, torch.tensor([len(row) for row in rows], device=self.device)

    def _forward(self, *, keep: torch.Tensor, **inputs: Any) -> Any:
        if self.keeps_logits:
            inputs["logits_to_keep"] = keep
        return self.model(**inputs)

    def _logits(self, *, keep: torch.Tensor, **inputs: Any) -> torch.Tensor:
        return self._kept(self._forward(keep=keep, **inputs).logits, keep)

    @staticmethod
    def _kept(logits: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        """The rows of ``keep``, in row-major order, whether or not the model applied it."""
        return logits[keep.to(logits.device)] if logits.dim() == 3 else logits

    def _reduce(self, logits: torch.Tensor, targets: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        """Per target list: its log-probability sum and how many of its tokens were not the argmax."""
        device = logits.device  # a model spread over several GPUs gives its logits on the last
        flat = torch.tensor([token for row in targets for token in row], device=device)
        owner = torch.repeat_interleave(
            torch.arange(len(targets), device=device), torch.tensor([len(row) for row in targets], device=device)
        )
        picked = torch.log_softmax(logits.float(), dim=-1).gather(1, flat[:, None]).squeeze(1)
        zeros = torch.zeros(len(targets), dtype=torch.float64, device=device)
        sums = zeros.index_add(0, owner, picked.double())
        misses = zeros.index_add(0, owner, (logits.argmax(dim=-1) != flat).double())
        return sums, misses


def _to_host(sums: torch.Tensor, misses: torch.Tensor) -> list[Score]:
    host = torch.stack((sums, misses)).cpu().tolist()  # the batch's one device-to-host transfer
    return [(total, missed == 0) for total, missed in zip(host[0], host[1], strict=True)]
