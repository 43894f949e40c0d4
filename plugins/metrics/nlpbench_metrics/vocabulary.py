"""Label vocabulary: turns predicted and reference labels into integer indices.

Statistics are float arrays, so labels (strings, numbers) travel as indices. One
metric instance scores every model of a task, so the vocabulary only ever grows:
an index handed out once keeps its meaning, and statistics computed for an earlier
model still decode after a later one has brought new labels.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from nlpbench import MetricError

#: The index of a missing prediction (None): no label has it, so it is never right.
NO_ANSWER = -1


def _sorted(values: Iterable[Hashable]) -> list[Hashable]:
    """``values`` in sorted order; by ``repr`` when they are of types that don't compare."""
    items = list(values)
    try:
        return sorted(items)  # type: ignore[type-var]
    except TypeError:
        return sorted(items, key=repr)


class LabelVocabulary:
    """Every label seen so far, each with a stable index (sorted within each batch)."""

    def __init__(self) -> None:
        self._index: dict[Hashable, int] = {}
        self._labels: list[Hashable] = []

    def __len__(self) -> int:
        return len(self._labels)

    def __contains__(self, label: object) -> bool:
        return isinstance(label, Hashable) and label in self._index

    @property
    def labels(self) -> tuple[Hashable, ...]:
        return tuple(self._labels)

    def add(self, labels: Iterable[Any]) -> None:
        """Give each new label (None excepted) the next index, in sorted order."""
        new: set[Hashable] = set()
        for label in labels:
            if label is None:
                continue
            if not isinstance(label, Hashable):
                raise MetricError(f"labels must be strings or numbers, not {type(label).__name__} ({label!r})")
            if label not in self._index:
                new.add(label)
        for label in _sorted(new):
            self._index[label] = len(self._labels)
            self._labels.append(label)

    def index(self, label: Any) -> int:
        """The index of ``label``; :data:`NO_ANSWER` for None."""
        if label is None:
            return NO_ANSWER
        return self._index[label]

    def label(self, index: int) -> Any:
        """The label at ``index``; None for :data:`NO_ANSWER`."""
        return None if index == NO_ANSWER else self._labels[index]
