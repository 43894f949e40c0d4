"""Fine-tuning a ``t5`` model for ``generate``: sequence-to-sequence training with the
prompt as the encoder's input and the target, then end of sequence, as the labels;
evaluated on the held-out pairs (loss, and exact match of greedy generation); saved
with ``save_pretrained`` so that a suite loads it with ``path:``.

Imported only when fine-tuning starts: it imports torch and transformers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from nlpbench import (
    FinetuneReport,
    FinetuneSettings,
    FinetuneStepped,
    GenerateRequest,
    ModelSpec,
    TrainingPair,
)
from nlpbench_transformers import check_generate_pairs, exact_match, train_loop

from .encoding import right_padded

if TYPE_CHECKING:
    from .model import T5Model

#: Labels of the padding: not learned.
IGNORED = -100

#: One training example: the encoder's input ids and the labels (the target's ids and end of sequence).
Row = tuple[list[int], list[int]]


def check_pairs(strategy: str, train: Sequence[TrainingPair], held_out: Sequence[TrainingPair]) -> None:
    """ModelError/DataError for what cannot be trained on, before anything loads."""
    check_generate_pairs("t5", strategy, train, held_out)


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
    from .model import T5Model
    from .params import check_spec

    check_pairs(strategy, train, held_out)
    check_spec(spec)  # a ConfigError for a bad param before anything loads
    # trained in full precision, whatever evaluation uses
    model = T5Model(dataclasses.replace(spec, params={**spec.params, "dtype": "float32"}))
    try:
        trainer = _Trainer(model)
        rows = trainer.rows(train)
        held_rows = trainer.rows(held_out)
        truncation = model.truncation.describe()  # the train and held-out inputs cut (evaluation cuts them again)
        torch.manual_seed(settings.seed)  # dropout

        def evaluate() -> dict[str, float]:
            return trainer.evaluate(held_out, held_rows, settings.batch_size)

        network = model._loaded().model
        losses, evals = train_loop(
            network,
            settings,
            len(rows),
            lambda batch: trainer.loss([rows[i] for i in batch]),
            evaluate if held_out else None,
            progress,
        )
        out_dir.mkdir(parents=True, exist_ok=True)
        network.save_pretrained(out_dir)  # safetensors: the only format transformers 5 writes
        model._loaded().tokenizer.save_pretrained(out_dir)
        loaded = model._loaded()
        info = {
            "base": loaded.source,
            "device": str(loaded.device),
            "dtype": "float32",
            "parameters": sum(p.numel() for p in network.parameters()),
            "tokenizer": model.tokenizer_name,
            "trained_on": "prompt → target + end of sequence",
            **truncation,
        }
        return FinetuneReport(steps=len(losses), train_losses=losses, evals=evals, out_dir=out_dir, info=info)
    finally:
        model.close()


class _Trainer:
    """Turns pairs into encoder inputs and labels the way :class:`T5Model` reads prompts, and computes losses."""

    def __init__(self, model: T5Model) -> None:
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
        return self.network(**self._batch(rows)).loss

    def evaluate(self, pairs: Sequence[TrainingPair], rows: Sequence[Row], batch_size: int) -> dict[str, float]:
        """Exact-match accuracy of greedy generation, and the mean loss per target token."""
        loss_sum, count = 0.0, 0
        with torch.inference_mode():
            for start in range(0, len(rows), batch_size):
                batch = self._batch(rows[start : start + batch_size])
                logits = self.network(**batch).logits.float()
                labels = batch["labels"]
                loss_sum += float(
                    torch.nn.functional.cross_entropy(
                        logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), reduction="sum"
                    )
                )
                count += int((labels != IGNORED).sum())
        answers = self.model.generate([greedy(pair) for pair in pairs])
        correct = sum(exact_match(answer, pair.target) for answer, pair in zip(answers, pairs, strict=True))
        return {"accuracy": correct / len(pairs), "loss": loss_sum / max(1, count)}


def greedy(pair: TrainingPair) -> GenerateRequest:
    """The pair's request as evaluation asks it: greedy, with its own ``max_new_tokens`` and stops."""
    request = pair.request
    assert isinstance(request, GenerateRequest)  # check_pairs made sure
    return dataclasses.replace(request, temperature=0.0)
