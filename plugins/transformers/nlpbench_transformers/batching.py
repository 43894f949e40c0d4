"""Length-sorted batches, and a batch size that backs off on out-of-memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Literal, TypeVar

import torch

from nlpbench import ModelError

T = TypeVar("T")

#: Where ``batch_size: auto`` starts; it halves on every out-of-memory error.
AUTO_START = 256


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> Iterator[list[int]]:
    """Indices in batches of similar length, longest first (so an out-of-memory error
    comes at once, not at the end); ties keep their order, so batches are deterministic."""
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


class BatchRunner:
    """Runs ``work(batch of indices)`` over length-sorted batches and puts the answers
    back in request order. With ``batch_size='auto'`` (or None) it starts at 256 and halves
    on out-of-memory, remembering what fitted."""

    def __init__(self, batch_size: int | Literal["auto"] | None) -> None:
        self.auto = not isinstance(batch_size, int)
        self.batch_size = batch_size if isinstance(batch_size, int) else AUTO_START
        #: Tokens of every input run so far (the ``lengths`` of the batches that finished):
        #: what a model reports as ``tokens_processed`` for the runner's tokens/s.
        self.tokens = 0

    def run(self, lengths: Sequence[int], work: Callable[[list[int]], Sequence[T]]) -> list[T]:
        answers: list[T | None] = [None] * len(lengths)
        pending = list(length_sorted_batches(lengths, self.batch_size))
        while pending:
            batch = pending.pop(0)
            try:
                results = work(batch)
            except torch.OutOfMemoryError as error:
                if not self.auto or len(batch) == 1:
                    raise ModelError(
                        f"out of memory with a batch of {len(batch)}: set a smaller params.batch_size"
                    ) from error
                if torch.cuda.is_available():
                    torch.cuda.empty_cache()
                self.batch_size = max(1, len(batch) // 2)
                half = len(batch) // 2
                pending[:0] = [batch[:half], batch[half:]]
                continue
            for index, result in zip(batch, results, strict=True):
                answers[index] = result
            self.tokens += sum(lengths[index] for index in batch)
        return answers  # type: ignore[return-value]
