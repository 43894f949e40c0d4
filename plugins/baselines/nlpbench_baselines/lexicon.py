"""The word lists the ``wordlist`` model counts: built in, or the user's own JSON file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from nlpbench import ConfigError

BUILT_IN = "data/lexicon.json"


@dataclass(frozen=True)
class Lexicon:
    """Positive and negative words, lowercase; ``source`` says where they came from."""

    positive: frozenset[str]
    negative: frozenset[str]
    source: str

    def polarity(self, word: str) -> int:
        """+1 for a positive word, -1 for a negative one, 0 otherwise."""
        return 1 if word in self.positive else -1 if word in self.negative else 0


def built_in() -> Lexicon:
    """The lexicon shipped with this package (written for it, about 180 + 210 words)."""
    text = resources.files(__package__).joinpath(BUILT_IN).read_text(encoding="utf-8")
    return parse(json.loads(text), "built-in")


def from_file(path: Path) -> Lexicon:
    """A user's lexicon: JSON ``{"positive": [...], "negative": [...]}``; ConfigError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"params.lexicon: {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"params.lexicon: {path}: cannot read: {error}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"params.lexicon: {path}:{error.lineno}: invalid JSON: {error.msg}") from None
    return parse(document, str(path))


def parse(document: Any, source: str) -> Lexicon:
    """A Lexicon from the decoded JSON; ConfigError saying what is wrong with it."""
    if not isinstance(document, dict):
        raise ConfigError(f"params.lexicon: {source}: expected an object with 'positive' and 'negative' lists")
    lists: dict[str, frozenset[str]] = {}
    for key in ("positive", "negative"):
        words = document.get(key)
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise ConfigError(f"params.lexicon: {source}: '{key}' must be a non-empty list of words")
        lists[key] = frozenset(w.strip().lower() for w in words)
    unknown = sorted(set(document) - {"positive", "negative"})
    if unknown:
        raise ConfigError(f"params.lexicon: {source}: unknown key '{unknown[0]}'; expected 'positive' and 'negative'")
    both = sorted(lists["positive"] & lists["negative"])
    if both:
        raise ConfigError(f"params.lexicon: {source}: '{both[0]}' is both positive and negative")
    return Lexicon(lists["positive"], lists["negative"], source)
