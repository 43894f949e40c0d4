"""Words with their character offsets, and the form in which a question's words match a context's."""

from __future__ import annotations

import re
from dataclasses import dataclass

# letters and digits, with inner apostrophes, periods and hyphens kept ("don't", "U.S", "3.5",
# "well-known"), and thousands separators ("1,000,000")
_WORD = re.compile(r"\w+(?:['’.\-]\w+|(?<=\d),\d{3}(?!\w))*")


@dataclass(frozen=True)
class Word:
    """One word of a text: ``text[start:end]``, and ``key``, the form it is matched by."""

    key: str
    start: int
    end: int


def words(text: str) -> list[Word]:
    """The words of ``text`` in order; punctuation and whitespace are not words."""
    return [Word(match_key(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def match_key(word: str) -> str:
    """Lowercase, straight apostrophes, and no possessive "'s": "Denver’s" matches "denver"."""
    key = word.lower().replace("’", "'")
    return key[:-2] if key.endswith("'s") and len(key) > 2 else key
