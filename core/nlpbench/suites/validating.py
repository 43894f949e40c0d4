"""``nlpbench validate``: everything about a suite that can be known without loading a model.

First the suite file, entry by entry (:func:`nlpbench.suites.suite.check_suite`: keys, names,
each component's options against its schema, each type's ``check_spec``). Then what the
runner does before the first model loads, done the runner's way so the two cannot
disagree: every task whose entry is valid has its data read and its metrics built
(:meth:`Runner.prepare_task`: bad labels, a column mapping typo, duplicate ids), every
audit and reporter is built, and the cells are planned; a model type that can choose
only among some labels is asked about the labels of each task it would classify
(``check_labels``). Every problem is one line.

An HF dataset is read only when it is in the local hub cache; otherwise it is a note,
not a problem: a suite may well be checked on a machine without the network it runs
with, where each try would wait minutes on retries.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from nlpbench.contracts.components import ClassifyRequest
from nlpbench.contracts.errors import ConfigError, DataError, NlpbenchError, one_line
from nlpbench.contracts.options import problems_of
from nlpbench.plugins.host import PluginHost
from nlpbench.running.failures import Failure, error_line, traceback_text
from nlpbench.running.judging import judge_problems
from nlpbench.running.runner import PreparedTask, Runner
from nlpbench.suites.executing import local_copies_notes
from nlpbench.suites.paths import is_folder
from nlpbench.suites.planning import Cell, plan
from nlpbench.suites.suite import Suite, SuiteCheck, check_suite

#: What :mod:`nlpbench.contracts.sources` says when an HF dataset cannot be loaded at all.
_HUB_UNREACHABLE = "cannot load the HF dataset"
#: How the runner names a component it built (``audits[0] (bold): ...``), replaced by the entry's own place.
_BUILT = re.compile(r"^(audits|reporters)\[0\] \([^)]*\): ")


@dataclass(frozen=True)
class Validation:
    """What ``nlpbench validate`` found."""

    suite: Suite
    #: the user's mistakes, one line each: any of them and the suite cannot run (exit 2)
    problems: tuple[str, ...]
    #: what could not be checked here, and why (a hub dataset while offline)
    notes: tuple[str, ...] = ()
    #: the planned cells (when there are no problems)
    cells: tuple[Cell, ...] = ()
    #: task name → why its cells will fail: its plugin's code raised while loading it
    task_failures: dict[str, str] | None = None
    #: audits and reporters that will fail (their plugin's code raised while building them)
    failures: tuple[str, ...] = ()
    #: the full tracebacks of plugin bugs said among the problems (``nlpbench --debug`` prints them)
    tracebacks: tuple[str, ...] = ()

    def cell_failure(self, cell: Cell) -> str | None:
        """Why ``cell`` will fail before its model is asked anything, or None."""
        failure = getattr(cell, "failure", None)
        if failure is not None:
            return str(failure.error)
        return (self.task_failures or {}).get(cell.task.name)


def validate_suite(path: str | Path, host: PluginHost) -> Validation:
    """Check the suite at ``path`` as far as it can be without loading a model.

    Raises ConfigError only when the file cannot be checked at all (see
    :func:`~nlpbench.suites.suite.check_suite`); every other problem is in the result."""
    checked = check_suite(path, host)
    suite = checked.suite
    problems = list(checked.problems)
    notes: list[str] = []
    failures: dict[str, str] = {}
    ready: dict[str, PreparedTask] = {}  # the tasks read without a problem or a failure
    runner = Runner(suite, host, Path("runs") / suite.name)  # writes nothing until it runs
    unreachable: dict[str, list[str]] = {}  # hub id → the tasks not checked (a group's members share one)
    for spec in suite.tasks:
        if spec.name in checked.faulty_tasks:
            continue  # its own mistakes are said; its data would only add noise
        where = f"{checked.task_entries.get(spec.name, 'tasks')} ({spec.name})"
        hub = _hub_of(spec.data)
        if hub in unreachable:  # not asked again: offline, each try may wait on the network
            unreachable[hub].append(spec.name)
            continue
        if hub is not None and not _hub_cached(hub):
            # not fetched by validate: without the network each try waits minutes on retries
            unreachable[hub] = []
            notes.append(f"{where}: data not checked: {hub} is on the hub and not in the local cache")
            continue
        try:
            prepared = runner.prepare_task(spec)
        except (ConfigError, DataError) as error:
            message = one_line(error).removeprefix(f"task '{spec.name}': ")
            if hub is not None and _HUB_UNREACHABLE in message:
                unreachable[hub] = []
                notes.append(f"{where}: data not checked: {message}")
            else:
                problems.append(f"{where}: {message}")
            continue
        failure = getattr(prepared, "failure", None)
        if isinstance(failure, Failure):
            failures[spec.name] = failure.error
        else:
            ready[spec.name] = prepared
    notes += [
        f"the data of {len(names)} more task{'s' if len(names) > 1 else ''} from {hub} not checked either: "
        + ", ".join(names)
        for hub, names in unreachable.items()
        if names
    ]
    notes += local_copies_notes(suite)
    broken: list[str] = []
    for index, audit in enumerate(suite.audits):
        single = Runner(replace(suite, audits=(audit,)), host, runner.out_dir)
        _built(single.prepare_audits, checked.audit_entries[index], problems, broken)
    for index, reporter in enumerate(suite.reporters):
        single = Runner(replace(suite, reporters=(reporter,)), host, runner.out_dir)
        _built(single.prepare_reporters, checked.reporter_entries[index], problems, broken)
    problems += judge_problems(
        suite, ready, host, lambda _, spec: f"{checked.task_entries.get(spec.name, 'tasks')} ({spec.name})"
    )
    cells = tuple(plan(suite, host)) if not problems else ()
    tracebacks = list(checked.tracebacks)
    for cell in cells:
        problems += _label_problems(cell, ready.get(cell.task.name), checked, host, tracebacks)
    return Validation(suite, tuple(problems), tuple(notes), cells, failures, tuple(broken), tuple(tracebacks))


def _label_problems(
    cell: Cell, task: PreparedTask | None, checked: SuiteCheck, host: PluginHost, tracebacks: list[str]
) -> list[str]:
    """What the cell's model type says of the labels its task asks it to choose among
    (its optional ``check_labels`` classmethod: a wordlist knows only positive and
    negative, a majority model its one label), one line each naming the cell. The
    labels are those of the first example's classify requests, as the runner builds
    them; a task whose code fails there is left to the run, which says so."""
    checker = getattr(host.models.get(cell.model.type).component, "check_labels", None)
    if cell.strategy != "classify" or cell.failure is not None or task is None or not callable(checker):
        return []
    try:
        requests = task.instance.build_requests(task.examples[0], "classify")
        labels = tuple(next(r.labels for r in requests if isinstance(r, ClassifyRequest)))
    except KeyboardInterrupt:
        raise
    except BaseException:  # the task's bug (or no classify request): the run fails the cell, saying why
        return []
    index = next(i for i, model in enumerate(checked.suite.models) if model.name == cell.model.name)
    where = (
        f"{checked.task_entries.get(cell.task.name, 'tasks')} ({cell.task.name}) × models[{index}] ({cell.model.name})"
    )
    try:
        checker(cell.model, labels)
    except ConfigError as error:
        return [f"{where}: {message}" for message in problems_of(error)]
    except NlpbenchError as error:
        return [f"{where}: {one_line(error)}"]
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        tracebacks.append(traceback_text(error))
        return [f"{where}: check_labels() raised {error_line(error)} (a bug in the plugin)"]
    return []


def _built(build: Callable[[], Sequence[tuple[Any, ...]]], where: str, problems: list[str], broken: list[str]) -> None:
    """Build one audit or reporter the runner's way: its config errors are problems, a
    bug in its plugin (kept by the runner as a Failure) will fail it in the run."""
    try:
        built = build()
    except ConfigError as error:
        problems += [f"{where}: {_BUILT.sub('', message)}" for message in problems_of(error)]
        return
    broken += [f"{where}: {item[-1].error}" for item in built if isinstance(item[-1], Failure)]


def _hub_cached(hub: str) -> bool:
    """Whether the HF dataset ``hub`` (``owner/name``, maybe with ``[config/split]``) has
    files in the local hub cache, so that reading it needs no network."""
    name = hub.removeprefix("hf:").split("[", 1)[0]
    root = Path(
        os.environ.get("HF_HUB_CACHE")
        or Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface")) / "hub"
    )
    return is_folder(root / f"datasets--{name.replace('/', '--')}")


def _hub_of(data: Any) -> str | None:
    """The HF dataset a task's ``data:`` names (``hub``, or ``hf`` as the design calls it), if any."""
    if not isinstance(data, dict):
        return None
    return next((data[key] for key in ("hub", "hf") if isinstance(data.get(key), str)), None)
