"""A task entry's ``strategy:``: the one way, of those its task type offers, that every
model is asked (otherwise each cell takes the type's most preferred strategy the model
can answer). Planning and validation both read the type's strategies through here."""

from __future__ import annotations

from typing import Any

from nlpbench.contracts.components import TaskSpec
from nlpbench.plugins.suggest import did_you_mean


def offered(task_type: Any, spec: TaskSpec) -> tuple[str, ...]:
    """The strategies a task of ``task_type`` built from ``spec`` offers, most preferred
    first, without loading it: the type's ``strategies_for(spec)`` if it has one (a
    declarative task's depend on its ``output``), else its ``strategies``."""
    narrowing = getattr(task_type, "strategies_for", None)
    if callable(narrowing):
        return tuple(narrowing(spec))
    return tuple(getattr(task_type, "strategies", ()))


def narrowed(strategies: tuple[str, ...], spec: TaskSpec) -> tuple[str, ...]:
    """``strategies`` as the entry allows them: only its ``strategy:`` when it names one."""
    if spec.strategy is None:
        return strategies
    return tuple(strategy for strategy in strategies if strategy == spec.strategy)


def strategy_problem(task_type: Any, spec: TaskSpec) -> str | None:
    """Why the entry's ``strategy:`` is not one the task type offers (None when it is)."""
    if spec.strategy is None:
        return None
    strategies = offered(task_type, spec)
    if spec.strategy in strategies:
        return None
    choices = ", ".join(strategies) or "none"
    return (
        f"'{spec.strategy}' is not a strategy of task type '{spec.type}'"
        f"{did_you_mean(spec.strategy, strategies)}; it has {choices}"
    )
