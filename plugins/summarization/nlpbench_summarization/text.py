"""Cutting texts to length, and splitting summaries into sentences, without dependencies.

Cuts keep the text as it was up to the cut (its line breaks included), so a summary
written one sentence a line keeps its lines for ROUGE-Lsum.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\S+")


def cut_words(text: str, limit: int) -> tuple[str, bool]:
    """``text`` up to the end of its ``limit``-th word (a run of non-space characters), and
    whether anything was cut. The white space between the kept words is kept."""
    for count, match in enumerate(_WORD.finditer(text), start=1):
        if count == limit:
            rest = text[match.end() :]
            return text[: match.end()], bool(rest.strip())
    return text, False


def cut_chars(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut to at most ``limit`` characters, back to the last whole word when the cut
    falls inside one (unless the first word alone is longer), right-stripped; and whether
    anything was cut."""
    if len(text) <= limit:
        return text, False
    kept = text[:limit]
    if not text[limit].isspace():
        space = max(kept.rfind(" "), kept.rfind("\n"), kept.rfind("\t"))
        if space > 0:
            kept = kept[:space]
    return kept.rstrip(), True


#: Words whose full stop does not end a sentence (lower case, without the final stop).
ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "rev", "gen", "col", "lt", "sgt", "capt", "gov", "sen", "rep",
        "pres", "st", "jr", "sr", "vs", "etc", "inc", "ltd", "co", "corp", "no", "jan", "feb", "mar",
        "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "e.g", "i.e", "u.s", "u.k", "approx",
    }
)  # fmt: skip
# an end mark and any closing quotes or brackets, where the next sentence starts with a
# capital or a digit (after any opening quotes or brackets; ` and `` open quotes in
# tokenized text such as CNN/DailyMail's)
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+(?:[\"'“‘`(\[]+\s*)?[A-Z0-9])")
_OPENING = "\"'“‘`(["


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``: every line break ends one, and so does ``.``, ``!`` or
    ``?`` before white space and a capital or digit, except a full stop after a common
    abbreviation ("Mr.", "U.S.") or an initial ("J. K."). A full stop on its own (the
    tokenized " . " of CNN/DailyMail highlights) ends a sentence. White space inside a
    sentence is collapsed."""
    sentences: list[str] = []
    for line in text.split("\n"):
        start = 0
        for match in _END.finditer(line):
            if match.group().startswith(".") and not match.group().startswith(".."):
                before = line[start : match.start()].split()
                word = before[-1].lstrip(_OPENING).lower() if before and not line[match.start() - 1].isspace() else ""
                if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                    continue
            sentences.append(line[start : match.end()])
            start = match.end()
        sentences.append(line[start:])
    return [" ".join(sentence.split()) for sentence in sentences if sentence.strip()]


def one_sentence_per_line(text: str) -> str:
    """``text`` with its sentences one a line (how ROUGE-Lsum reads a summary)."""
    return "\n".join(split_sentences(text))
