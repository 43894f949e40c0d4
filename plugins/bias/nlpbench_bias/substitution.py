"""One-way word substitution: whole words only, case preserved, ambiguous words resolved by
the next word. ``Substitution.apply`` returns None when the text has nothing to swap."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

#: Words after which an ambiguous pronoun is not a determiner: "gave her a book" → "him",
#: "her book" → "his". Articles, prepositions, conjunctions, pronouns, auxiliaries, adverbs.
FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "some",
        "any",
        "no",
        "every",
        "each",
        "all",
        "both",
        "either",
        "neither",
        "to",
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "without",
        "about",
        "into",
        "onto",
        "over",
        "under",
        "after",
        "before",
        "behind",
        "between",
        "through",
        "during",
        "against",
        "among",
        "around",
        "across",
        "toward",
        "towards",
        "up",
        "down",
        "out",
        "off",
        "away",
        "back",
        "again",
        "here",
        "there",
        "now",
        "then",
        "today",
        "tonight",
        "yesterday",
        "tomorrow",
        "and",
        "or",
        "but",
        "nor",
        "so",
        "yet",
        "because",
        "if",
        "when",
        "while",
        "as",
        "than",
        "though",
        "although",
        "unless",
        "until",
        "i",
        "me",
        "my",
        "you",
        "your",
        "he",
        "him",
        "his",
        "she",
        "her",
        "hers",
        "we",
        "us",
        "our",
        "they",
        "them",
        "their",
        "it",
        "its",
        "is",
        "am",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "not",
        "too",
        "also",
        "just",
        "only",
        "even",
        "still",
        "ever",
        "never",
        "always",
        "once",
        "twice",
        "soon",
        "later",
        "well",
        "instead",
        "anyway",
    ]
)

_NEXT_WORD = re.compile(r"\s+([^\W\d_]+)")


def match_case(source: str, target: str) -> str:
    """``target`` in the case of ``source``: HE→SHE, He→She, he→she (mixed case: as written)."""
    if len(source) > 1 and source.isupper():
        return target.upper()
    if source[:1].isupper():
        return target[:1].upper() + target[1:]
    return target


@dataclass(frozen=True)
class Ambiguous:
    """A word with two counterparts: ``before_noun`` when a content word follows it,
    ``otherwise`` before punctuation, the end of the text or a function word."""

    before_noun: str
    otherwise: str


@dataclass(frozen=True)
class Substitution:
    """Rewrites every source word (a key of ``targets`` or ``ambiguous``, lower case) as
    its counterpart. ``title_only``: match only Capitalized or UPPER-CASE words (names)."""

    targets: Mapping[str, str]
    ambiguous: Mapping[str, Ambiguous] = field(default_factory=dict)
    title_only: bool = False
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words = sorted({*self.targets, *self.ambiguous}, key=lambda w: (-len(w), w))
        if self.title_only:
            forms = [form for w in words for form in (w[:1].upper() + w[1:], w.upper())]
            alternation = "|".join(re.escape(form) for form in forms)
            pattern = re.compile(rf"\b(?:{alternation})\b")
        else:
            alternation = "|".join(re.escape(w) for w in words)
            pattern = re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE)
        object.__setattr__(self, "pattern", pattern)

    def apply(self, text: str) -> str | None:
        """``text`` with every source word swapped, or None when there is none."""
        if not self.targets and not self.ambiguous:
            return None
        changed = False

        def replace(match: re.Match[str]) -> str:
            nonlocal changed
            word = match.group(0)
            target = self._target(word.lower(), text, match.end())
            changed = changed or target.lower() != word.lower()
            return match_case(word, target)

        result = self.pattern.sub(replace, text)
        return result if changed else None

    def mentions(self, text: str) -> bool:
        """Whether ``text`` holds a word this substitution swaps."""
        return bool(self.targets or self.ambiguous) and self.pattern.search(text) is not None

    def _target(self, word: str, text: str, end: int) -> str:
        choice = self.ambiguous.get(word)
        if choice is None:
            return self.targets[word]
        following = _NEXT_WORD.match(text, end)
        if following is None or following.group(1).lower() in FUNCTION_WORDS:
            return choice.otherwise
        return choice.before_noun
