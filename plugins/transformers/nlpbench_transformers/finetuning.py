"""How ``nlpbench finetune`` runs for every transformer model type (gpt, t5, bert):
seeded, the model loaded in float32 and made ready by the model type, trained with the
shared loop (:func:`.train_loop`), saved with its tokenizer, and reported.

What differs from one model type to another is what it hands over in a :class:`Trainee`:
the loaded model, the loss of a batch of train pairs, how it scores the held-out pairs,
and what its card adds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import torch

from nlpbench import FinetuneReport, FinetuneSettings, FinetuneStepped

from .loading import Loaded
from .params import HFParams
from .saving import save_folder
from .training import train_loop

P = TypeVar("P", bound=HFParams)


@dataclass(frozen=True)
class Trainee:
    """A model type's model, loaded and ready to train: what :func:`run_finetune` needs."""

    #: The model (trained and saved), its tokenizer (saved beside it), where they came from.
    loaded: Loaded
    #: How many train pairs there are; a batch is a list of their indices.
    n_train: int
    #: The loss of the train pairs at the given indices (a forward pass in training mode).
    batch_loss: Callable[[Sequence[int]], torch.Tensor]
    #: The held-out scores (run in evaluation mode); None when nothing is held out.
    evaluate: Callable[[], dict[str, float]] | None
    #: What the card says about the model besides its base, device, dtype and size,
    #: asked after training (so that it counts what evaluation truncated, if it wants).
    facts: Callable[[], dict[str, Any]]


def training_params(params: P) -> P:
    """``params`` as training uses them: float32 whatever evaluation uses (bfloat16 and
    float16 gradients lose the small updates fine-tuning makes), on ``params.device``
    alone: a ``device_map`` is for evaluation (weights accelerate keeps on the CPU or on
    disk are streamed in for each forward pass, and would not be trained)."""
    return params.model_copy(update={"dtype": "float32", "device_map": None, "max_memory": None})


def run_finetune(
    prepared: Callable[[], AbstractContextManager[Trainee]],
    settings: FinetuneSettings,
    out_dir: Path,
    progress: Callable[[FinetuneStepped], None],
) -> FinetuneReport:
    """Train what ``prepared()`` loads and makes ready, save it into ``out_dir``, report.

    torch's generator is seeded with ``settings.seed`` first, so a new head (and a model
    built from a config) starts from the same weights every time; leaving the context
    ``prepared()`` returns releases the model, whatever happened."""
    torch.manual_seed(settings.seed)
    with prepared() as trainee:
        model = trainee.loaded.model
        losses, evals = train_loop(model, settings, trainee.n_train, trainee.batch_loss, trainee.evaluate, progress)
        save_folder(model, trainee.loaded.tokenizer, out_dir)
        info = {
            "base": trainee.loaded.source,
            "device": str(trainee.loaded.device),
            "dtype": str(trainee.loaded.dtype).removeprefix("torch."),
            "parameters": sum(p.numel() for p in model.parameters()),
            **trainee.facts(),
        }
        return FinetuneReport(steps=len(losses), train_losses=losses, evals=evals, out_dir=out_dir, info=info)
