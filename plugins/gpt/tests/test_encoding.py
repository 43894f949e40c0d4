"""lm-eval's tokenization of (context, continuation) pairs."""

from __future__ import annotations

from typing import Any

from nlpbench_gpt.encoding import encode_pairs, move_trailing_space

EOS = 50256


def test_trailing_whitespace_moves_to_the_continuation() -> None:
    assert move_trailing_space("Answer: ", "yes") == ("Answer:", " yes")
    assert move_trailing_space("Answer:\n\n", "yes") == ("Answer:", "\n\nyes")
    assert move_trailing_space("Answer:", " yes") == ("Answer:", " yes")
    assert move_trailing_space("  ", "yes") == ("", "  yes")


def test_pairs_with_the_real_tokenizer(tokenizer: Any) -> None:
    def encode(texts: list[str]) -> list[list[int]]:
        return tokenizer(texts, add_special_tokens=False)["input_ids"]

    (sky, empty, spaces) = encode_pairs(encode, [("The sky is ", "blue"), ("", "Hello"), ("  ", "Hi")], start_token=EOS)
    assert sky == (tuple(encode(["The sky is"])[0]), tuple(encode([" blue"])[0]))
    assert empty == ((EOS,), tuple(encode(["Hello"])[0]))
    assert spaces == ((EOS,), tuple(encode(["  Hi"])[0]))


def test_contexts_and_whole_texts_are_tokenized_in_one_call() -> None:
    calls: list[list[str]] = []

    def encode(texts: list[str]) -> list[list[int]]:
        calls.append(texts)
        return [[ord(c) for c in text] for text in texts]

    pairs = encode_pairs(encode, [("ab", "c"), ("ab", "de"), ("", "f")], start_token=0, prepend_start=True)
    assert calls == [["ab", "abc", "abde", "f"]]  # each distinct context once
    assert pairs == [((0, 97, 98), (99,)), ((0, 97, 98), (100, 101)), ((0,), (102,))]


def test_a_continuation_merged_into_the_context_is_scored_on_its_own() -> None:
    # a tokenizer that merges "xy" into one token: tokens("x" + "y") is no longer than tokens("x")
    def encode(texts: list[str]) -> list[list[int]]:
        return [[1] if text == "xy" else [ord(c) for c in text] for text in texts]

    assert encode_pairs(encode, [("x", "y")], start_token=0) == [((120,), (121,))]
