"""The sentence splitter ROUGE-Lsum uses when a text has no newlines."""

from __future__ import annotations

import pytest

from nlpbench_metrics.sentences import one_sentence_per_line, split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        # CNN/DailyMail as the shared data has it: tokenized, " . " between sentences
        (
            "Gary Locke will be confirmed on Friday . The club went unbeaten . He paid tribute .",
            ["Gary Locke will be confirmed on Friday .", "The club went unbeaten .", "He paid tribute ."],
        ),
        ("It rained. Then it stopped! Did it? Yes.", ["It rained.", "Then it stopped!", "Did it?", "Yes."]),
        ("lowercased output . still split . fine", ["lowercased output .", "still split .", "fine"]),
        ('He said "stop." Then he left.', ['He said "stop."', "Then he left."]),
        ("(As planned.) Next one.", ["(As planned.)", "Next one."]),
        ("Wait... what?  Really!", ["Wait...", "what?", "Really!"]),
        ("no end mark at all", ["no end mark at all"]),
        ("", []),
        ("   ", []),
    ],
)
def test_splits_at_end_marks_followed_by_space(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Smith met Dr. Jones.",
        "The U.S. economy grew.",
        "J. K. Rowling wrote it.",
        "It starts at 5 p.m. sharp.",
        "Bring fruit, e.g. apples.",
        "Apples, pears, etc. were sold.",
    ],
)
def test_abbreviations_and_initials_do_not_end_a_sentence(text: str) -> None:
    assert split_sentences(text) == [text]


def test_no_split_inside_a_number_or_a_word() -> None:
    assert split_sentences("It cost 3.5 million.Then more.") == ["It cost 3.5 million.Then more."]


def test_no_split_inside_a_number_a_tokenizer_pulled_apart() -> None:
    # CNN/DailyMail's tokenized text writes £1.8m as "£1. 8m"; a year before a count still ends a sentence
    assert split_sentences("He paid £1. 8m for it. Shares rose 3. 5% in 2019. 5 firms bid.") == [
        "He paid £1. 8m for it.",
        "Shares rose 3. 5% in 2019.",
        "5 firms bid.",
    ]


def test_one_sentence_per_line() -> None:
    assert one_sentence_per_line("One. Two.") == "One.\nTwo."
    assert one_sentence_per_line("no stop") == "no stop"


def test_text_with_newlines_is_taken_as_already_split() -> None:
    text = "One. Two.\nThree"
    assert one_sentence_per_line(text) == text
