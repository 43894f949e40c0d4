"""A small deterministic sentence splitter, for ROUGE-Lsum.

rouge-score's ROUGE-Lsum reads one sentence per line. HF evaluate and lighteval split
with nltk's punkt model, which must be downloaded first; this needs nothing and always
gives the same answer: a sentence ends at ``.``, ``!`` or ``?`` (any closing quotes or
brackets after it belong to it) followed by white space, unless the word before the
full stop is a common abbreviation ("Mr.", "Dr.", "e.g.") or a single letter (an
initial: "J. K. Rowling", "U.S.").
"""

from __future__ import annotations

import re

#: Words whose full stop does not end a sentence (compared in lower case, without the stop).
ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "rev", "gen", "col", "lt",
        "sgt", "capt", "gov", "sen", "rep", "pres", "vs", "etc", "vol", "fig", "inc", "ltd",
        "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
        "nov", "dec", "e.g", "i.e", "approx",
    }
)  # fmt: skip

# the end mark, any closing quotes or brackets, then the white space where we cut
_BOUNDARY = re.compile(r"([.!?]+)[\"'”’)\]]*(\s+)")
_WORD_BEFORE = re.compile(r"(\S+)$")


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, in order, stripped of surrounding white space (none empty)."""
    sentences = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        if boundary.group(1) == "." and _is_abbreviation(text[start : boundary.start(1)]):
            continue
        sentences.append(text[start : boundary.start(2)])
        start = boundary.end(2)
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()]


def one_sentence_per_line(text: str) -> str:
    """``text`` with a newline between sentences, unless it already has newlines (then it is
    taken to be split already, and returned as it is)."""
    if "\n" in text:
        return text
    return "\n".join(split_sentences(text))


def _is_abbreviation(before: str) -> bool:
    """Whether the word ending ``before`` (the text up to a full stop) is an abbreviation."""
    found = _WORD_BEFORE.search(before)
    if found is None:  # a lone "." after white space, as in tokenized text: a real stop
        return False
    word = found.group(1).lstrip("\"'“‘([").lower()
    if len(word) == 1 and word.isalpha():
        return True  # an initial
    if re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
        return True  # "u.s", "u.k", "a.m"
    return word in ABBREVIATIONS
