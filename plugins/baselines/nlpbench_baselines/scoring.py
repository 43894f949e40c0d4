"""Scoring a text with a lexicon: count positive minus negative words, with negation."""

from __future__ import annotations

import math
import re

from .lexicon import Lexicon

# words, contractions kept whole ("isn't", and SST's split-off "n't"), and the
# punctuation that ends a negation's reach
TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*|[.,;:!?]")

NEGATORS = frozenset(
    {
        "not",
        "no",
        "never",
        "nor",
        "neither",
        "nothing",
        "nobody",
        "none",
        "cannot",
        "without",
        "hardly",
        "barely",
        "scarcely",
        "lack",
        "lacks",
        "lacking",
        "n't",
    }
)

#: How many words after a negator it flips ("not very good", "never really that funny").
SCOPE = 3

#: Words that end a negation's reach early ("not long, but charming").
CLAUSE_BREAKS = frozenset({"but", "yet", "although", "though", "however"})


def tokens(text: str) -> list[str]:
    """Lowercase words and clause punctuation of ``text``; curly apostrophes made straight."""
    return TOKEN.findall(text.lower().replace("\u2019", "'"))


def is_negator(token: str) -> bool:
    return token in NEGATORS or token.endswith("n't")


def polarity(text: str, lexicon: Lexicon) -> int:
    """Positive minus negative words; a word within a negator's reach counts the other way."""
    score = 0
    reach = 0  # words still negated
    for token in tokens(text):
        if not token[0].isalpha() or token in CLAUSE_BREAKS:
            reach = 0
        elif is_negator(token):
            reach = SCOPE
        else:
            value = lexicon.polarity(token)
            score += -value if reach else value
            reach = max(reach - 1, 0)
    return score


def probability_positive(score: int) -> float:
    """The logistic of the score: 0.5 for a tie, about 0.73 for one positive word more."""
    return 1.0 / (1.0 + math.exp(-score))
