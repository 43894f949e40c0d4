"""Fine-tuning a ``gpt`` model for ``generate``: causal-LM training on each prompt
followed by its target and the end-of-text token, with the loss on the target's tokens
only; evaluated on the held-out pairs (loss, and exact match of greedy generation).
The run itself (seeding, the loop, saving, the report) is the shared
``nlpbench_transformers.run_finetune``.

Imported only when fine-tuning starts: it imports torch and transformers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
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
from nlpbench_transformers import (
    IGNORED,
    check_generate_pairs,
    generation_scores,
    generative_trainee,
    run_finetune,
    training_params,
)

from .causal import CausalLM
from .params import check_spec

#: One training sequence: the tokens read, and the label of each (IGNORED or the token).
Row = tuple[list[int], list[int]]

#: What the card says it was trained on.
TRAINED_ON = {"trained_on": "prompt + target + end of text, loss on the target only"}


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
    check_generate_pairs("gpt", strategy, train, held_out)
    params = training_params(check_spec(spec))
    prepared = partial(
        generative_trainee, partial(CausalLM.load, spec, params), _Trainer, train, held_out, settings,
        lambda lm: TRAINED_ON,
    )  # fmt: skip
    return run_finetune(prepared, settings, out_dir, progress)


class _Trainer:
    """Turns pairs into token rows the way :class:`CausalLM` reads prompts, and computes losses."""

    def __init__(self, lm: CausalLM) -> None:
        self.lm = lm
        if not lm.eos_ids:
            raise ModelError("the tokenizer has no end-of-text token to end a target with")
        self.eos = lm.eos_ids[0]
        self.pad = lm.generator.pad_id

    def rows(self, pairs: Sequence[TrainingPair]) -> list[Row]:
        """Each pair's :meth:`row`."""
        return [self.row(pair) for pair in pairs]

    def row(self, pair: TrainingPair) -> Row:
        """The prompt's tokens (as generation reads them, cut on the left to fit, counted),
        then the target's, after a space unless the prompt ends with one, then the end."""
        request = pair.request
        assert isinstance(request, GenerateRequest)  # check_generate_pairs made sure
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
        loss: torch.Tensor = self.lm.model(**self._batch(rows)).loss
        return loss

    def evaluate(self, pairs: Sequence[TrainingPair], rows: Sequence[Row], batch_size: int) -> dict[str, float]:
        """Exact-match accuracy of greedy generation, and the mean loss per target token."""
        return generation_scores(pairs, self._shifted(rows, batch_size), self.lm.generate)

    def _shifted(self, rows: Sequence[Row], batch_size: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Each batch's logits and labels, lined up: position t predicts token t + 1."""
        for start in range(0, len(rows), batch_size):
            batch = self._batch(rows[start : start + batch_size])
            labels = batch.pop("labels")
            yield self.lm.model(**batch).logits[:, :-1], labels[:, 1:]
