"""The run's comparison entries, looked up by task, metric and pair of models, and read
the one way every part of the page reads them (who is better, how it was corrected)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nlpbench.report.page.formatting import number_or_none

#: Significance level assumed for an entry that does not say which model is better.
ALPHA = 0.05

#: How a correction is named in a sentence.
CORRECTIONS = {"holm": "Holm", "bh": "Benjamini–Hochberg", "bonferroni": "Bonferroni"}

Entry = Mapping[str, Any]


def comparison_entries(results: Mapping[str, Any]) -> list[Entry]:
    entries = results.get("comparisons")
    return [c for c in entries if isinstance(c, Mapping)] if isinstance(entries, list) else []


class Pairs:
    """Comparison entries by (task, metric), then by the unordered pair of models."""

    def __init__(self, entries: list[Entry]) -> None:
        self.by_pair: dict[tuple[str, str], dict[frozenset[str], Entry]] = {}
        for entry in entries:
            key = (str(entry.get("task")), str(entry.get("metric")))
            self.by_pair.setdefault(key, {})[frozenset((str(entry.get("a")), str(entry.get("b"))))] = entry

    def get(self, task: str, metric: str, one: str, other: str) -> Entry | None:
        return self.by_pair.get((task, metric), {}).get(frozenset((one, other)))


def better_side(entry: Entry) -> str | None:
    """``"a"`` or ``"b"`` when that model is significantly better after correction, else None.
    An entry written before ``better`` existed is read from its adjusted p-value."""
    if "better" in entry:
        better = entry.get("better")
        return better if better in ("a", "b") else None
    p, delta = number_or_none(entry.get("p_adjusted")), number_or_none(entry.get("delta"))
    if p is None or delta is None or p >= ALPHA or delta == 0:
        return None
    return "a" if (delta > 0) == bool(entry.get("higher_is_better", True)) else "b"


def winner(entry: Entry) -> str | None:
    """The model that is significantly better, by name, or None."""
    side = better_side(entry)
    return None if side is None else str(entry.get(side))


def corrected(entry: Entry) -> bool:
    return str(entry.get("correction") or "none") != "none"


def correction_name(entry: Entry) -> str:
    """``Holm``, ``Benjamini–Hochberg``…; the method's own name for one this page does not know."""
    method = str(entry.get("correction") or "none")
    return CORRECTIONS.get(method, method)


def p_label(entry: Entry) -> str:
    """``p adj`` for a corrected p-value, ``p`` for one that is not."""
    return "p adj" if corrected(entry) else "p"
