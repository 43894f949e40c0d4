"""Fine-tuning a ``t5`` model for ``generate``: sequence-to-sequence training with the
prompt as the encoder's input and the target, then end of sequence, as the labels;
evaluated on the held-out pairs (loss, and exact match of greedy generation). The run
itself (seeding, the loop, saving, the report) is the shared
``nlpbench_transformers.run_finetune``.

Imported only when fine-tuning starts: it imports torch and transformers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import torch

from nlpbench import FinetuneReport, FinetuneSettings, FinetuneStepped, ModelSpec, TrainingPair
from nlpbench_transformers import (
    IGNORED,
    check_generate_pairs,
    generation_scores,
    generative_trainee,
    run_finetune,
    training_params,
)

from .encoding import right_padded
from .params import check_spec
from .seq2seq import Seq2SeqLM

#: One training example: the encoder's input ids and the labels (the target's ids and end of sequence).
Row = tuple[list[int], list[int]]


def finetune(
    spec: ModelSpec,
    strategy: str,
    train: Sequence[TrainingPair],
    held_out: Sequence[TrainingPair],
    settings: FinetuneSettings,
    out_dir: Path,
    progress: Callable[[FinetuneStepped], None],
) -> FinetuneReport:
    """Train the whole model on ``train``; see :meth:`nlpbench_t5.T5Model.finetune`."""
    check_generate_pairs("t5", strategy, train, held_out)
    params = training_params(check_spec(spec))  # a ConfigError for a bad param before anything loads
    prepared = partial(
        generative_trainee, partial(Seq2SeqLM, spec, params), _Trainer, train, held_out, settings, _facts
    )
    return run_finetune(prepared, settings, out_dir, progress)


def _facts(model: Seq2SeqLM) -> dict[str, Any]:
    return {"tokenizer": model.tokenizer_name, "trained_on": "prompt → target + end of sequence"}


class _Trainer:
    """Turns pairs into encoder inputs and labels the way :class:`Seq2SeqLM` reads prompts, and computes losses."""

    def __init__(self, model: Seq2SeqLM) -> None:
        self.model = model
        self.network = model._loaded().model
        self.tokenizer = model._loaded().tokenizer
        self.device = model._loaded().device

    def rows(self, pairs: Sequence[TrainingPair]) -> list[Row]:
        """Each prompt as the encoder reads it (cut to fit, counted), and its target's ids
        followed by end of sequence (cut to ``max_length``)."""
        if not pairs:
            return []
        prompts = [str(getattr(pair.request, "prompt", "")) for pair in pairs]
        inputs = self.model.encoder_inputs(prompts)
        targets = self.tokenizer([str(pair.target).strip() for pair in pairs], add_special_tokens=False)["input_ids"]
        limit = self.model.truncation.max_length - 1
        eos = self.model.ids.eos[0]
        return [(list(ids), [*list(target)[:limit], eos]) for ids, target in zip(inputs, targets, strict=True)]

    def _batch(self, rows: Sequence[Row]) -> dict[str, torch.Tensor]:
        input_ids, attention_mask = right_padded([ids for ids, _ in rows], self.model.ids.pad, self.device)
        labels, _ = right_padded([labels for _, labels in rows], IGNORED, self.device)
        return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}

    def loss(self, rows: Sequence[Row]) -> torch.Tensor:
        """The mean cross-entropy of the batch's target tokens (teacher forcing)."""
        loss: torch.Tensor = self.network(**self._batch(rows)).loss
        return loss

    def evaluate(self, pairs: Sequence[TrainingPair], rows: Sequence[Row], batch_size: int) -> dict[str, float]:
        """Exact-match accuracy of greedy generation, and the mean loss per target token."""
        return generation_scores(pairs, self._aligned(rows, batch_size), self.model.generate)

    def _aligned(self, rows: Sequence[Row], batch_size: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Each batch's logits and labels: the decoder's position t predicts label t."""
        for start in range(0, len(rows), batch_size):
            batch = self._batch(rows[start : start + batch_size])
            yield self.network(**batch).logits, batch["labels"]
