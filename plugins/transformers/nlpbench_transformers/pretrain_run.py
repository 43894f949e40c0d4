"""How ``nlpbench pretrain`` runs for every transformer family (gpt, bert, t5): the model
built from its config with torch seeded, trained on the family's objective (AdamW, the
learning rate warmed up linearly and then decayed to zero), saved with its tokenizer,
and reported.

Each family's ``pretraining`` module trains its tokenizer and says what its objective
is (:class:`Objective`: the sequences and how a batch of them becomes the model's inputs
and labels); the rest is here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from nlpbench import PretrainReport, PretrainSettings, PretrainStepped

from .optimizing import AdamWUpdates
from .pretrain_common import batch_order, build_config
from .saving import save_folder


@dataclass(frozen=True)
class Objective:
    """What a family pretrains its model on."""

    #: What it learns, for the card: ``next-token prediction``.
    name: str
    #: The corpus cut into sequences of token ids.
    sequences: Sequence[list[int]]
    #: How many documents they were cut from, for the card.
    documents: int
    #: A batch of sequences as the model's inputs and labels (``model(**batch).loss``).
    batch: Callable[[list[list[int]]], dict[str, torch.Tensor]]


def build_model(
    model_class: Any, config_class: Any, config: Mapping[str, Any], settings: PretrainSettings, **fixed: Any
) -> Any:
    """A fresh ``model_class`` of the ``config`` architecture (see :func:`.build_config`
    for ``fixed``), its weights drawn after seeding torch with ``settings.seed``."""
    torch.manual_seed(settings.seed)
    return model_class(build_config(config_class, config, **fixed))


def run_pretraining(
    model: Any,
    tokenizer: Any,
    tokenizer_facts: str,
    objective: Objective,
    settings: PretrainSettings,
    out_dir: Path,
    progress: Callable[[PretrainStepped], None],
) -> PretrainReport:
    """Train ``model`` on ``objective`` for ``settings.steps`` steps, save it and
    ``tokenizer`` into ``out_dir``, and report (``tokenizer_facts`` describes the tokenizer)."""
    indices = batch_order(len(objective.sequences), settings)
    sequences = objective.sequences
    losses = pretrain_loop(
        model, lambda step: objective.batch([sequences[i] for i in indices(step)]), settings, progress
    )
    save_folder(model, tokenizer, out_dir)
    info = {
        "objective": objective.name,
        "architecture": type(model).__name__,
        "parameters": parameter_count(model),
        "tokenizer": tokenizer_facts,
        "sequences": len(sequences),
        "documents": objective.documents,
    }
    return PretrainReport(len(losses), losses, out_dir, info)


def pretrain_loop(
    model: Any,
    make_batch: Callable[[int], dict[str, torch.Tensor]],
    settings: PretrainSettings,
    progress: Callable[[PretrainStepped], None],
) -> list[float]:
    """``settings.steps`` AdamW steps of ``model(**make_batch(step)).loss`` in float32 on
    the CPU, the learning rate warmed up linearly over the first steps and then decayed
    linearly to zero; the loss of each step, in order."""
    model.train()
    warmup, total = settings.warmup_steps, settings.steps

    def factor(done: int) -> float:
        if done < warmup:
            return (done + 1) / (warmup + 1)
        return max(0.0, (total - done) / max(1, total - warmup))

    updates = AdamWUpdates(model, settings.lr, factor)
    losses = []
    for step in range(1, total + 1):
        losses.append(updates.apply(model(**make_batch(step)).loss))
        progress(PretrainStepped(step, losses[-1]))
    model.eval()
    return losses


def parameter_count(model: Any) -> int:
    """The number of the model's parameters."""
    return sum(p.numel() for p in model.parameters())
