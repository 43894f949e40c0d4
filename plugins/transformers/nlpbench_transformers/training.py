"""The fine-tuning loop the transformer plugins share: AdamW with transformers' linear
schedule (warm-up, then decay to zero), a seeded shuffle each epoch, gradients clipped
to norm 1, a progress event after every step and held-out evaluation every
``eval_every`` steps and after the last.

What a batch costs (its forward pass and loss) and what an evaluation measures are the
model type's: :func:`train_loop` takes them as functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

from nlpbench import FinetuneSettings, FinetuneStepped

from .optimizing import AdamWUpdates


def linear_schedule(step: int, warmup: int, total: int) -> float:
    """The learning rate's factor at ``step`` (0-based): up from 0 over ``warmup`` steps,
    then down to 0 at ``total`` (transformers' linear schedule)."""
    if step < warmup:
        return step / max(1, warmup)
    return max(0.0, (total - step) / max(1, total - warmup))


def train_loop(
    model: Any,
    settings: FinetuneSettings,
    n_train: int,
    batch_loss: Callable[[Sequence[int]], torch.Tensor],
    evaluate: Callable[[], dict[str, float]] | None,
    progress: Callable[[FinetuneStepped], None],
) -> tuple[list[float], list[dict[str, Any]]]:
    """Train ``model`` for ``settings.total_steps(n_train)`` steps and return
    ``(losses, evals)``: each step's training loss, and each evaluation as a dict of
    ``step``, ``epoch`` and the scores ``evaluate`` returned.

    ``batch_loss(indices)`` is the loss of the train pairs at ``indices`` (a forward pass
    in training mode); ``evaluate()`` scores the held-out pairs (``None``: nothing held
    out, nothing evaluated). It runs in evaluation mode; training mode is restored after.
    """
    total = settings.total_steps(n_train)
    warmup = settings.warmup_steps(n_train)
    updates = AdamWUpdates(model, settings.lr, lambda step: linear_schedule(step, warmup, total))
    order = torch.Generator().manual_seed(settings.seed)
    losses: list[float] = []
    evals: list[dict[str, Any]] = []
    step, epoch = 0, 0
    model.train()
    while step < total:
        epoch += 1
        permutation = torch.randperm(n_train, generator=order).tolist()
        for start in range(0, n_train, settings.batch_size):
            if step >= total:
                break
            losses.append(updates.apply(batch_loss(permutation[start : start + settings.batch_size])))
            step += 1
            scores = None
            if evaluate is not None and (step % settings.eval_every == 0 or step == total):
                model.eval()
                scores = evaluate()
                evals.append({"step": step, "epoch": epoch, **scores})
                model.train()
            progress(FinetuneStepped(step=step, epoch=epoch, loss=losses[-1], eval=scores))
    model.eval()
    return losses, evals
