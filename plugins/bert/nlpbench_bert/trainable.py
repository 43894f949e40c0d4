"""Loading a ``bert`` model to fine-tune, for both heads it trains (classification and
question answering): in float32, quietly (a new head's "missing weights" report is the
point of fine-tuning), and held with its limits and batching as when it answers.

Imported only when fine-tuning starts: it imports torch and transformers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import torch
from transformers.utils import logging as hf_logging

from nlpbench import ModelSpec
from nlpbench_transformers import Trainee, load_model, training_params

from .runtime import Runtime, minilm_tokenizer
from .settings import BertParams, parse


def trainable_params(spec: ModelSpec) -> BertParams:
    """The entry's params, checked, as training uses them (float32)."""
    return training_params(parse(spec))


@contextmanager
def loaded_for_training(
    spec: ModelSpec,
    params: BertParams,
    auto_class: Any,
    head: str,
    **options: Any,
) -> Iterator[Runtime]:
    """The model ``spec`` names, loaded with ``auto_class`` (``options`` go to
    :func:`~nlpbench_transformers.load_model`), as the ``head`` runtime; its weights are
    released when the block ends."""
    with _quiet_transformers():
        loaded = load_model(
            spec, params, auto_class, default_model_type="bert", default_tokenizer=minilm_tokenizer, **options
        )
    runtime = Runtime.of(loaded, head, params, (type(loaded.model).__name__,))
    try:
        yield runtime
    finally:
        runtime.release()


class Trains(Protocol):
    """What each head's trainer gives the shared run."""

    def batch_loss(self, batch: Sequence[int]) -> torch.Tensor: ...

    def evaluate(self) -> dict[str, float]: ...


def trainee(
    runtime: Runtime, trainer: Trains, n_train: int, held_out: bool, facts: Callable[[], dict[str, Any]]
) -> Trainee:
    """What :func:`nlpbench_transformers.run_finetune` trains: ``runtime``'s model, with
    ``trainer``'s losses and (when something is held out) evaluation."""
    evaluate = trainer.evaluate if held_out else None
    return Trainee(runtime.loaded, n_train, trainer.batch_loss, evaluate, facts)


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    """No load report: a fresh head's "missing weights" are the point of fine-tuning."""
    before = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(before)
