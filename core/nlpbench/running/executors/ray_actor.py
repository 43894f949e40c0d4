"""One replica of one model, as a Ray actor runs it (in a Ray worker process).

Nothing here imports Ray: :mod:`nlpbench.running.executors.ray` makes this class an
actor. The actor builds a plugin host like the driver's (same installed plugins, same
extra plugin modules) and the model from ``spec.type`` in it, then answers one batch per
call with ONE call of the model's capability method, as the local executor does. It
checks nothing the model says: the driver does, so both executors judge alike.
"""

from __future__ import annotations

import importlib
import os
import types
from collections.abc import Mapping, Sequence
from typing import Any

from nlpbench.contracts.components import ModelSpec, Request
from nlpbench.contracts.errors import ModelError
from nlpbench.running.failures import Failure, error_line


def portable_recipe(made_with: Mapping[str, Any]) -> dict[str, Any]:
    """How the driver's host was made (:attr:`nlpbench.PluginHost.made_with`), with its extra
    plugins as module names where they are modules (imported again by the worker) and as
    the objects themselves otherwise (Ray pickles them)."""
    plugins = []
    for plugin in made_with.get("plugins", ()):
        is_module = isinstance(plugin, types.ModuleType)
        plugins.append(("module", plugin.__name__) if is_module else ("object", plugin))
    return {**made_with, "plugins": plugins}


def host_from(recipe: Mapping[str, Any]) -> Any:
    """A plugin host made as ``recipe`` (from :func:`portable_recipe`) says."""
    from nlpbench.plugins.host import PluginHost

    plugins = [importlib.import_module(value) if kind == "module" else value for kind, value in recipe["plugins"]]
    return PluginHost(
        entry_points=recipe["entry_points"],
        plugins=plugins,
        builtins=recipe["builtins"],
        strict=recipe["strict"],
        disabled=recipe["disabled"],
    )


class ModelActor:
    """A model loaded in this process, answering the driver's calls."""

    def __init__(self, spec: ModelSpec, recipe: Mapping[str, Any]) -> None:
        self.instance: Any = None
        #: why the model could not be built (told to the driver by :meth:`ready`)
        self.failure: Failure | None = None
        try:
            host = host_from(recipe)
            self.instance = host.models.get(spec.type).component(spec)
        except BaseException as error:  # told to the driver, which fails the model's cells with it
            self.failure = Failure.of(error)

    def ready(self) -> tuple[int, list[str], Failure | None]:
        """This process's id, what the model answers, and why it failed to load (or None)."""
        return os.getpid(), sorted(getattr(self.instance, "capabilities", ())), self.failure

    def answer(self, capability: str, requests: Sequence[Request]) -> Any:
        """One call of the model's ``capability`` method on ``requests``, as it returns."""
        method = getattr(self.instance, capability)
        try:
            return method(list(requests))
        except Exception:
            raise
        except BaseException as error:  # sys.exit() in a plugin must not end the actor quietly
            raise ModelError(f"{capability}: {error_line(error)}") from error

    def describe(self) -> Any:
        describe = getattr(self.instance, "describe", None)
        return describe() if callable(describe) else None

    def tokens_processed(self) -> Any:
        count = getattr(self.instance, "tokens_processed", None)
        return count() if callable(count) else None

    def check_examples(self, task: str, ids: Sequence[str], selected: Sequence[str]) -> None:
        check = getattr(self.instance, "check_examples", None)
        if callable(check):
            check(task, list(ids), list(selected))

    def close(self) -> None:
        close = getattr(self.instance, "close", None)
        if callable(close):
            close()
