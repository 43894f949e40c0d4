"""Fine-tuning a ``gpt`` model for ``generate``: causal-LM training on each prompt
followed by its target and the end-of-text token, with the loss on the target's tokens
only; evaluated on the held-out pairs (loss, and exact match of greedy generation);
saved with ``save_pretrained`` so that a suite loads it with ``path:``.

Imported only when fine-tuning starts: it imports torch and transformers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

import torch

from nlpbench import (
    DataError,
    FinetuneReport,
    FinetuneSettings,
    FinetuneStepped,
    GenerateRequest,
    ModelError,
    ModelSpec,
    TrainingPair,
)
from nlpbench_transformers import check_generate_pairs, exact_match, train_loop

from .causal import CausalLM

#: Labels of the tokens that are read, not learned (the prompt, the padding).
IGNORED = -100

#: One training sequence: the tokens read, and the label of each (IGNORED or the token).
Row = tuple[list[int], list[int]]


def check_pairs(strategy: str, train: Sequence[TrainingPair], held_out: Sequence[TrainingPair]) -> None:
    """ModelError/DataError for what cannot be trained on, before anything loads."""
    check_generate_pairs("gpt", strategy, train, held_out)


def finetune(
    spec: ModelSpec,
    strategy: str,
    train: Sequence[TrainingPair],
    held_out: Sequence[TrainingPair],
    settings: FinetuneSettings,
    out_dir: Path,
    progress: Callable[[FinetuneStepped], None],
) -> FinetuneReport:
    """Train the whole model on ``train``; see :meth:`nlpbench_gpt.GPTModel.finetune`."""
    from .model import GPTModel

    check_pairs(strategy, train, held_out)
    params = GPTModel.check_spec(spec).model_copy(update={"dtype": "float32"})  # train in full precision
    lm = CausalLM.load(spec, params)
    try:
        trainer = _Trainer(lm)
        rows = [trainer.row(pair) for pair in train]
        held_rows = [trainer.row(pair) for pair in held_out]
        truncation = lm.truncation.describe()  # the train and held-out prompts cut (evaluation cuts them again)
        torch.manual_seed(settings.seed)  # dropout

        def evaluate() -> dict[str, float]:
            return trainer.evaluate(held_out, held_rows, settings.batch_size)

        losses, evals = train_loop(
            lm.model,
            settings,
            len(rows),
            lambda batch: trainer.loss([rows[i] for i in batch]),
            evaluate if held_out else None,
            progress,
        )
        out_dir.mkdir(parents=True, exist_ok=True)
        lm.model.save_pretrained(out_dir)  # safetensors: the only format transformers 5 writes
        lm.tokenizer.save_pretrained(out_dir)
        info = {
            "base": lm.loaded.source,
            "device": str(lm.loaded.device),
            "dtype": "float32",
            "parameters": sum(p.numel() for p in lm.model.parameters()),
            "trained_on": "prompt + target + end of text, loss on the target only",
            **truncation,
        }
        return FinetuneReport(steps=len(losses), train_losses=losses, evals=evals, out_dir=out_dir, info=info)
    finally:
        lm.close()


class _Trainer:
    """Turns pairs into token rows the way :class:`CausalLM` reads prompts, and computes losses."""

    def __init__(self, lm: CausalLM) -> None:
        self.lm = lm
        if not lm.eos_ids:
            raise ModelError("the tokenizer has no end-of-text token to end a target with")
        self.eos = lm.eos_ids[0]
        self.pad = lm.generator.pad_id

    def row(self, pair: TrainingPair) -> Row:
        """The prompt's tokens (as generation reads them, cut on the left to fit, counted),
        then the target's, after a space unless the prompt ends with one, then the end."""
        request = pair.request
        assert isinstance(request, GenerateRequest)  # check_pairs made sure
        prompt = request.prompt
        target_text = str(pair.target).strip()
        separator = "" if not prompt or prompt[-1].isspace() else " "
        prompt_ids, target_ids = self.lm._encode([prompt, separator + target_text])
        target_ids = [*target_ids, self.eos]
        room = self.lm.max_length - len(target_ids)
        if room < 1:
            raise DataError(
                f"example '{pair.example_id}': its target of {len(target_ids)} tokens leaves no room for the "
                f"prompt in max_length {self.lm.max_length}"
            )
        start = self.lm._start_token() if self.lm.prepend_start or not prompt_ids else None
        ids = self.lm.truncation.cut(([start] if start is not None else []) + prompt_ids, room)
        return [*ids, *target_ids], [IGNORED] * len(ids) + target_ids

    def _batch(self, rows: Sequence[Row]) -> dict[str, torch.Tensor]:
        width = max(len(ids) for ids, _ in rows)
        device = self.lm.loaded.device
        ids = torch.full((len(rows), width), self.pad, dtype=torch.long)
        labels = torch.full((len(rows), width), IGNORED, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, (tokens, targets) in enumerate(rows):
            ids[i, : len(tokens)] = torch.tensor(tokens)
            labels[i, : len(targets)] = torch.tensor(targets)
            mask[i, : len(tokens)] = 1
        return {"input_ids": ids.to(device), "attention_mask": mask.to(device), "labels": labels.to(device)}

    def loss(self, rows: Sequence[Row]) -> torch.Tensor:
        """The mean cross-entropy of the batch's target tokens."""
        return self.lm.model(**self._batch(rows)).loss

    def evaluate(self, pairs: Sequence[TrainingPair], rows: Sequence[Row], batch_size: int) -> dict[str, float]:
        """Exact-match accuracy of greedy generation, and the mean loss per target token."""
        loss_sum, count = 0.0, 0
        with torch.inference_mode():
            for start in range(0, len(rows), batch_size):
                batch = self._batch(rows[start : start + batch_size])
                labels = batch.pop("labels")
                logits = self.lm.model(**batch).logits.float()
                shifted = labels[:, 1:]
                loss_sum += float(
                    torch.nn.functional.cross_entropy(
                        logits[:, :-1].reshape(-1, logits.shape[-1]), shifted.reshape(-1), reduction="sum"
                    )
                )
                count += int((shifted != IGNORED).sum())
        answers = self.lm.generate([greedy(pair) for pair in pairs])
        correct = sum(exact_match(answer, pair.target) for answer, pair in zip(answers, pairs, strict=True))
        return {"accuracy": correct / len(pairs), "loss": loss_sum / max(1, count)}


def greedy(pair: TrainingPair) -> GenerateRequest:
    """The pair's request as evaluation asks it: greedy, with its own ``max_new_tokens`` and stops."""
    request = pair.request
    assert isinstance(request, GenerateRequest)  # check_pairs made sure
    return dataclasses.replace(request, temperature=0.0)
