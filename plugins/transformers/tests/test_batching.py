from __future__ import annotations

import pytest
import torch

from nlpbench import ModelError
from nlpbench_transformers import BatchRunner, Truncation, length_sorted_batches


def test_batches_are_sorted_longest_first_and_cover_everything() -> None:
    lengths = [3, 9, 1, 9, 4, 7]
    batches = list(length_sorted_batches(lengths, 4))
    assert batches == [[1, 3, 5, 4], [0, 2]]


def test_answers_come_back_in_request_order() -> None:
    lengths = [5, 1, 3, 2]
    answers = BatchRunner(2).run(lengths, lambda batch: [f"answer-{i}" for i in batch])
    assert answers == ["answer-0", "answer-1", "answer-2", "answer-3"]


def test_auto_batch_size_backs_off_on_out_of_memory() -> None:
    sizes: list[int] = []

    def work(batch: list[int]) -> list[int]:
        sizes.append(len(batch))
        if len(batch) > 16:
            raise torch.OutOfMemoryError("CUDA out of memory")
        return [i * 2 for i in batch]

    runner = BatchRunner(None)
    answers = runner.run([1] * 40, work)
    assert answers == [i * 2 for i in range(40)]
    assert runner.batch_size <= 16
    assert sizes[0] == 40


def test_a_fixed_batch_size_that_does_not_fit_is_a_clear_error() -> None:
    def work(batch: list[int]) -> list[int]:
        raise torch.OutOfMemoryError("CUDA out of memory")

    with pytest.raises(ModelError, match=r"out of memory with a batch of 4: set a smaller params\.batch_size"):
        BatchRunner(4).run([1] * 4, work)


def test_truncation_cuts_and_counts() -> None:
    left = Truncation("left", 3)
    assert left.cut([1, 2, 3, 4, 5]) == [3, 4, 5]
    assert left.cut([1, 2]) == [1, 2]
    right = Truncation("right", 3)
    assert right.cut([1, 2, 3, 4]) == [1, 2, 3]
    assert left.describe() == {"max_length": 3, "truncation_side": "left", "truncated_inputs": 1, "truncated_tokens": 2}


def test_the_runner_counts_the_tokens_of_finished_batches() -> None:
    runner = BatchRunner(2)
    runner.run([3, 5, 7], lambda batch: batch)
    assert runner.tokens == 15
    runner.run([1], lambda batch: batch)
    assert runner.tokens == 16
