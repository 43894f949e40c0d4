"""rouge-score's tokenizer, with its answers remembered.

Each registered ROUGE metric is its own instance, so scoring a task with rouge-1,
rouge-2, rouge-l and rouge-lsum would tokenize (and Porter-stem, the slow part) every
summary four times, and ROUGE-Lsum once more sentence by sentence. Here the four share
one tokenizer per stemming setting that remembers each text's tokens and each word's
stem. Both are pure functions (rouge-score's ``tokenize.tokenize`` and nltk's Porter
stemmer as rouge-score builds it), so a remembered answer is exactly the one rouge-score
would compute; tokens are kept as tuples, so no caller can change what the next gets.

nltk, which takes seconds to import, is imported only when stemming is on.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

#: Texts (and, separately, words) remembered per stemming setting.
CACHE_SIZE = 1 << 16


class CachedTokenizer:
    """rouge-score's ``DefaultTokenizer(use_stemmer)``, remembering texts and stems."""

    def __init__(self, use_stemmer: bool) -> None:
        from rouge_score import tokenize  # re and six only: cheap to import

        stemmer: Any = None
        if use_stemmer:
            from .nltk_import import import_nltk

            porter = import_nltk("nltk.stem.porter")
            stemmer = _CachedStemmer(porter.PorterStemmer())  # as DefaultTokenizer builds it
        self.use_stemmer = use_stemmer
        self._tokenize: Callable[[str], tuple[str, ...]] = functools.lru_cache(maxsize=CACHE_SIZE)(
            lambda text: tuple(tokenize.tokenize(text, stemmer))
        )

    def tokenize(self, text: str) -> tuple[str, ...]:
        """The tokens of ``text``: lowercased, split on anything but a-z and 0-9, stemmed
        (words of more than three letters) when stemming is on."""
        return self._tokenize(text)


class _CachedStemmer:
    """A Porter stemmer that remembers each word's stem (rouge-score calls only ``stem``)."""

    def __init__(self, stemmer: Any) -> None:
        self.stem: Callable[[str], str] = functools.lru_cache(maxsize=CACHE_SIZE)(stemmer.stem)


_SHARED: dict[bool, CachedTokenizer] = {}


def shared_tokenizer(use_stemmer: bool) -> CachedTokenizer:
    """The one remembering tokenizer of this process for ``use_stemmer``."""
    if use_stemmer not in _SHARED:
        _SHARED[use_stemmer] = CachedTokenizer(use_stemmer)
    return _SHARED[use_stemmer]
