from __future__ import annotations

import math
import random

import pytest

from nlpbench_baselines.window import Window, best_window, find_answer, question_weights, trim
from nlpbench_baselines.words import words

CONTEXT = (
    "The university was founded in 1891 by Leland Stanford. Its campus lies near Palo Alto, "
    "and its football team plays at Stanford Stadium."
)


def answer(question: str, context: str = CONTEXT, limit: int = 5, window: int | None = None) -> str:
    span = find_answer(question, context, limit, window)
    assert context[span.start : span.end] == span.text and span.text
    return span.text


def test_inverse_frequency_weights() -> None:
    found = words("cat dog cat bird")
    assert question_weights(found, {"cat", "bird"}) == [math.log(1.5), 0.0, math.log(1.5), math.log(2)]


def test_best_window_is_the_first_of_equals() -> None:
    assert best_window([0, 1, 0, 0, 1, 0], 2) == Window(0, 2, 1)
    assert best_window([0, 1, 0, 1, 1, 0], 2) == Window(3, 5, 2)
    assert best_window([0.1] * 10, 3) == Window(0, 3, pytest.approx(0.3))  # rounding does not move it


def test_trim() -> None:
    found = words("of the big cat in")
    assert trim(found, (0, 5)) == (2, 4)
    assert trim(found, (0, 2)) is None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # after the last question word of the window, up to 5 words, to the full stop, stopwords trimmed
        ("When was the university founded?", "1891 by Leland Stanford"),
        ("Who founded the university in 1891?", "Leland Stanford"),
        ("Where does the football team play?", "plays at Stanford Stadium"),  # no stemming: "plays" ≠ "play"
        ("What city is the campus near?", "lies near Palo Alto"),  # "near" is a stopword, so not a question word
    ],
)
def test_answers(question: str, expected: str) -> None:
    assert answer(question) == expected


def test_the_answer_is_cut_to_the_words_nearest_the_question_word() -> None:
    assert answer("When was the university founded?", limit=1) == "1891"
    context = "Rivers: the Nile flows north. Egypt is dry."
    # nothing after "north" or "flows" before the full stop: the words before "flows", the nearest one
    assert answer("Which river flows north?", context) == "Rivers: the Nile"
    assert answer("Which river flows north?", context, limit=1) == "Nile"


def test_clause_punctuation_ends_an_answer() -> None:
    assert answer("What did Ann buy?", "Ann bought apples, pears and plums.") == "bought apples"


def test_falls_back_when_nothing_overlaps() -> None:
    span = find_answer("Who?", "The quick brown fox jumps over the lazy dog", 3)
    assert (span.text, span.start, span.score) == ("quick brown", 4, 0.0)  # "The" trimmed
    assert find_answer("zebra", "of the in", 2).text == "of the"  # only stopwords: kept untrimmed


def test_falls_back_when_everything_is_a_question_word() -> None:
    span = find_answer("Paris France", "Paris, France", 5)
    assert span.text == "Paris, France" and span.score > 0


@pytest.mark.parametrize(("context", "text", "start"), [("  ?!  ", "?!", 2), ("   ", "   ", 0), ("x", "x", 0)])
def test_contexts_without_words(context: str, text: str, start: int) -> None:
    span = find_answer("What?", context, 5)
    assert (span.text, span.start, span.end) == (text, start, start + len(text))


def test_window_param() -> None:
    context = "alpha beta x x x x x x gamma delta answer found"
    # a short window finds the densest overlap; a long one sees all of it
    assert answer("alpha beta gamma delta?", context, window=2) == "x x x x x"
    assert answer("alpha beta gamma delta?", context, window=100) == "answer found"


def test_random_texts_always_give_a_valid_span() -> None:
    rng = random.Random(0)
    alphabet = ["the", "cat", "Sat", "on", "mat", ".", ",", " ", "  ", "\n", "’s", "1,000", "U.S.", "é", "—", "?"]
    for _ in range(500):
        context = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        question = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        span = find_answer(question, context, rng.randint(1, 6), rng.choice([None, 1, 3, 50]))
        assert context[span.start : span.end] == span.text and span.text, (question, context)
