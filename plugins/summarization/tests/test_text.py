from __future__ import annotations

import pytest

from nlpbench_summarization.text import cut_chars, cut_words, one_sentence_per_line, split_sentences


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [("one two  three\nfour five", 3, ("one two  three", True)), ("one two", 3, ("one two", False)),
     ("a b c  ", 3, ("a b c", False)), ("First line.\nSecond line here.", 4, ("First line.\nSecond line", True)),
     ("", 2, ("", False))],
)  # fmt: skip
def test_cut_words_keeps_the_white_space_between(text: str, limit: int, expected: tuple[str, bool]) -> None:
    assert cut_words(text, limit) == expected


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [("Hello wonderful world", 12, ("Hello", True)), ("Hello world", 5, ("Hello", True)),
     ("Hello world", 6, ("Hello", True)), ("Hello", 10, ("Hello", False)), ("Supercalifragilistic", 5, ("Super", True)),
     ("One.\nTwo three", 8, ("One.\nTwo", True)), ("One.\nTwothree", 7, ("One.", True))],
)  # fmt: skip
def test_cut_chars_backs_off_to_a_whole_word(text: str, limit: int, expected: tuple[str, bool]) -> None:
    assert cut_chars(text, limit) == expected


def test_sentences() -> None:
    text = 'Mr. Lee won the U.S. Open. He was 3.5 shots clear!  "Amazing," he said.\nJ. K. Rowling wrote it... Then? 2 more'
    assert split_sentences(text) == [
        "Mr. Lee won the U.S. Open.",
        "He was 3.5 shots clear!",
        '"Amazing," he said.',
        "J. K. Rowling wrote it...",
        "Then?",
        "2 more",
    ]


def test_tokenized_cnn_dailymail_highlights() -> None:
    highlights = "Locke will be confirmed on Friday . The club went unbeaten . ` She said it was fine . ''"
    assert one_sentence_per_line(highlights) == (
        "Locke will be confirmed on Friday .\nThe club went unbeaten .\n` She said it was fine . ''"
    )


def test_a_lower_case_start_and_blank_lines() -> None:
    assert split_sentences("It rose. iPhone sales fell.\n\n  \nEnd.") == ["It rose. iPhone sales fell.", "End."]
