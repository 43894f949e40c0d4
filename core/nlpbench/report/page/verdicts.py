"""The answer first: per task, one sentence naming the winner (or the models tied at the
top) on the task's primary metric, with its interval and whether the lead survives the
correction for multiple comparisons.

Every number in a sentence is a value, an interval bound or an adjusted p-value of
results.json, printed as the leaderboard prints it; a test reads them back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlpbench.report.leaderboard import Board, format_score, model_label
from nlpbench.report.page.formatting import number_or_none, p_text, value_of
from nlpbench.report.page.pairs import Entry, Pairs, corrected, correction_name, p_label, winner

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@dataclass(frozen=True)
class Fragment:
    """A piece of a sentence; ``kind`` says how the page sets it: ``model`` and ``task``
    in bold, ``metric`` as code, ``num`` in tabular figures, ``""`` plain."""

    text: str
    kind: str = ""


@dataclass(frozen=True)
class Verdict:
    """One task's sentence. ``significant``: whether the leader's lead is significant
    after correction (None when there is no single leader, or it was not tested)."""

    task: str
    metric: str | None
    fragments: tuple[Fragment, ...]
    significant: bool | None

    @property
    def text(self) -> str:
        return "".join(fragment.text for fragment in self.fragments)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def primary_metric(results: Mapping[str, Any], board: Board) -> str | None:
    """The metric that decides a task: the one results.json names (``tasks.<task>.primary_metric``
    or the cross-task ranking's), else the first the task lists."""
    declared = _mapping(_mapping(results.get("tasks")).get(board.task)).get("primary_metric")
    if not isinstance(declared, str):
        declared = _mapping(_mapping(results.get("ranking")).get("metric_by_task")).get(board.task)
    if isinstance(declared, str) and declared in board.metrics:
        return declared
    return board.metrics[0] if board.metrics else None


def ranked(board: Board, metric: str) -> list[Mapping[str, Any]]:
    """The task's ok cells with a score on ``metric``, best first (ties keep the board's order)."""
    higher = board.directions.get(metric, True)
    scored = [c for c in board.rows if c.get("status") == "ok" and value_of(c, metric) is not None]
    return sorted(scored, key=lambda c: -(value_of(c, metric) or 0.0) if higher else (value_of(c, metric) or 0.0))


def _tie_group(cell: Mapping[str, Any], metric: str) -> int | None:
    group = _mapping(_mapping(cell.get("metrics")).get(metric)).get("tie_group")
    return group if isinstance(group, int) and not isinstance(group, bool) else None


def _top(cells: Sequence[Mapping[str, Any]], metric: str) -> list[Mapping[str, Any]]:
    """The leader and every model of its tie group; without tie groups (no comparisons),
    the models whose score equals the leader's."""
    leader = cells[0]
    group = _tie_group(leader, metric)
    if group is not None:
        return [c for c in cells if _tie_group(c, metric) == group]
    return [c for c in cells if value_of(c, metric) == value_of(leader, metric)]


def _count(n: int) -> str:
    return _WORDS[n] if n < len(_WORDS) else str(n)


class _Sentence:
    def __init__(self) -> None:
        self.parts: list[Fragment] = []

    def add(self, text: str, kind: str = "") -> _Sentence:
        self.parts.append(Fragment(text, kind))
        return self

    def model(self, cell: Mapping[str, Any]) -> _Sentence:
        return self.add(model_label(cell), "model")

    def score(self, cell: Mapping[str, Any], metric: str) -> _Sentence:
        return self.add(format_score(_mapping(cell.get("metrics")).get(metric)), "num")

    def value(self, cell: Mapping[str, Any], metric: str) -> _Sentence:
        """The score without its interval: for the model a leader is measured against."""
        return self.add(format_score({"value": value_of(cell, metric)}), "num")

    def p(self, entry: Entry) -> _Sentence:
        return self.add(f"{p_label(entry)} ").add(p_text(number_or_none(entry.get("p_adjusted"))), "num")

    def after(self, entry: Entry) -> _Sentence:
        return self.add(f" after {correction_name(entry)} correction" if corrected(entry) else " without correction")


def verdicts(results: Mapping[str, Any], all_boards: Sequence[Board], pairs: Pairs) -> list[Verdict]:
    """A sentence per task (a group counts as one), in the order of the leaderboards."""
    found = [_verdict(results, board, pairs) for board in all_boards if board.group is None]
    return [v for v in found if v is not None]


def _verdict(results: Mapping[str, Any], board: Board, pairs: Pairs) -> Verdict | None:
    metric = primary_metric(results, board)
    if metric is None:
        return None
    cells = ranked(board, metric)
    s = _Sentence().add("On ").add(board.task, "task").add(", ")
    significant: bool | None = None
    if not cells:
        s.add("no model has a score on ").add(metric, "metric").add(".")
    elif len(cells) == 1:
        s.model(cells[0]).add(" is the only model scored on ").add(metric, "metric").add(": ")
        s.score(cells[0], metric).add(".")
    elif len(top := _top(cells, metric)) == 1:
        significant = _lead(s, board.task, metric, cells, pairs)
    else:
        _tie(s, board.task, metric, cells, top, pairs)
    return Verdict(board.task, metric, tuple(s.parts), significant)


def _lead(s: _Sentence, task: str, metric: str, cells: Sequence[Mapping[str, Any]], pairs: Pairs) -> bool | None:
    """The sentence of a single leader: *X leads on M with v [lo, hi]; its lead over Y (w)
    is significant after Holm correction (p adj p).*"""
    leader, runner = cells[0], cells[1]
    s.model(leader).add(" leads on ").add(metric, "metric").add(" with ").score(leader, metric)
    s.add("; its lead over ").model(runner).add(" (").value(runner, metric).add(") ")
    entry = pairs.get(task, metric, str(leader["model"]), str(runner["model"]))
    if entry is None:
        s.add("was not tested, so whether it is real is not known.")
        return None
    if number_or_none(entry.get("p_adjusted")) is None:
        s.add("could not be tested.")
        return None
    significant = winner(entry) == leader["model"]
    s.add("is significant" if significant else "is not significant").after(entry).add(" (").p(entry).add(").")
    return significant


def _tie(
    s: _Sentence,
    task: str,
    metric: str,
    cells: Sequence[Mapping[str, Any]],
    top: Sequence[Mapping[str, Any]],
    pairs: Pairs,
) -> None:
    """The sentence of a tie at the top: *three models tie at the top on M: A v [..], B w
    [..] and C x [..]; none is significantly behind A after Holm correction (smallest p adj
    p); next comes D (y), significantly behind A (p adj q).*"""
    leader = top[0]
    everyone = len(top) == len(cells)
    if everyone:
        s.add("both models tie on " if len(top) == 2 else f"all {_count(len(top))} models tie on ")
    else:
        s.add(f"{_count(len(top))} models tie at the top on ")
    s.add(metric, "metric").add(": ")
    for index, cell in enumerate(top):
        if index:
            s.add(" and " if index == len(top) - 1 else ", ")
        s.model(cell).add(" ").score(cell, metric)
    tested = [
        entry
        for other in top[1:]
        if (entry := pairs.get(task, metric, str(leader["model"]), str(other["model"]))) is not None
        and number_or_none(entry.get("p_adjusted")) is not None
    ]
    if tested:
        closest = min(tested, key=lambda entry: number_or_none(entry.get("p_adjusted")) or 0.0)
        smallest = "smallest " if len(tested) > 1 else ""
        s.add("; none is significantly behind ").model(leader).after(closest).add(f" ({smallest}").p(closest).add(")")
    else:
        s.add("; they were not tested against each other")
    if not everyone:
        after = cells[len(top)]
        s.add("; next comes ").model(after).add(" (").value(after, metric).add(")")
        entry = pairs.get(task, metric, str(leader["model"]), str(after["model"]))
        if entry is not None and number_or_none(entry.get("p_adjusted")) is not None:
            behind = winner(entry) == leader["model"]
            s.add(", significantly behind " if behind else ", not significantly behind ").model(leader)
            s.add(" (").p(entry).add(")")
    s.add(".")
