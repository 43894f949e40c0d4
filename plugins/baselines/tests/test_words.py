from __future__ import annotations

import pytest

from nlpbench_baselines.words import match_key, words


def test_words_keep_their_offsets() -> None:
    text = "Denver’s U.S. team won 1,000,000 votes (3.5%) in well-known races; don't."
    found = words(text)
    assert [text[w.start : w.end] for w in found] == [
        "Denver’s", "U.S", "team", "won", "1,000,000", "votes", "3.5", "in", "well-known", "races", "don't",
    ]  # fmt: skip
    assert [w.key for w in found][:2] == ["denver", "u.s"]


def test_commas_between_words_are_not_thousands() -> None:
    text = "in 1995,the 12,34 and 1,0000"
    assert [text[w.start : w.end] for w in words(text)] == ["in", "1995", "the", "12", "34", "and", "1", "0000"]


@pytest.mark.parametrize(("word", "key"), [("Denver's", "denver"), ("JOHN’S", "john"), ("'s", "'s"), ("It", "it")])
def test_match_key(word: str, key: str) -> None:
    assert match_key(word) == key


def test_no_words() -> None:
    assert words("  ... !? ") == []
