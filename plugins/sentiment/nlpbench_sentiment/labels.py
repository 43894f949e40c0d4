"""Turning the raw labels of a data file (``1``, ``"0"``, ``"pos"``) into label names."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from nlpbench import did_you_mean

#: What a binary 0/1 column means when the suite doesn't say.
BINARY_NAMES = {"0": "negative", "1": "positive"}

_INTEGER = re.compile(r"^[+-]?\d+$")


class LabelProblem(ValueError):
    """A raw label that can't be named; the loader adds the file and line."""


def label_key(value: Any) -> str:
    """A raw label as text, so that YAML's ``0:``, JSON's ``0`` and a TSV's ``"0"`` agree."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class LabelNamer:
    """Names raw labels: by ``label_names``, else by position in ``labels``, else 0/1 as
    negative/positive; any other text is its own name. With ``labels``, every name must
    be one of them."""

    def __init__(self, labels: Sequence[str] | None = None, label_names: Mapping[str, str] | None = None) -> None:
        self.labels = tuple(labels) if labels is not None else None
        self.label_names = dict(label_names) if label_names is not None else None

    def name(self, raw: Any) -> str:
        """The name of ``raw``; LabelProblem saying what to set when there is none."""
        key = label_key(raw)
        if self.label_names is not None:
            if key not in self.label_names:
                known = ", ".join(repr(k) for k in self.label_names)
                raise LabelProblem(f"label {key!r} is not in data.label_names ({known})")
            return self._checked(self.label_names[key])
        if self.labels is not None:
            if key in self.labels:  # a name, even one that looks like a number ("1" stars)
                return key
            if _INTEGER.match(key):
                index = int(key)
                if not 0 <= index < len(self.labels):
                    raise LabelProblem(
                        f"label {index} is out of range: data.labels has {len(self.labels)} "
                        f"(indices 0 to {len(self.labels) - 1})"
                    )
                return self.labels[index]
            return self._checked(key)
        if _INTEGER.match(key):
            if key in BINARY_NAMES:
                return BINARY_NAMES[key]
            raise LabelProblem(f"label {key!r} is a number; name it with data.label_names or data.labels")
        return key

    def _checked(self, name: str) -> str:
        if self.labels is not None and name not in self.labels:
            raise LabelProblem(
                f"label {name!r} is not one of data.labels{did_you_mean(name, self.labels)}: {', '.join(self.labels)}"
            )
        return name


#: A label seen this many times less often than a label it is spelt like is taken for a typo.
TYPO_RARITY = 10


def likely_typo(counts: Mapping[str, int]) -> tuple[str, str] | None:
    """``(label, meant)`` when the data's labels (``counts``: label → rows), read without
    data.labels, hold one that looks like a misspelling of another: spelt alike (or alike
    but for case) and at least :data:`TYPO_RARITY` times rarer. None when none does."""
    for label, count in sorted(counts.items(), key=lambda item: (item[1], item[0])):
        others = [other for other in counts if other != label and counts[other] >= TYPO_RARITY * count]
        lowered = {other.lower(): other for other in others}
        if label.lower() in lowered:
            return label, lowered[label.lower()]
        close = difflib.get_close_matches(label, others, n=1, cutoff=0.8)
        if close:
            return label, close[0]
    return None
