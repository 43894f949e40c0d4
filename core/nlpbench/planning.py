"""Planning a run: which cells there are and how each will be answered."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .components import ModelSpec, TaskSpec
from .plugins import PluginHost
from .suite import Suite


@dataclass(frozen=True)
class Cell:
    """One (model, task) pair: the strategy that answers it, or why none can."""

    model: ModelSpec
    task: TaskSpec
    strategy: str | None
    reason: str | None = None


def choose_strategy(preferences: Sequence[str], capabilities: Iterable[str]) -> str | None:
    """The task's most preferred capability that the model has."""
    have = set(capabilities)
    return next((strategy for strategy in preferences if strategy in have), None)


def not_applicable_reason(
    model: ModelSpec, task: TaskSpec, preferences: Sequence[str], capabilities: Iterable[str]
) -> str:
    have = ", ".join(sorted(capabilities)) or "none"
    wants = ", ".join(preferences) or "none"
    return (
        f"model '{model.name}' ({model.type}) has none of the capabilities task "
        f"'{task.name}' ({task.type}) can use: it needs one of {wants}; it has {have}"
    )


def declared_capabilities(model_type: Any, spec: ModelSpec) -> frozenset[str]:
    """What a model of ``model_type`` built from ``spec`` will be able to do, without
    loading it: the type's ``capabilities_for(spec)`` if it has one, else its
    ``capabilities``."""
    narrowing = getattr(model_type, "capabilities_for", None)
    if callable(narrowing):
        return frozenset(narrowing(spec))
    return frozenset(getattr(model_type, "capabilities", frozenset()))


def declared_strategies(task_type: Any, spec: TaskSpec) -> tuple[str, ...]:
    """The strategies a task of ``task_type`` built from ``spec`` will use, most preferred
    first, without loading it: the type's ``strategies_for(spec)`` if it has one (a
    declarative task's depend on its ``output``), else its ``strategies``."""
    narrowing = getattr(task_type, "strategies_for", None)
    if callable(narrowing):
        return tuple(narrowing(spec))
    return tuple(getattr(task_type, "strategies", ()))


def declared_default_metrics(task_type: Any, spec: TaskSpec) -> tuple[str, ...]:
    """The metrics a task of ``task_type`` built from ``spec`` is scored with when the
    suite names none: the type's ``default_metrics_for(spec)`` if it has one, else its
    ``default_metrics``."""
    narrowing = getattr(task_type, "default_metrics_for", None)
    if callable(narrowing):
        return tuple(narrowing(spec))
    return tuple(getattr(task_type, "default_metrics", ()))


def plan(suite: Suite, host: PluginHost) -> list[Cell]:
    """Cells = models × tasks (a task may name the models it takes), in suite order."""
    cells = []
    for model in suite.models:
        capabilities = declared_capabilities(host.models.get(model.type).component, model)
        for task in suite.tasks:
            if task.models and model.name not in task.models:
                continue
            preferences = declared_strategies(host.tasks.get(task.type).component, task)
            strategy = choose_strategy(preferences, capabilities)
            reason = None if strategy else not_applicable_reason(model, task, preferences, capabilities)
            cells.append(Cell(model, task, strategy, reason))
    return cells
