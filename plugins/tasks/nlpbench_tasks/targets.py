"""What the right answer of an example is, from its rendered ``target``.

With choices, a target is the index of the right choice (a number, or text that is a
number), the text of a choice, or a list of either (several right answers); anything
else cannot be resolved. Without choices, a target is one acceptable answer, or a list
of them (a rendered literal list such as TriviaQA's aliases included).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nlpbench import did_you_mean

from .templates import literal_list


class Unresolved(Exception):
    """The target names no choice (out of range, or not one of the choices' texts)."""


def choice_indices(target: Any, choices: Sequence[str], digit_strings: bool = True) -> tuple[int, ...]:
    """The indices of the right choices; Unresolved saying why when there are none.
    ``digit_strings``: whether text of digits that is no choice's text names an index."""
    if isinstance(target, str) and digit_strings:
        target = literal_list(target)
    if isinstance(target, (list, tuple)):
        if not target:
            raise Unresolved("the target is an empty list")
        return tuple(index for item in target for index in choice_indices(item, choices, digit_strings))
    if isinstance(target, bool):
        raise Unresolved(f"the target {target!r} is neither a choice's index nor its text")
    if isinstance(target, int):
        if 0 <= target < len(choices):
            return (target,)
        raise Unresolved(f"the target {target} is out of range of the {len(choices)} choices")
    if isinstance(target, float) and target.is_integer():
        return choice_indices(int(target), choices)
    if isinstance(target, str):
        if target in choices:
            return (list(choices).index(target),)
        if digit_strings and target.strip().isdigit():
            return choice_indices(int(target.strip()), choices)
        hint = did_you_mean(target, choices)
        raise Unresolved(f"the target {target!r} is neither a choice's index nor one of the choices{hint}")
    raise Unresolved(f"the target {target!r} is neither a choice's index nor its text")


def answer_texts(target: Any) -> tuple[str, ...]:
    """Every acceptable answer: one text, or each of a list."""
    if isinstance(target, str):
        target = literal_list(target)
    if isinstance(target, (list, tuple)):
        if not target:
            raise Unresolved("the target is an empty list")
        return tuple(str(item) for item in target)
    return (str(target),)
