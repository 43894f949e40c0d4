"""Preparing a run before any model loads: each task's examples and metrics, the
suite's audits and reporters. The user's mistakes found here (bad options, duplicate
ids, no data) stop the run with a one-line error; a plugin's own bug is kept as a
:class:`~nlpbench.running.failures.Failure`, so only what depends on it fails."""

from __future__ import annotations

import dataclasses
import inspect
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlpbench.contracts.components import Example, TaskSpec
from nlpbench.contracts.errors import ConfigError, DataError, NlpbenchError, one_line
from nlpbench.contracts.options import ConfigErrors
from nlpbench.plugins.host import CORE_PLUGIN, PluginHost
from nlpbench.plugins.registry import Registered
from nlpbench.results.run_files import run_file_problems
from nlpbench.results.store import digest
from nlpbench.running.auditing import accepts
from nlpbench.running.failures import Failure
from nlpbench.statistics.bootstrap import derived_seed
from nlpbench.suites.planning import declared_default_metrics
from nlpbench.suites.suite import AuditSpec, Suite


@dataclass
class PreparedTask:
    """A task with its examples loaded and its metrics built, or the error that stopped it."""

    spec: TaskSpec
    instance: Any = None
    examples: list[Example] = field(default_factory=list)
    metrics: list[tuple[Registered, Any]] = field(default_factory=list)
    #: metric id → a digest of its id and options (for the store)
    metric_keys: dict[str, str] = field(default_factory=dict)
    #: why the task's own code could not be loaded: each of its cells fails with it
    failure: Failure | None = None
    #: the id of every example of the task's data, before ``sample`` and ``limit`` chose
    example_ids: list[str] = field(default_factory=list)


def select_examples(examples: list[Example], spec: TaskSpec) -> list[Example]:
    """``sample`` (seeded, order kept) then ``limit`` (the first N)."""
    if spec.sample is not None and spec.sample < len(examples):
        rng = random.Random(derived_seed(spec.seed, spec.name, "sample"))
        keep = sorted(rng.sample(range(len(examples)), spec.sample))
        examples = [examples[i] for i in keep]
    if spec.limit is not None:
        examples = examples[: spec.limit]
    return examples


def _metric_refs(spec: TaskSpec, task_class: Any) -> list[tuple[str, Mapping[str, Any]]]:
    """The task's metrics as (name, options), ``as`` (the label results use, when one
    metric is scored twice with different options) left among the options."""
    if spec.metrics:
        return [
            (m, {}) if isinstance(m, str) else (m["name"], {k: v for k, v in m.items() if k != "name"})
            for m in spec.metrics
        ]
    return [(name, {}) for name in declared_default_metrics(task_class, spec)]


def _bad_options(component: Any, options: Mapping[str, Any]) -> str | None:
    """Why ``component`` cannot be called with ``options`` (an unknown or missing
    keyword: the user's mistake), or None. A TypeError the call itself raises later is
    the component's bug, not the options'."""
    try:
        inspect.signature(component).bind(**options)
    except TypeError as error:
        return one_line(error)
    except ValueError:  # no signature to check (a builtin)
        return None
    return None


def _labelled(name: str, options: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """(label, options without ``as``): what results call a metric, and what it is built with."""
    rest = {k: v for k, v in options.items() if k != "as"}
    label = options.get("as", name)
    if not isinstance(label, str) or not label.strip():
        raise ConfigError(f"metric '{name}': as must be a non-empty name for the score, not {label!r}")
    return label, rest


def recorded_metrics(spec: TaskSpec, task_class: Any) -> dict[str, dict[str, Any]]:
    """The task's metrics as results record them: label → options (with ``name``, the
    metric's id, where the label differs from it)."""
    recorded = {}
    for name, options in _metric_refs(spec, task_class):
        label, rest = _labelled(name, options)
        recorded[label] = rest if label == name else {"name": name, **rest}
    return recorded


def code_of(host: PluginHost, *plugins: str) -> dict[str, Any]:
    """The code identities (version; source hash when editable) of the core and ``plugins``."""
    return {name: host.code_identity(name) for name in sorted({CORE_PLUGIN, *plugins})}


def prepare_task(spec: TaskSpec, host: PluginHost) -> PreparedTask:
    """Load a task's examples and build its metrics.

    Raises ConfigError/DataError for the user's mistakes; a plugin's own bug (the
    task's or a metric's code raising, anything but Ctrl-C) is kept as the task's
    failure, so only its cells fail.
    """
    prepared = PreparedTask(spec)
    task_class = host.tasks.get(spec.type).component
    where = f"task '{spec.name}'"
    try:
        prepared.instance = task_class(spec)
        every = list(prepared.instance.examples())
        prepared.example_ids = [example.id for example in every]  # what a model's check_examples sees
        examples = select_examples(every, spec)
        seen: set[str] = set()
        for example in examples:
            if example.id in seen:
                raise DataError(f"{where}: two examples have the id '{example.id}'")
            seen.add(example.id)
        if not examples:
            raise DataError(f"{where}: the data has no examples")
        prepared.examples = examples
    except (ConfigError, DataError) as error:
        raise type(error)(f"{where}: {error}" if not str(error).startswith(where) else str(error)) from error
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        prepared.failure = Failure.of(error, "loading the task")
        return prepared
    try:
        refs = _metric_refs(spec, task_class)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # the type's default_metrics_for raised
        prepared.failure = Failure.of(error, "the task type's default_metrics_for() failed")
        return prepared
    names: set[str] = set()
    for name, given in refs:
        registered = host.metrics.get(name)
        label, options = _labelled(registered.name, given)
        if label in names:
            raise ConfigError(f"{where}: metric '{label}' is listed twice (give one of them `as:` another name)")
        names.add(label)
        if label != registered.name:  # scored under its label everywhere from here on
            registered = dataclasses.replace(registered, name=label)
        # a score is kept under its metric's code too: a changed metric scores again
        prepared.metric_keys[label] = digest([label, options, code_of(host, registered.plugin)])
        bad_options = _bad_options(registered.component, options)
        if bad_options is not None:
            raise ConfigError(f"{where}: metric '{registered.name}': bad options: {bad_options}")
        try:
            prepared.metrics.append((registered, registered.component(**options)))
        except NlpbenchError as error:
            raise ConfigError(f"{where}: metric '{registered.name}': {error}") from error
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # a bug in the metric, not the options: its task's cells fail
            prepared.failure = prepared.failure or Failure.of(error, f"building metric '{registered.name}'")
    return prepared


def prepare_audits(suite: Suite, host: PluginHost) -> list[tuple[AuditSpec, str, Any]]:
    """Build every audit of the suite; bad options are config errors, and an audit
    whose construction raises otherwise (its bug) is kept as its Failure: each of its
    entries fails."""
    audits = []
    for index, spec in enumerate(suite.audits):
        registered = host.audits.get(spec.type)
        options = dict(spec.params)
        if accepts(registered.component, "base_dir"):  # so an audit's files resolve against the suite
            options["base_dir"] = suite.path.parent
        bad_options = _bad_options(registered.component, options)
        if bad_options is not None:
            raise ConfigError(f"audits[{index}] ({registered.name}): bad params: {bad_options}")
        try:
            audits.append((spec, registered.name, registered.component(**options)))
        except NlpbenchError as error:
            raise ConfigError(f"audits[{index}] ({registered.name}): {error}") from error
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            audits.append((spec, registered.name, Failure.of(error, "building the audit")))
    return audits


def prepare_reporters(suite: Suite, host: PluginHost, out_dir: Path) -> list[tuple[str, Any]]:
    """Build every reporter of the suite before anything runs: options it refuses are
    config errors; a reporter whose construction raises otherwise (its bug) is kept
    as its Failure and reported as a warning at the end, like one whose write fails."""
    reporters: list[tuple[str, Any]] = []
    for index, ref in enumerate(suite.reporters):
        registered = host.reporters.get(ref.name)
        where = f"reporters[{index}] ({registered.name})"
        bad_options = _bad_options(registered.component, ref.options)
        if bad_options is not None:
            raise ConfigError(f"{where}: bad options: {bad_options}")
        # a link in an existing run folder may lead a file out of it: known only now
        escapes = run_file_problems(registered.component, ref.options, out_dir)
        if escapes:
            raise ConfigErrors([f"{where}: {problem}" for problem in escapes])
        try:
            reporters.append((registered.name, registered.component(**ref.options)))
        except NlpbenchError as error:
            raise ConfigError(f"{where}: {one_line(error)}") from error
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            reporters.append((registered.name, Failure.of(error, f"reporter '{registered.name}' failed")))
    return reporters
