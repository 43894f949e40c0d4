"""Planning a run: which cells there are and how each will be answered."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from nlpbench.contracts.components import ModelSpec, TaskSpec
from nlpbench.plugins.host import PluginHost
from nlpbench.running.failures import Failure
from nlpbench.suites.strategies import narrowed, offered
from nlpbench.suites.suite import Suite

_T = TypeVar("_T")


@dataclass(frozen=True)
class Cell:
    """One (model, task) pair: the strategy that answers it, or why none can, or the
    failure of the plugin code that should have said (a ``capabilities_for`` that raised)."""

    model: ModelSpec
    task: TaskSpec
    strategy: str | None
    reason: str | None = None
    failure: Failure | None = None


def choose_strategy(preferences: Sequence[str], capabilities: Iterable[str]) -> str | None:
    """The task's most preferred capability that the model has."""
    have = set(capabilities)
    return next((strategy for strategy in preferences if strategy in have), None)


def not_applicable_reason(
    model: ModelSpec, task: TaskSpec, preferences: Sequence[str], capabilities: Iterable[str]
) -> str:
    have = ", ".join(sorted(capabilities)) or "none"
    if task.strategy is not None:  # the suite chose the strategy
        return (
            f"model '{model.name}' ({model.type}) cannot answer task '{task.name}' ({task.type}) "
            f"with its strategy '{task.strategy}'; it has {have}"
        )
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
    declarative task's depend on its ``output``), else its ``strategies``; only the
    entry's ``strategy:`` when it names one."""
    return narrowed(offered(task_type, spec), spec)


def declared_default_metrics(task_type: Any, spec: TaskSpec) -> tuple[str, ...]:
    """The metrics a task of ``task_type`` built from ``spec`` is scored with when the
    suite names none: the type's ``default_metrics_for(spec)`` if it has one, else its
    ``default_metrics``."""
    narrowing = getattr(task_type, "default_metrics_for", None)
    if callable(narrowing):
        return tuple(narrowing(spec))
    return tuple(getattr(task_type, "default_metrics", ()))


def plan(suite: Suite, host: PluginHost) -> list[Cell]:
    """Cells = models × tasks (a task may name the models it takes), in suite order.

    A model type's ``capabilities_for`` or a task type's ``strategies_for`` that raises
    is a plugin's bug: the cells it concerns carry the failure, the others are planned."""
    cells = []
    strategies: dict[str, tuple[str, ...] | Failure] = {}
    for task in suite.tasks:
        strategies[task.name] = _declared(declared_strategies, host.tasks.get(task.type).component, task)
    for model in suite.models:
        capabilities = _declared(declared_capabilities, host.models.get(model.type).component, model)
        for task in suite.tasks:
            if task.models and model.name not in task.models:
                continue
            preferences = strategies[task.name]
            if isinstance(capabilities, Failure) or isinstance(preferences, Failure):
                failure = capabilities if isinstance(capabilities, Failure) else preferences
                assert isinstance(failure, Failure)
                cells.append(Cell(model, task, None, failure=failure))
                continue
            strategy = choose_strategy(preferences, capabilities)
            reason = None if strategy else not_applicable_reason(model, task, preferences, capabilities)
            cells.append(Cell(model, task, strategy, reason))
    return cells


def _declared(ask: Callable[[Any, Any], _T], component: Any, spec: ModelSpec | TaskSpec) -> _T | Failure:
    """What ``ask`` (one of the ``declared_*`` functions) gives, or the failure of the
    plugin classmethod it calls."""
    try:
        return ask(component, spec)
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        kind = "model" if isinstance(spec, ModelSpec) else "task"
        method = "capabilities_for" if kind == "model" else "strategies_for"
        return Failure.of(error, f"the {kind} type's {method}() failed")
