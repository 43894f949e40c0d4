"""What fine-tuning a generative model (gpt, t5) for ``generate`` shares: the checks of
its pairs before anything loads, the model made ready to train (:func:`generative_trainee`),
and its held-out scores: the mean cross-entropy per target token (teacher-forced) and
the share of prompts whose greedy generation is the target.

What a model type does itself: turning a pair into token rows, a batch's loss, and how
it lines its logits up with its labels (a causal LM shifts them by one, an
encoder-decoder does not): :func:`generation_scores` takes them aligned.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

import torch

from nlpbench import DataError, FinetuneSettings, GenerateRequest, ModelError, TrainingPair

from .finetuning import Trainee
from .loading import Loaded
from .truncation import Truncation

#: The label of a token that is read, not learned (a prompt's, padding): cross-entropy skips it.
IGNORED = -100

#: One training example as token ids: what the model reads, and the labels it learns.
Row = tuple[list[int], list[int]]


class GenerativeLM(Protocol):
    """A loaded generative model as a model type holds it (gpt's ``CausalLM``, t5's ``Seq2SeqLM``)."""

    @property
    def loaded(self) -> Loaded | None: ...

    @property
    def truncation(self) -> Truncation: ...

    def close(self) -> None: ...


class PairTrainer(Protocol):
    """How a model type trains on pairs: as token rows, their loss, the held-out scores."""

    def rows(self, pairs: Sequence[TrainingPair]) -> list[Row]: ...

    def loss(self, rows: Sequence[Row]) -> torch.Tensor: ...

    def evaluate(self, pairs: Sequence[TrainingPair], rows: Sequence[Row], batch_size: int) -> dict[str, float]: ...


M = TypeVar("M", bound=GenerativeLM)


@contextmanager
def generative_trainee(
    load: Callable[[], M],
    trainer: Callable[[M], PairTrainer],
    train: Sequence[TrainingPair],
    held_out: Sequence[TrainingPair],
    settings: FinetuneSettings,
    facts: Callable[[M], Mapping[str, Any]],
) -> Iterator[Trainee]:
    """``load()``'s model made ready for :func:`.run_finetune` (closed when the block
    ends): ``trainer(model)`` turns the pairs into rows once, cutting prompts as
    evaluation does (the card counts those cuts, not evaluation's), and torch is seeded
    again with ``settings.seed`` so that dropout does not depend on what loading drew.
    The card gets ``facts(model)`` and the truncation counts."""
    model = load()
    try:
        coach = trainer(model)
        rows, held_rows = coach.rows(train), coach.rows(held_out)
        cut = model.truncation.describe()
        torch.manual_seed(settings.seed)
        loaded = model.loaded
        assert loaded is not None  # just loaded
        yield Trainee(
            loaded=loaded,
            n_train=len(rows),
            batch_loss=lambda batch: coach.loss([rows[i] for i in batch]),
            evaluate=(lambda: coach.evaluate(held_out, held_rows, settings.batch_size)) if held_out else None,
            facts=lambda: {**facts(model), **cut},
        )
    finally:
        model.close()


def check_generate_pairs(
    family: str, strategy: str, train: Sequence[TrainingPair], held_out: Sequence[TrainingPair]
) -> None:
    """ModelError/DataError for what a generative model (gpt, t5) cannot be trained on,
    before anything loads: another strategy, no pairs, a request that is not a
    GenerateRequest, an empty target."""
    if strategy != "generate":
        raise ModelError(f"{family} is fine-tuned for generate only, not {strategy}")
    if not train:
        raise DataError("there are no training pairs")
    for pair in (*train, *held_out):
        if not isinstance(pair.request, GenerateRequest):
            raise ModelError(
                f"example '{pair.example_id}': expected a GenerateRequest, got {type(pair.request).__name__}"
            )
        if not str(pair.target).strip():
            raise DataError(f"example '{pair.example_id}': its target is empty")


def exact_match(answer: str, target: object) -> bool:
    """Whether a generated ``answer`` is ``target``, stripped, in any case."""
    return answer.strip().casefold() == str(target).strip().casefold()


def greedy(pair: TrainingPair) -> GenerateRequest:
    """The pair's request as evaluation asks it: greedy, with its own ``max_new_tokens`` and stops."""
    request = pair.request
    assert isinstance(request, GenerateRequest)  # check_generate_pairs made sure
    return dataclasses.replace(request, temperature=0.0)


def generation_scores(
    pairs: Sequence[TrainingPair],
    aligned: Iterable[tuple[torch.Tensor, torch.Tensor]],
    generate: Callable[[list[GenerateRequest]], list[str]],
) -> dict[str, float]:
    """``accuracy``, the share of ``pairs`` whose greedy generation is the target, and
    ``loss``, the mean cross-entropy per target token over ``aligned``: batches of
    ``(logits, labels)``, each label the token its position's logits predict (or
    :data:`IGNORED`). The batches are computed as they are read, without gradients."""
    loss_sum, count = 0.0, 0
    with torch.inference_mode():
        for logits, labels in aligned:
            labels = labels.to(logits.device)  # a model spread over GPUs gives its logits on the last
            loss_sum += float(
                torch.nn.functional.cross_entropy(
                    logits.float().reshape(-1, logits.shape[-1]), labels.reshape(-1), reduction="sum"
                )
            )
            count += int((labels != IGNORED).sum())
    answers = generate([greedy(pair) for pair in pairs])
    correct = sum(exact_match(answer, pair.target) for answer, pair in zip(answers, pairs, strict=True))
    return {"accuracy": correct / len(pairs), "loss": loss_sum / max(1, count)}
