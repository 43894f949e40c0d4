"""Splitting English text into sentences, with a regex and a few rules: no dependencies.

A sentence ends at ``.``, ``!``, ``?`` or ``…`` (runs such as ``?!`` or ``...`` too),
followed by any closing quotes or brackets, then whitespace, then a word that starts
with a capital letter or a digit (possibly after opening quotes or brackets). A blank
line always ends one. A period does not end a sentence after:

- a title or a Latin abbreviation (``Mr.``, ``Dr.``, ``Gov.``, ``e.g.``, ``vs.``), which
  always has more to come;
- an abbreviation that comes before numbers (``No. 10``, ``Jan. 5``, ``p. 12``) when a
  number follows;
- an initial or initialism (``J. K.``, ``U.S.``, ``p.m.``) or an ambiguous abbreviation
  (``Inc.``, ``Jr.``, ``St.``, ``etc.``) unless a function word follows: "the U.S. The
  company" splits, "the U.S. Army" does not.

Decimals (``3.5``) and dotted names (``Amazon.com``) never split, having no space after
the period. Whitespace inside a sentence is collapsed to single spaces, so no sentence
holds a line break.

Known limits: a sentence that starts in lower case (``iPhone sales rose``) is joined to
the one before; so is a sentence that ends in a title-like abbreviation ("He lives on
Baker St. Mary visits.") or in an initialism followed by a name; a headline or photo
caption with no final punctuation runs into the next sentence (common in CNN/DailyMail
articles); abbreviations it doesn't list ("Calif.") split when a capital follows;
text that isn't English gets only the punctuation rules.
"""

from __future__ import annotations

import re

from .stopwords import is_stopword

# each list one string, so it reads like prose
_TITLES = "mr mrs ms messrs dr prof rev hon gen col lt sgt capt cmdr adm maj gov sen rep pres supt det insp fr mt ft"
_LATIN = "e.g i.e vs cf viz a.k.a"
_BEFORE_NUMBERS = "no nos vol vols p pp fig figs ch sec art ca approx jan feb mar apr jun jul aug sep sept oct nov dec"
_AMBIGUOUS = "inc corp co ltd jr sr st etc al bros"

#: Abbreviations after which a sentence never ends: titles before a name, and Latin ones.
TITLES = frozenset(_TITLES.split() + _LATIN.split())

#: Abbreviations that come before a number: no sentence ends there when a number follows.
BEFORE_NUMBERS = frozenset(_BEFORE_NUMBERS.split())

#: Abbreviations that may end a sentence: it ends there only when a function word follows.
AMBIGUOUS = frozenset(_AMBIGUOUS.split())

# a terminator, any closing quotes or brackets, and the whitespace that must follow
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
# what comes after: whitespace, opening quotes or brackets, then the next word
_NEXT = re.compile(r"\s+[\"'“‘«(\[]*(\w[\w'’.-]*)?")
# the word before the terminator: everything since the last whitespace, opening quotes aside
_BEFORE = re.compile(r"[\"'“‘«(\[]*(\S*)$")
_LONGEST_ABBREVIATION = 16  # look no further back than this for the word before a period
_INITIALISM = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v\u00a0]*\n")


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, in order, each stripped and with its whitespace collapsed."""
    sentences: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        start = 0
        for end in _boundaries(paragraph):
            sentences.append(paragraph[start:end])
            start = end
        sentences.append(paragraph[start:])
    return [" ".join(sentence.split()) for sentence in sentences if sentence.strip()]


def _boundaries(text: str) -> list[int]:
    """Where sentences end in ``text`` (after their closing quotes), by the rules above."""
    ends = []
    for match in _END.finditer(text):
        following = _NEXT.match(text, match.end())
        assert following is not None  # _END insists on whitespace after it
        word = following.group(1) or ""
        if not word or not (word[0].isupper() or word[0].isdigit()):
            continue
        terminator = match.group().rstrip("\"'”’»)]")
        before = _BEFORE.search(text, max(0, match.start() - _LONGEST_ABBREVIATION), match.start())
        previous = before.group(1) if before else ""
        if terminator == "." and not _ends_sentence(previous, word):
            continue
        ends.append(match.end())
    return ends


def _ends_sentence(previous: str, following: str) -> bool:
    """Whether a single period after the word ``previous`` ends a sentence, given the next word."""
    key = previous.lower()
    if key in TITLES:
        return False
    if key in BEFORE_NUMBERS and following[0].isdigit():
        return False
    if key in AMBIGUOUS or _INITIALISM.fullmatch(previous):
        return is_stopword(following)
    return True
