from __future__ import annotations

import pytest

from nlpbench_baselines.lexicon import Lexicon
from nlpbench_baselines.scoring import is_negator, polarity, probability_positive, tokens

LEXICON = Lexicon(frozenset({"good", "fun"}), frozenset({"bad", "dull"}), "test")


def test_tokens() -> None:
    assert tokens("It isn’t GOOD, honestly!") == ["it", "isn't", "good", ",", "honestly", "!"]
    assert tokens("it is n't good .") == ["it", "is", "n't", "good", "."]


@pytest.mark.parametrize("word", ["not", "never", "n't", "isn't", "don't", "without", "lacks"])
def test_negators(word: str) -> None:
    assert is_negator(word)


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("good fun", 2),
        ("good but bad", 0),
        ("not good", -1),
        ("not very good", -1),  # within reach
        ("not at all very good", 1),  # four words on: out of reach
        ("not good, and fun", 0),  # punctuation ends the reach
        ("not long but good", 1),  # so does "but"
        ("never bad, never dull", 2),
        ("nothing", 0),
    ],
)
def test_polarity(text: str, score: int) -> None:
    assert polarity(text, LEXICON) == score


def test_probability() -> None:
    assert probability_positive(0) == 0.5
    assert probability_positive(2) == pytest.approx(1 - probability_positive(-2))
    assert probability_positive(1) == pytest.approx(0.7310585786)
