"""What the checks compare: an example's text, normalised (Unicode NFKC, case folded,
punctuation made spaces, whitespace collapsed), its words, shingles and n-grams."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from nlpbench import Example

#: Anything but letters, digits and whitespace separates words.
_PUNCTUATION = re.compile(r"[^\w\s]|_", re.UNICODE)


def text_of(value: Any) -> str:
    """A field as one string: a string as it is, a mapping's or list's strings joined
    by newlines (a QA input's question and context), anything else as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return "\n".join(text_of(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return "\n".join(text_of(v) for v in value)
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def input_text(example: Example) -> str:
    return text_of(example.input)


def normalise(text: str) -> str:
    """The text as the checks compare it: two texts that differ only in case, accents'
    encoding, punctuation or spacing are the same."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_PUNCTUATION.sub(" ", folded).split())


def words(text: str) -> list[str]:
    return normalise(text).split()


def digest(text: str) -> bytes:
    """16 bytes standing for a normalised text (fixed size whatever the text's length)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def shingles(tokens: Sequence[str], size: int) -> set[str]:
    """The word ``size``-grams of ``tokens``; a text shorter than that is one shingle."""
    if len(tokens) <= size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def ngram_hashes(tokens: Sequence[str], n: int) -> Iterator[int]:
    """A hash of each word n-gram of ``tokens`` (none when it has fewer than n words)."""
    for i in range(len(tokens) - n + 1):
        yield hash(tuple(tokens[i : i + n]))
