"""Named components of one kind (model types, tasks, ...), each stamped with the
plugin that registered it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from nlpbench.contracts.errors import ConfigError
from nlpbench.plugins.suggest import did_you_mean

NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: Metrics may also take lm-evaluation-harness's snake_case ids (``acc_norm``), so that
#: results name a benchmark's scores as everyone reports them.
METRIC_NAME_PATTERN = re.compile(r"^[a-z0-9]+([-_][a-z0-9]+)*$")

#: How each kind is called in messages ("unknown model type 'x'").
KIND_NOUNS: dict[str, str] = {
    "models": "model type",
    "tasks": "task type",
    "metrics": "metric",
    "audits": "bias audit",
    "reporters": "reporter",
}


@dataclass(frozen=True)
class Registered:
    """A component as registered: what it is, its id, aliases and the plugin it came from."""

    kind: str
    name: str
    component: Any
    plugin: str
    aliases: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        doc = getattr(self.component, "__doc__", None) or ""
        return doc.strip().split("\n")[0].strip()


def check_name(kind: str, name: object) -> str:
    """``name`` if it is a valid component id (kebab-case; a metric may be snake_case);
    ValueError otherwise."""
    pattern = METRIC_NAME_PATTERN if kind == "metrics" else NAME_PATTERN
    if not isinstance(name, str) or not pattern.match(name):
        shape = (
            "lowercase kebab-case or snake_case (like 'rouge-l' or 'acc_norm')"
            if kind == "metrics"
            else "lowercase kebab-case (like 'rouge-l')"
        )
        raise ValueError(f"{KIND_NOUNS[kind]} name {name!r} is not {shape}")
    return name


class Registry:
    """The components of one kind, by id and alias."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._by_name: dict[str, Registered] = {}
        self._aliases: dict[str, str] = {}
        #: plugins that failed to load, consulted when a name is unknown
        self.failed_plugins: list[str] = []

    @property
    def noun(self) -> str:
        return KIND_NOUNS[self.kind]

    def owner(self, name: str) -> Registered | None:
        """The component that holds ``name`` as its id or an alias."""
        canonical = self._aliases.get(name, name)
        return self._by_name.get(canonical)

    def add(self, item: Registered) -> None:
        """Add ``item``; ValueError naming both plugins if any of its names is taken."""
        for name in (item.name, *item.aliases):
            taken = self.owner(name)
            if taken is not None:
                raise ValueError(
                    f"{self.noun} '{name}' from plugin '{item.plugin}' clashes with the "
                    f"one registered by plugin '{taken.plugin}'"
                )
        self._by_name[item.name] = item
        for alias in item.aliases:
            self._aliases[alias] = item.name

    def remove_plugin(self, plugin: str) -> None:
        """Forget every component ``plugin`` registered."""
        for name in [n for n, r in self._by_name.items() if r.plugin == plugin]:
            item = self._by_name.pop(name)
            for alias in item.aliases:
                self._aliases.pop(alias, None)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.owner(name) is not None

    def __iter__(self) -> Iterator[Registered]:
        return iter(sorted(self._by_name.values(), key=lambda r: r.name))

    def __len__(self) -> int:
        return len(self._by_name)

    def names(self) -> list[str]:
        """Every id and alias."""
        return sorted([*self._by_name, *self._aliases])

    def unknown_message(self, name: str) -> str:
        """Why ``name`` is not here: a suggestion, and plugins that failed to load."""
        message = f"unknown {self.noun} '{name}'{did_you_mean(name, self.names())}"
        if self.failed_plugins:
            failed = ", ".join(f"'{p}'" for p in self.failed_plugins)
            message += f"; plugin {failed} failed to load and might provide it (see `nlpbench plugins`)"
        elif not self.names():
            message += f"; no {self.noun}s are installed"
        return message

    def get(self, name: str) -> Registered:
        """The component called ``name``; ConfigError with suggestions if there is none."""
        item = self.owner(name)
        if item is None:
            raise ConfigError(self.unknown_message(name))
        return item


def parse_aliases(aliases: Sequence[str] | str | None) -> tuple[str, ...]:
    if aliases is None:
        return ()
    if isinstance(aliases, str):
        return (aliases,)
    return tuple(aliases)
