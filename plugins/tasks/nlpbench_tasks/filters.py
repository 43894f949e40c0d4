"""Answer filters: what a generated text is turned into before it is scored.

A pipeline of steps, each a name or a one-key mapping, applied in order:

- ``{regex: PATTERN}``: the match of PATTERN (its first capturing group that matched,
  when it has groups), stripped; ``select`` picks which match (0, the first, by
  default; -1 the last); no match gives ``fallback`` (default ``[invalid]``), as
  lm-evaluation-harness's regex filter does;
- ``strip``, ``lowercase``, ``uppercase``; ``remove_whitespace`` (the same as strip, as
  lm-evaluation-harness 0.4 has it);
- ``take_first``: the first of several answers (one answer is kept as it is);
- ``{map: {from: to}, default: ...}``: a lookup, others to ``default`` (or kept);
- ``map_to_choice``: the choice the answer names (ignoring case and surrounding
  space), the answer kept when it names none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlpbench import ConfigError

#: lm-evaluation-harness's value for an answer a regex did not find.
INVALID = "[invalid]"

Step = Callable[[str, Sequence[str]], str]


@dataclass(frozen=True)
class Filters:
    """A checked pipeline of steps (see the module docstring)."""

    steps: tuple[Step, ...]
    description: tuple[Any, ...]

    def apply(self, text: str, choices: Sequence[str] = ()) -> str:
        for step in self.steps:
            text = step(text, choices)
        return text


def _regex(pattern: str, select: int, fallback: str) -> Step:
    compiled = re.compile(pattern)

    def step(text: str, choices: Sequence[str]) -> str:
        found = compiled.findall(text)
        if not found:
            return fallback
        try:
            match = found[select]
        except IndexError:
            return fallback
        if isinstance(match, tuple):  # several groups: the first that matched
            match = next((group for group in match if group), fallback)
        return str(match).strip()

    return step


def _mapping(table: Mapping[str, Any], default: Any) -> Step:
    def step(text: str, choices: Sequence[str]) -> str:
        if text in table:
            return str(table[text])
        return text if default is None else str(default)

    return step


def _to_choice(text: str, choices: Sequence[str]) -> str:
    wanted = text.strip().casefold()
    return next((choice for choice in choices if choice.strip().casefold() == wanted), text)


SIMPLE: dict[str, Step] = {
    "strip": lambda text, _: text.strip(),
    "lowercase": lambda text, _: text.lower(),
    "uppercase": lambda text, _: text.upper(),
    "remove_whitespace": lambda text, _: text.strip(),
    "take_first": lambda text, _: text,
    "map_to_choice": _to_choice,
}


def parse_filters(value: Sequence[Any], where: str = "params.filters") -> Filters:
    """The pipeline ``value`` describes; ConfigError naming the step at fault."""
    steps: list[Step] = []
    for index, item in enumerate(value):
        here = f"{where}[{index}]"
        if isinstance(item, str):
            if item not in SIMPLE:
                known = ", ".join([*SIMPLE, "regex", "map"])
                raise ConfigError(f"{here}: unknown filter '{item}'; known: {known}")
            steps.append(SIMPLE[item])
            continue
        if not isinstance(item, Mapping):
            raise ConfigError(f"{here}: a filter is a name or a mapping, not {item!r}")
        if "regex" in item:
            extra = set(item) - {"regex", "select", "fallback"}
            if extra:
                raise ConfigError(f"{here}: unknown key '{sorted(extra)[0]}' of a regex filter (select, fallback)")
            pattern, select, fallback = item["regex"], item.get("select", 0), item.get("fallback", INVALID)
            if not isinstance(pattern, str):
                raise ConfigError(f"{here}.regex: must be a pattern, not {pattern!r}")
            if isinstance(select, bool) or not isinstance(select, int):
                raise ConfigError(f"{here}.select: must be a match's position (0 the first, -1 the last)")
            try:
                steps.append(_regex(pattern, select, str(fallback)))
            except re.error as error:
                raise ConfigError(f"{here}.regex: not a regular expression: {error}") from None
        elif "map" in item:
            table = item["map"]
            if not isinstance(table, Mapping) or set(item) - {"map", "default"}:
                raise ConfigError(f"{here}: a map filter is {{map: {{from: to}}, default: ...}}")
            steps.append(_mapping({str(k): v for k, v in table.items()}, item.get("default")))
        else:
            raise ConfigError(f"{here}: unknown filter {dict(item)!r}; a mapping filter is regex or map")
    return Filters(tuple(steps), tuple(value))


def parse_pipelines(value: Any, where: str = "params.filters") -> dict[str, Filters]:
    """One pipeline (a list) or several by name (a mapping of name to list): every one
    checked, in order; the first gives a prediction's ``answer``."""
    if isinstance(value, Mapping):
        if not value:
            raise ConfigError(f"{where}: name at least one pipeline of filters")
        return {str(name): parse_filters(steps, f"{where}.{name}") for name, steps in value.items()}
    return {"": parse_filters(value, where)}
