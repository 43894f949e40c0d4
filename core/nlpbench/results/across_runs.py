"""Several run folders as one results document, behind ``nlpbench leaderboard RUN RUN…``
and ``Run.compare``: a team that evaluates models week by week sees them on one board.

The document holds the cells of the tasks every run has (by task name), each model
named apart from a namesake of another run (:func:`nlpbench.results.runs.model_labels`), and the
comparisons made again across all of them from the runs' stores
(:func:`nlpbench.results.runs.compare_runs`), with tie groups marked as a single run marks its
own (:func:`nlpbench.statistics.comparing.mark_tie_groups`): models run apart get the verdicts they
would have got run together."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nlpbench.contracts.errors import ConfigError, DataError
from nlpbench.plugins.host import PluginHost
from nlpbench.results.runs import compare_runs, model_labels, open_run, run_labels
from nlpbench.statistics.comparing import mark_tie_groups


def combine_runs(
    folders: Sequence[Path], host: PluginHost, *, log: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    """One results document for the runs in ``folders`` (see the module's docstring).

    Each cell keeps its run's label under ``run``; ``runs`` lists the runs. The bootstrap
    and comparison settings are the first run's. DataError (one line) for a folder that
    is not a run, or runs that share no task."""
    if not folders:
        raise ConfigError("name at least one run folder")
    runs = [open_run(Path(folder)) for folder in folders]
    labels = run_labels([run.folder for run in runs])
    names = model_labels(runs)
    tasks_of = [list(dict.fromkeys(cell["task"] for cell in run.results["cells"])) for run in runs]
    shared = [task for task in tasks_of[0] if all(task in tasks for tasks in tasks_of[1:])]
    if not shared:
        raise DataError(f"the runs {', '.join(labels)} share no task (tasks are matched by name)")
    for label, tasks in zip(labels, tasks_of, strict=True):
        left = [task for task in tasks if task not in shared]
        if left:
            log(f"note: {label}: {', '.join(left)} not in every run; left out")
    cells = []
    for run, label, name_of in zip(runs, labels, names, strict=True):
        for cell in run.results["cells"]:
            if cell["task"] not in shared:
                continue
            cell = copy.deepcopy(cell)
            cell["model"], cell["run"] = name_of[cell["model"]], label
            for score in (cell.get("metrics") or {}).values():
                score.pop("tie_group", None)  # its own run's verdict: marked again across the runs below
            cells.append(cell)
    first = runs[0].results
    entries = compare_runs([run.folder for run in runs], host, tasks=set(shared), log=log)
    mark_tie_groups(cells, entries, float((first.get("comparing") or {}).get("alpha", 0.05)))
    task_info: dict[str, Any] = {
        task: next((r.results["tasks"][task] for r in runs if task in (r.results.get("tasks") or {})), {})
        for task in shared
    }
    return {
        "runs": [
            {"label": label, "path": str(run.folder), "suite": run.results.get("suite", {})}
            for run, label in zip(runs, labels, strict=True)
        ],
        "bootstrap": first.get("bootstrap") or {},
        "comparing": first.get("comparing") or {},
        "tasks": task_info,
        "cells": cells,
        "comparisons": entries,
    }
