"""What the run was: versions, suite, seed, bootstrap settings, and what tasks, metrics
and models said about themselves (each distinct description once, with who gave it)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlpbench.report.leaderboard import Board
from nlpbench.report.page.escaping import finite


def pretty(value: Any) -> str:
    return json.dumps(finite(value), ensure_ascii=False, indent=2, sort_keys=True, default=str)


def distinct(items: Iterable[tuple[str, Any]]) -> list[tuple[list[str], Any]]:
    """Group equal values, keeping who had each: [(names, value)]."""
    found: list[tuple[list[str], Any]] = []
    for who, value in items:
        for names, seen in found:
            if seen == value:
                names.append(who)
                break
        else:
            found.append(([who], value))
    return found


@dataclass(frozen=True)
class Described:
    """A description (pretty JSON) and who gave it."""

    title: str
    text: str


@dataclass(frozen=True)
class TaskFacts:
    task: str
    described: tuple[Described, ...]


@dataclass(frozen=True)
class Provenance:
    facts: tuple[tuple[str, str], ...]
    plugins: tuple[tuple[str, str], ...]
    tasks: tuple[TaskFacts, ...]
    models: tuple[Described, ...]


def provenance(results: Mapping[str, Any], all_boards: Sequence[Board]) -> Provenance:
    suite = results.get("suite", {}) or {}
    versions = results.get("nlpbench", {}) or {}
    bootstrap = results.get("bootstrap", {}) or {}
    facts = [
        ("nlpbench", versions.get("version")),
        ("suite", suite.get("name")),
        ("suite file", suite.get("path")),
        ("suite hash", suite.get("hash")),
        ("seed", suite.get("seed")),
        ("status", results.get("status")),
        ("started", results.get("started")),
        ("finished", results.get("finished")),
        ("bootstrap", ", ".join(f"{k} {v}" for k, v in bootstrap.items()) or None),
    ]
    tasks = []
    for board in all_boards:
        described = [
            Described(f"task info ({', '.join(names)})", pretty(info))
            for names, info in distinct((c["model"], c.get("task_info")) for c in board.rows)
            if info
        ]
        for metric in board.metrics:
            infos = distinct(
                (c["model"], ((c.get("metrics") or {}).get(metric) or {}).get("info"))
                for c in board.rows
                if metric in (c.get("metrics") or {})
            )
            described += [Described(f"{metric} ({', '.join(names)})", pretty(info)) for names, info in infos if info]
        tasks.append(TaskFacts(board.task, tuple(described)))
    models = distinct((f"{c['model']} ({c['task']})", c.get("model_info")) for c in results.get("cells", []))
    return Provenance(
        facts=tuple((k, str(v)) for k, v in facts if v is not None),
        plugins=tuple((str(n), str(v)) for n, v in (versions.get("plugins") or {}).items()),
        tasks=tuple(tasks),
        models=tuple(Described(", ".join(names), pretty(info)) for names, info in models if info),
    )
