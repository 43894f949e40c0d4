"""The bit-parallel LCS kernel against rouge-score's own table, backtracking and formulas."""

from __future__ import annotations

import random

import pytest
from rouge_score import rouge_scorer

from nlpbench_metrics.lcs import LcsTable, score_lcs, summary_level_lcs


def random_tokens(rng: random.Random, alphabet: int, most: int) -> list[str]:
    # a small alphabet makes many equal tokens: ties that test the backtracking's choice
    return [f"t{rng.randrange(alphabet)}" for _ in range(rng.randint(0, most))]


@pytest.mark.parametrize("alphabet", [1, 2, 3, 5, 20])
def test_every_cell_and_the_chosen_lcs_equal_rouge_score(alphabet: int) -> None:
    rng = random.Random(alphabet)
    for _ in range(100):
        ref, can = random_tokens(rng, alphabet, 14), random_tokens(rng, alphabet, 14)
        table = LcsTable(ref, can)
        expected = rouge_scorer._lcs_table(ref, can)
        assert [[table.cell(i, j) for j in range(len(can) + 1)] for i in range(len(ref) + 1)] == expected
        assert table.length() == expected[-1][-1]
        assert table.indices() == rouge_scorer.lcs_ind(ref, can), (ref, can)
        assert score_lcs(ref, can) == tuple(rouge_scorer._score_lcs(ref, can)), (ref, can)


def test_rouge_lsum_equals_rouge_score_on_random_sentences() -> None:
    rng = random.Random(3)
    for _ in range(400):
        alphabet = rng.choice((2, 3, 6, 30))
        refs = [random_tokens(rng, alphabet, 8) for _ in range(rng.randint(0, 4))]
        cans = [random_tokens(rng, alphabet, 8) for _ in range(rng.randint(0, 4))]
        assert summary_level_lcs(refs, cans) == tuple(rouge_scorer._summary_level_lcs(refs, cans)), (refs, cans)


def test_long_sequences() -> None:
    # a table wider than a machine word: the integers grow, the answers stay rouge-score's
    rng = random.Random(4)
    ref, can = random_tokens(rng, 7, 300), random_tokens(rng, 7, 300)
    table = LcsTable(ref, can)
    assert table.length() == rouge_scorer._lcs_table(ref, can)[-1][-1]
    assert table.indices() == rouge_scorer.lcs_ind(ref, can)


def test_empty_sides_score_zero() -> None:
    assert score_lcs([], ["a"]) == (0, 0, 0)
    assert score_lcs(["a"], []) == (0, 0, 0)
    assert summary_level_lcs([], [["a"]]) == (0, 0, 0)
    assert summary_level_lcs([[]], [["a"]]) == (0, 0, 0)
