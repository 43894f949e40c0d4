"""Contamination: which test examples share at least one word n-gram (13 words by
default, lm-evaluation-harness's decontamination) with a training corpus.

The test set's n-grams are hashed into one table (its size follows the test set, not
the corpus); the corpus is then streamed document by document and line by line, a
window of the last n words carried across lines, so memory stays flat in its size. An
example shorter than n words has no n-gram: it is counted apart (``n_too_short``),
never as clean."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from nlpbench import Example

from .text import input_text, ngram_hashes, words


@dataclass
class NgramTable:
    """Each n-gram hash of the test set → the examples that have it."""

    n: int
    owners: dict[int, list[int]] = field(default_factory=dict)
    checked: list[int] = field(default_factory=list)
    too_short: list[int] = field(default_factory=list)


def ngram_table(examples: Sequence[Example], n: int) -> NgramTable:
    table = NgramTable(n)
    for index, example in enumerate(examples):
        tokens = words(input_text(example))
        if len(tokens) < n:
            table.too_short.append(index)
            continue
        table.checked.append(index)
        for hashed in set(ngram_hashes(tokens, n)):
            table.owners.setdefault(hashed, []).append(index)
    return table


def corpus_hits(table: NgramTable, documents: Iterable[Iterator[list[str]]]) -> set[int]:
    """The test examples (indices) with an n-gram somewhere in ``documents`` (each an
    iterator of word lists, its lines). Stops reading once every checked example is hit."""
    hit: set[int] = set()
    if not table.owners:
        return hit
    n = table.n
    for document in documents:
        window: deque[str] = deque(maxlen=n)
        for line in document:
            for word in line:
                window.append(word)
                if len(window) == n:
                    owners = table.owners.get(hash(tuple(window)))
                    if owners:
                        hit.update(owners)
            if len(hit) == len(table.checked):
                return hit
    return hit
