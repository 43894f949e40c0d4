from __future__ import annotations

import pytest

from nlpbench_bias import Ambiguous, Substitution, built_in, match_case

GENDER = built_in("gender")
TO_FEMALE = GENDER.towards("female")
TO_MALE = GENDER.towards("male")


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [("he", "she", "she"), ("He", "she", "She"), ("HE", "she", "SHE"), ("hE", "she", "she"), ("Mr", "mrs", "Mrs")],
)
def test_case_is_preserved(source: str, target: str, expected: str) -> None:
    assert match_case(source, target) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He said he would come.", "She said she would come."),
        ("HE IS HERE", "SHE IS HERE"),
        ("The man and his son.", "The woman and her daughter."),
        ("The book is his.", "The book is hers."),
        ("His.", "Hers."),
        ("Ask him, or his father's brother!", "Ask her, or her mother's sister!"),
        ("Mr. Lee thanked the waiters.", "Mrs. Lee thanked the waitresses."),
        ("he'll see (himself) soon", "she'll see (herself) soon"),
    ],
)
def test_to_female(text: str, expected: str) -> None:
    assert TO_FEMALE.apply(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She said she would come.", "He said he would come."),
        ("I saw her.", "I saw him."),
        ("I saw her yesterday", "I saw him yesterday"),
        ("He gave her a book.", "He gave him a book."),
        ("Her dog barked at her", "His dog barked at him"),
        ("her own house", "his own house"),
        ("The pen is hers; her pen.", "The pen is his; his pen."),
        ("The queen's daughters", "The king's sons"),
        ("HER CAR", "HIS CAR"),
    ],
)
def test_to_male_resolves_her_by_the_next_word(text: str, expected: str) -> None:
    assert TO_MALE.apply(text) == expected


@pytest.mark.parametrize(
    "text",
    ["The shell is in this theme.", "Sheet, hero-less? No: thesis, manner, history, whisper.", "Nothing here.", ""],
)
def test_whole_words_only(text: str) -> None:
    # "she" in "shell", "his" in "this"/"history", "he" in "the"/"here"; "hero" is a male word but
    # "hero-less" is not rewritten beyond the whole word "hero"
    result = TO_FEMALE.apply(text)
    if "hero" in text:
        assert result == "Sheet, heroine-less? No: thesis, manner, history, whisper."
    else:
        assert result is None
    assert TO_MALE.apply(text) is None


def test_nothing_to_swap_is_none_and_one_direction_only() -> None:
    assert TO_FEMALE.apply("She likes it.") is None  # already female: to-female leaves it
    assert TO_MALE.apply("He likes it.") is None
    assert TO_FEMALE.mentions("he") and not TO_FEMALE.mentions("she")


def test_a_mixed_text_is_rewritten_one_way() -> None:
    assert TO_FEMALE.apply("He met her.") == "She met her."
    assert TO_MALE.apply("He met her.") == "He met him."


def test_names_match_only_capitalized_or_upper_case() -> None:
    names = built_in("names-gender").towards("female-names")
    assert names.apply("James met Robert.") == "Mary met Jennifer."
    assert names.apply("JAMES called") == "MARY called"
    assert names.apply("james called") is None
    back = built_in("names-gender").towards("male-names")
    assert back.apply("Carol sang a carol.") == "Ronald sang a carol."


def test_an_empty_substitution_changes_nothing() -> None:
    assert Substitution({}).apply("he") is None
    assert not Substitution({}).mentions("he")


def test_ambiguous_words_with_a_custom_choice() -> None:
    sub = Substitution({"x": "y"}, {"a": Ambiguous("noun-form", "bare-form")})
    assert sub.apply("a cat, a.") == "noun-form cat, bare-form."
    assert sub.apply("a the") == "bare-form the"
