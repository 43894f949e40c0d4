"""One optimizer update, as fine-tuning and pretraining both make it: AdamW (weight decay
0.01, torch's default) under a learning-rate schedule, gradients clipped to norm 1 as
transformers' Trainer does by default."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

#: Gradients are clipped to this norm, as transformers' Trainer does by default.
MAX_GRAD_NORM = 1.0
#: AdamW's decoupled weight decay (torch's default, written out so it cannot drift).
WEIGHT_DECAY = 0.01


class AdamWUpdates:
    """Updates ``model`` from a loss: backward, clip, AdamW step, schedule step, gradients cleared.

    ``factor(done)`` scales ``lr`` after ``done`` updates (torch's ``LambdaLR``)."""

    def __init__(self, model: Any, lr: float, factor: Callable[[int], float]) -> None:
        self.model = model
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=WEIGHT_DECAY)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, factor)

    def apply(self, loss: torch.Tensor) -> float:
        """One update from ``loss`` (a forward pass in training mode); the loss as a float."""
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), MAX_GRAD_NORM)
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        return float(loss.detach())
