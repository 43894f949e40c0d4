"""Fine-tuning a ``bert`` model for ``classify``: a sequence-classification head over
the task's labels, trained on the training pairs, evaluated on the held-out ones. The
run itself (seeding, the loop, saving, the report) is the shared
``nlpbench_transformers.run_finetune``; ``extract_span`` is :mod:`.finetune_spans`'.

Imported only when fine-tuning starts: it imports torch and transformers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from transformers import AutoConfig, AutoModelForSequenceClassification

from nlpbench import (
    ClassifyRequest,
    DataError,
    FinetuneReport,
    FinetuneSettings,
    FinetuneStepped,
    ModelError,
    ModelSpec,
    TrainingPair,
)
from nlpbench_transformers import Trainee, run_finetune

from .heads import head_of_architectures
from .inputs import Row, pad, tokenize
from .runtime import Runtime, head_labels
from .trainable import loaded_for_training, trainable_params, trainee


def finetune(
    spec: ModelSpec,
    strategy: str,
    train: Sequence[TrainingPair],
    held_out: Sequence[TrainingPair],
    settings: FinetuneSettings,
    out_dir: Path,
    progress: Callable[[FinetuneStepped], None],
) -> FinetuneReport:
    """Train a classification head (and the encoder under it) on ``train``; see
    :meth:`nlpbench_bert.BERTModel.finetune`."""
    if strategy == "extract_span":
        from .finetune_spans import finetune_spans

        return finetune_spans(spec, train, held_out, settings, out_dir, progress)
    if strategy != "classify":
        raise ModelError(f"bert is fine-tuned for classify and extract_span only, not {strategy}")
    if not train:
        raise DataError("there are no training pairs")
    labels = label_set([*train, *held_out])
    params = trainable_params(spec)
    kept = existing_head_labels(spec)
    same_labels = kept is not None and sorted(kept) == sorted(labels)
    names = list(kept) if same_labels and kept is not None else list(labels)  # keep a matching head's order
    new_head = {"num_labels": len(names), "id2label": dict(enumerate(names)),
                "label2id": {name: i for i, name in enumerate(names)}}  # fmt: skip

    @contextmanager
    def prepared() -> Iterator[Trainee]:
        with loaded_for_training(
            spec, params, AutoModelForSequenceClassification, "classification",
            config_overrides=new_head, ignore_mismatched_sizes=True,
        ) as runtime:  # fmt: skip
            if kept is not None and not same_labels:
                reset_head(runtime.model)  # a head trained for other labels, of the same size: start it afresh
            trainer = _Trainer(runtime, names, settings, train, held_out)
            facts = {"head": "kept" if same_labels else "new", "labels": names}
            yield trainee(
                runtime, trainer, len(train), bool(held_out), lambda: {**facts, **trainer.truncation.describe()}
            )

    return run_finetune(prepared, settings, out_dir, progress)


def label_set(pairs: Sequence[TrainingPair]) -> tuple[str, ...]:
    """The labels every pair's request asks about (they must all ask the same), with each
    pair's target among them."""
    labels: tuple[str, ...] | None = None
    for pair in pairs:
        request = pair.request
        if not isinstance(request, ClassifyRequest):
            raise ModelError(f"example '{pair.example_id}': expected a ClassifyRequest, got {type(request).__name__}")
        if labels is None:
            labels = request.labels
        elif request.labels != labels:
            raise DataError(
                f"example '{pair.example_id}' asks about the labels ({', '.join(request.labels)}), "
                f"others about ({', '.join(labels)}): a classification head has one set of labels"
            )
        if pair.target not in request.labels:
            raise DataError(
                f"example '{pair.example_id}': its label {pair.target!r} is not one of ({', '.join(request.labels)})"
            )
    if not labels or len(labels) < 2:
        raise DataError(f"a classification head needs at least 2 labels, not {len(labels or ())}")
    return labels


def existing_head_labels(spec: ModelSpec) -> list[str] | None:
    """The labels of the checkpoint's classification head, or None when it has none
    (a bare encoder, a masked-LM or QA checkpoint, a ``config:`` build)."""
    if spec.config is not None:
        return None
    where = str(spec.path) if spec.path is not None else spec.hub
    if where is None:
        return None
    try:
        config = AutoConfig.from_pretrained(where, revision=spec.revision, trust_remote_code=spec.trust_remote_code)
    except (OSError, ValueError) as error:
        raise ModelError(f"cannot load the config of '{where}': {' '.join(str(error).split())[:300]}") from error
    if head_of_architectures(getattr(config, "architectures", None)) != "classification":
        return None
    try:
        return head_labels(config)
    except ModelError:
        return None


def reset_head(model: Any) -> None:
    """Give every layer outside the encoder (the head) fresh weights, with torch's own
    initialisation (transformers skips weights it loaded)."""
    for name, child in model.named_children():
        if name == model.base_model_prefix:
            continue
        for module in child.modules():  # the child itself, and everything in it
            reset = getattr(module, "reset_parameters", None)
            if callable(reset):
                reset()


class _Trainer:
    """Inputs tokenized once (truncated and counted as when the model answers), batches
    padded per batch, held-out accuracy and loss."""

    def __init__(
        self,
        runtime: Runtime,
        names: Sequence[str],
        settings: FinetuneSettings,
        train: Sequence[TrainingPair],
        held_out: Sequence[TrainingPair],
    ) -> None:
        self.runtime = runtime
        self.model = runtime.model
        self.label_ids = {name: i for i, name in enumerate(names)}
        self.settings = settings
        self.truncation = runtime.truncation  # counts the train and held-out inputs cut to fit
        self.rows = self._rows(train)
        self.targets = self._targets(train)
        self.held_rows = self._rows(held_out)
        self.held_targets = self._targets(held_out)

    def batch_loss(self, batch: Sequence[int]) -> torch.Tensor:
        """The classification loss of the train pairs at ``batch``."""
        inputs = pad(self.runtime, [self.rows[i] for i in batch])
        loss: torch.Tensor = self.model(**inputs, labels=self.targets[list(batch)].to(self.runtime.device)).loss
        return loss

    def evaluate(self) -> dict[str, float]:
        """Accuracy and mean cross-entropy loss on the held-out pairs (in evaluation mode)."""
        rows, targets = self.held_rows, self.held_targets
        correct, loss_sum = 0, 0.0
        with torch.inference_mode():
            for start in range(0, len(rows), self.settings.batch_size):
                logits = self.model(**pad(self.runtime, rows[start : start + self.settings.batch_size])).logits.float()
                batch = targets[start : start + self.settings.batch_size].to(logits.device)
                loss_sum += float(torch.nn.functional.cross_entropy(logits, batch, reduction="sum"))
                correct += int((logits.argmax(dim=-1) == batch).sum())
        return {"accuracy": correct / len(rows), "loss": loss_sum / len(rows)}

    def _rows(self, pairs: Sequence[TrainingPair]) -> list[Row]:
        """Each pair's text (and text_pair) tokenized, truncated to ``max_length`` (counted)."""
        requests = [pair.request for pair in pairs]
        texts = [str(getattr(r, "text", "")) for r in requests]
        return tokenize(self.runtime, texts, [getattr(r, "text_pair", None) for r in requests])

    def _targets(self, pairs: Sequence[TrainingPair]) -> torch.Tensor:
        return torch.tensor([self.label_ids[str(pair.target)] for pair in pairs], dtype=torch.long)
