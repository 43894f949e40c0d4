"""Where ROUGE-Lsum's sentences come from (its ``split_sentences`` option).

rouge-score's ROUGE-Lsum reads one sentence per line, and so does ``newline``, the
default: the text as given. ``nltk`` splits with nltk's ``sent_tokenize`` first, as
Hugging Face's summarization examples (and lighteval) do before evaluate's ``rouge``;
its punkt model must be downloaded once (no package on PyPI ships it). ``regex`` is a
small deterministic splitter that needs nothing: a sentence ends at ``.``, ``!`` or
``?`` (any closing quotes or brackets after it belong to it) followed by white space,
unless the word before the full stop is a common abbreviation ("Mr.", "Dr.", "e.g.")
or a single letter (an initial: "J. K. Rowling", "U.S."), or the stop sits inside a
number a tokenizer pulled apart ("£1. 8m").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nlpbench import MetricError

#: Each way of finding sentences, as results describe it.
SPLITTERS = {
    "newline": "one per line, as given (a text without newlines is one sentence), as rouge-score reads it",
    "nltk": "nltk's sent_tokenize on the stripped text, one sentence per line (Hugging Face's convention)",
    "regex": "one per line; a text without newlines is split by nlpbench's regex splitter",
}

#: What to run, once, for ``split_sentences: nltk`` on a machine without nltk's model.
NLTK_DOWNLOAD = "python -m nltk.downloader punkt_tab"

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
#: What follows the stop of a number a tokenizer pulled apart: digits with a unit on them ("8m", "5bn", "3%").
_NUMBER_AFTER = re.compile(r"\d+[a-zA-Z%]")


def split_for_rouge(mode: str) -> Callable[[str], str]:
    """The function that puts one sentence per line for ``split_sentences: mode``;
    MetricError (one line, saying how to fix it) when nltk or its model is missing."""
    if mode == "newline":
        return _as_given
    if mode == "regex":
        return one_sentence_per_line
    if mode == "nltk":
        return _nltk_splitter()
    raise MetricError(f"split_sentences must be one of {', '.join(SPLITTERS)}, not {mode!r}")


def _as_given(text: str) -> str:
    return text


def _nltk_splitter() -> Callable[[str], str]:
    try:
        from .nltk_import import import_nltk

        sent_tokenize = import_nltk("nltk.tokenize").sent_tokenize
    except ImportError as error:
        raise MetricError(f"split_sentences nltk needs nltk: pip install nltk ({error})") from None
    try:
        sent_tokenize("Loaded. Now.")  # loads the model, or says it is missing
    except LookupError:
        raise MetricError(
            f"split_sentences nltk needs nltk's punkt_tab sentence model, which is not installed (no package on "
            f"PyPI ships it): run `{NLTK_DOWNLOAD}` once with the network, or use split_sentences newline or regex"
        ) from None

    def split(text: str) -> str:
        return "\n".join(sent_tokenize(text.strip()))

    return split


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, in order, stripped of surrounding white space (none empty)."""
    sentences = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        if boundary.group(1) == "." and _is_abbreviation(text[start : boundary.start(1)]):
            continue
        if boundary.group(0) == f".{boundary.group(2)}" and _inside_number(text, boundary):
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


def _inside_number(text: str, boundary: re.Match[str]) -> bool:
    """Whether a bare full stop sits inside a number pulled apart ("£1. 8m"), not at an end
    ("in 2019. 5 firms bid" ends a sentence: no unit follows the 5)."""
    return (
        boundary.start(1) > 0
        and text[boundary.start(1) - 1].isdigit()
        and bool(_NUMBER_AFTER.match(text, boundary.end(2)))
    )


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
