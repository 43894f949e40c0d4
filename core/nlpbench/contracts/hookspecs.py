"""The hook contract between the core and its plugins.

Every hook nlpbench calls is specified here; ``docs/hooks.md`` documents each one
with the exact signature below, and a test fails when the two drift apart.

Plugins implement hooks with :data:`hookimpl`::

    from nlpbench import hookimpl

    @hookimpl
    def register_metrics(register):
        register(ExactMatchMetric, name="topics-exact-match")

An implementation may take a subset of a hook's arguments, so adding an argument to
a hook later never breaks a plugin. A misspelt hook name is an error: the loader
marks the plugin as failed rather than ignoring it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pluggy

if TYPE_CHECKING:
    import click

PROJECT = "nlpbench"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class Register(Protocol):
    """The callback each ``register_*`` hook receives.

    ``component`` is a class (or factory) that the core instantiates only when a run
    needs it, never a loaded model. ``name`` is the component's kebab-case id (default:
    the component's ``name`` attribute); ``aliases`` are other ids that resolve to it.
    The core stamps the component with the plugin that registered it and rejects a
    name already taken, naming both plugins.
    """

    def __call__(self, component: Any, name: str | None = None, aliases: Sequence[str] = ()) -> None: ...


# ---------------------------------------------------------------------------
# Components: called once per process, when the plugins are loaded
# ---------------------------------------------------------------------------


@hookspec
def register_models(register: Register) -> None:
    """Register model types: classes called with a ``ModelSpec`` that return a Model.

    Called once, when plugins are loaded, before any command runs. Must be cheap:
    import torch or transformers inside the model class, not at module level. May
    raise; the plugin is then marked failed and none of its components are used.

    :param register: the :class:`Register` callback.

    Example::

        @hookimpl
        def register_models(register):
            register(GPTModel, name="gpt")
    """


@hookspec
def register_tasks(register: Register) -> None:
    """Register task types: classes called with a ``TaskSpec`` that return a Task.

    Called once, when plugins are loaded. May raise; the plugin is then marked failed.

    :param register: the :class:`Register` callback.

    Example::

        @hookimpl
        def register_tasks(register):
            register(SentimentTask, name="sentiment")
    """


@hookspec
def register_metrics(register: Register) -> None:
    """Register metrics: classes called with the suite's options for the metric.

    Called once, when plugins are loaded. Register one metric per score (``rouge-1``,
    ``rouge-2``, ...), so suites and comparisons name scores directly. May raise; the
    plugin is then marked failed.

    :param register: the :class:`Register` callback.

    Example::

        @hookimpl
        def register_metrics(register):
            register(ExactMatchMetric, name="squad-em", aliases=["exact-match"])
    """


@hookspec
def register_bias_audits(register: Register) -> None:
    """Register bias audits: classes called with the suite's options for the audit.

    Called once, when plugins are loaded. May raise; the plugin is then marked failed.

    :param register: the :class:`Register` callback.

    Example::

        @hookimpl
        def register_bias_audits(register):
            register(CounterfactualAudit, name="counterfactual", aliases=["counterfactual-gender"])
    """


@hookspec
def register_reporters(register: Register) -> None:
    """Register reporters: classes called with the suite's options for the reporter,
    whose ``write(results, out_dir)`` puts a finished run's results somewhere.

    Called once, when plugins are loaded. May raise; the plugin is then marked failed.

    :param register: the :class:`Register` callback.

    Example::

        @hookimpl
        def register_reporters(register):
            register(MarkdownReporter, name="markdown")
    """


class RegisterTaskFile(Protocol):
    """The callback :func:`register_task_files` receives: ``path`` is a task file (YAML)
    or a folder of them, shipped with the plugin. The core reads the files only when a
    suite or ``nlpbench list tasks`` needs the library, so registering stays instant."""

    def __call__(self, path: str | Path) -> None: ...


@hookspec
def register_task_files(register: RegisterTaskFile) -> None:
    """Add task files to the task library, so that suites name them (``task: hellaswag``).

    Called once, when plugins are loaded. Each file defines one task (``name:``, with
    ``type:``, ``data:``, ``params:`` and ``metrics:`` as a suite's task entry has them)
    or a group (``group:`` with ``members:``); docs/tasks.md describes the format. A path
    that does not exist fails the plugin. Two files that define the same name are an
    error naming both plugins when the library is read.

    :param register: the :class:`RegisterTaskFile` callback.

    Example::

        @hookimpl
        def register_task_files(register):
            register(Path(__file__).parent / "library")
    """


# ---------------------------------------------------------------------------
# Command line: called when the ``nlpbench`` command starts
# ---------------------------------------------------------------------------


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``nlpbench`` command line.

    Called once when the CLI starts, for every plugin that loaded. Add commands with
    ``@cli.command()``. May raise; the error is reported as a warning and the other
    commands keep working.

    :param cli: the top-level ``click.Group``.

    Example::

        @hookimpl
        def register_commands(cli):
            @cli.command()
            def hello():
                click.echo("hello from my plugin")
    """


#: The ``register_*`` hooks that register components, by the kind they register.
COMPONENT_HOOKS: dict[str, str] = {
    "models": "register_models",
    "tasks": "register_tasks",
    "metrics": "register_metrics",
    "audits": "register_bias_audits",
    "reporters": "register_reporters",
}
