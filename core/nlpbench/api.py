"""The Python API: run a suite from Python or a notebook and get the results back as
objects and tables (docs/python-api.md).

``evaluate`` goes the way ``nlpbench run`` goes (the same suite checks, the same runner,
the same store), and ``Run`` reads a run folder the way the ``leaderboard`` and
``compare`` commands do, so Python and the command line never disagree."""

from __future__ import annotations

import functools
import html
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpbench.contracts.errors import ConfigError
from nlpbench.plugins.host import PluginHost
from nlpbench.plugins.suggest import did_you_mean

#: The columns of :meth:`Run.to_pandas`, in order.
PANDAS_COLUMNS = ("model", "task", "metric", "value", "ci_low", "ci_high", "n")

#: Where ``evaluate`` runs a suite when no ``out`` is given: a new folder each time.
TEMP_PREFIX = "nlpbench-run-"


def _check_limit(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"limit: must be a positive integer, not {value!r}")
    return value


def _check_seed(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"seed: must be an integer, not {value!r}")
    return value


def _check_device(value: Any) -> str:
    if value not in ("auto", "cpu", "cuda"):
        raise ConfigError(f"device: must be one of auto, cpu, cuda, not {value!r}")
    return str(value)


def _check_flag(name: str) -> Callable[[Any], bool | None]:
    def check(value: Any) -> bool | None:
        if value is not None and not isinstance(value, bool):
            raise ConfigError(f"{name}: must be True or False, not {value!r}")
        return value

    return check


def _check_executor(value: Any) -> str:
    if value not in ("local", "ray"):
        raise ConfigError(f"executor: must be 'local' or 'ray', not {value!r}")
    return str(value)


def _check_address(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"ray_address: must be an address such as '127.0.0.1:6379', not {value!r}")
    return value


def _check_path(value: Any) -> Path:
    if not isinstance(value, (str, Path)) or not str(value).strip():
        raise ConfigError(f"store: must be a path, not {value!r}")
    return Path(value)


#: What ``evaluate(suite, **overrides)`` takes: the options of ``nlpbench run`` (``-`` as
#: ``_``), and the suite's ``seed``. Each name → the check that returns its value.
OVERRIDES: Mapping[str, Callable[[Any], Any]] = {
    "limit": _check_limit,
    "device": _check_device,
    "seed": _check_seed,
    "store": _check_path,
    "no_cache": _check_flag("no_cache"),
    "progress": _check_flag("progress"),
    "executor": _check_executor,
    "ray_address": _check_address,
}


@functools.lru_cache(maxsize=1)
def _default_host() -> PluginHost:
    """Every installed plugin, loaded once per process (as the ``nlpbench`` command does,
    warning once about each that failed)."""
    host = PluginHost()
    host.warn_failures()
    return host


def evaluate(suite: str | Path | Mapping[str, Any], out: str | Path | None = None, **overrides: Any) -> Run:
    """Run ``suite`` (a path, a YAML string or a mapping) as ``nlpbench run`` does and
    return the :class:`Run`.

    A ``str`` is YAML when it holds a line break or starts with ``{``, else a path. Relative
    paths inside a YAML string or a mapping resolve against the current folder; inside a
    file, against the file's folder. Without ``out`` the run goes to a new temporary
    folder (``nlpbench-run-<suite name>-…``), never over ``runs/<suite name>``; with it,
    rerunning into the same folder resumes from its store, as on the command line.
    ``overrides``: ``limit``, ``device``, ``seed``, ``store``, ``no_cache``, ``progress``,
    ``executor`` (``local`` or ``ray``) and ``ray_address``.
    Mistakes in the suite or the overrides raise :class:`ConfigError` (one line each);
    a cell that fails is kept in the run as ``failed``, as on the command line."""
    from nlpbench.running.executors.choosing import choose_executor
    from nlpbench.running.runner import run_suite

    unknown = [name for name in overrides if name not in OVERRIDES]
    if unknown:
        name = unknown[0]
        hint = did_you_mean(name, list(OVERRIDES)) or f" (allowed: {', '.join(OVERRIDES)})"
        raise ConfigError(f"evaluate(): unknown option '{name}'{hint}")
    given = {name: OVERRIDES[name](value) for name, value in overrides.items()}
    host = _default_host()
    loaded = _load(suite, host, given.get("seed"))
    loaded = loaded.with_overrides(limit=given.get("limit"), device=given.get("device"), host=host)
    executor = choose_executor(loaded, host, given.get("executor"), given.get("ray_address"))
    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{loaded.name}-"))
    outcome = run_suite(
        loaded,
        host,
        folder,
        progress=given.get("progress"),
        store=given.get("store"),
        use_cache=not given.get("no_cache"),
        executor=executor,
    )
    return Run(outcome.out_dir, outcome.results, host)


def _load(suite: str | Path | Mapping[str, Any], host: PluginHost, seed: int | None) -> Any:
    """The validated suite: from its file, its YAML text (named ``<string>`` in messages)
    or a mapping (``<dict>``), with ``seed`` put in before it is checked, so that every
    seed derived from it is derived from the new one."""
    from nlpbench.suites.suite import load_suite
    from nlpbench.suites.yamlfile import load_yaml, parse_yaml

    if isinstance(suite, Mapping):
        name, document, base_dir = Path("<dict>"), _plain(suite), Path.cwd()
    elif isinstance(suite, str) and ("\n" in suite or suite.lstrip().startswith("{")):
        name, document, base_dir = Path("<string>"), parse_yaml(suite, "<string>"), Path.cwd()
    elif isinstance(suite, (str, Path)):
        name = Path(suite)
        document, base_dir = load_yaml(name), name.resolve().parent
    else:
        raise ConfigError(
            f"evaluate(): the suite must be a path, a YAML string or a mapping, not {type(suite).__name__}"
        )
    if document is None or (isinstance(document, str) and not document.strip()):
        raise ConfigError(f"{name}: the suite is empty")
    if seed is not None and isinstance(document, dict):
        document["seed"] = seed
    return load_suite(name, host, document=document, base_dir=base_dir)


def _plain(value: Any) -> Any:
    """A mapping given to ``evaluate`` as the YAML loader would give it: string keys,
    lists for tuples, strings for paths (so ``Path`` objects may be used in it)."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    return value


def open_run(path: str | Path) -> Run:
    """The run in folder ``path`` (its results.json); DataError (one line) when it is not
    a run. Its store is needed only by :meth:`Run.compare`."""
    from nlpbench.results.runs import read_results

    folder = Path(path)
    return Run(folder, read_results(folder))


@dataclass(frozen=True)
class Leaderboard:
    """One task's leaderboard: models ranked by the task's first metric (``metric``),
    best first. Each row is a dict: ``rank`` (null for a cell that is not ok), ``model``,
    ``value``, ``ci_low``, ``ci_high``, ``tie_group`` (models in one group are not
    significantly different; 1 is the best), ``n``, ``status``, ``note`` (a failed
    cell's error, a not-applicable cell's reason), ``trained`` and ``metrics`` (every
    metric's value, interval and tie group); ``run`` too when the board spans runs."""

    task: str
    metric: str | None
    higher_is_better: bool | None
    metrics: list[str]
    rows: list[dict[str, Any]]
    text: str  # the terminal table, as ``nlpbench leaderboard`` prints it

    def __repr__(self) -> str:
        return self.text.rstrip("\n")

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in ("#", "tie", "model", self.metric or "", "n", "status"))
        body = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(value))}</td>"
                for value in (
                    "-" if row["rank"] is None else row["rank"],
                    "-" if row["tie_group"] is None else row["tie_group"],
                    row["model"],
                    _score(row),
                    row["n"],
                    row["status"],
                )
            )
            + "</tr>"
            for row in self.rows
        )
        return f"<p><b>{html.escape(self.task)}</b></p><table><tr>{head}</tr>{body}</table>"


def _score(row: Mapping[str, Any]) -> str:
    from nlpbench.report.leaderboard import format_score

    return format_score(row)


class Run:
    """A finished (or interrupted) run, from its folder.

    ``path`` is the folder; ``results`` the whole of its results.json; ``cells``,
    ``comparisons`` and ``audits`` are its entries, as plain dicts with the fields the
    results contract gives (docs/python-api.md)."""

    def __init__(self, path: Path, results: dict[str, Any], host: PluginHost | None = None) -> None:
        self.path = Path(path)
        self.results = results
        self._host = host

    @property
    def status(self) -> str:
        """``complete``, ``interrupted`` (what finished is kept; ``evaluate`` with the same
        ``out`` resumes) or ``running`` (another process is still writing it)."""
        return str(self.results.get("status", "unknown"))

    @property
    def name(self) -> str:
        """The suite's name."""
        return str((self.results.get("suite") or {}).get("name", self.path.name))

    @property
    def cells(self) -> list[dict[str, Any]]:
        """One dict per (model, task): ``model``, ``task``, ``status`` (``ok``, ``failed``
        with ``error``, ``not_applicable`` with ``reason``), ``n``, ``metrics`` (name →
        ``value``, ``ci_low``, ``ci_high``, ``higher_is_better``, ``tie_group``), timings."""
        return list(self.results.get("cells") or [])

    @property
    def comparisons(self) -> list[dict[str, Any]]:
        """Every paired comparison: ``task``, ``metric``, ``a``, ``b``, ``delta`` (a − b),
        ``ci_low``, ``ci_high``, ``test``, ``p_value``, ``p_adjusted``, ``correction``."""
        return list(self.results.get("comparisons") or [])

    @property
    def audits(self) -> list[dict[str, Any]]:
        """Every bias-audit entry: ``audit``, ``model``, ``task``, ``group``, ``measure``,
        ``value``, ``ci_low``, ``ci_high``, ``n``, ``n_affected``."""
        return list(self.results.get("audits") or [])

    @property
    def models(self) -> list[str]:
        return list(dict.fromkeys(cell["model"] for cell in self.cells))

    @property
    def tasks(self) -> list[str]:
        return list(dict.fromkeys(cell["task"] for cell in self.cells))

    def leaderboard(self, task: str | None = None) -> Leaderboard:
        """The leaderboard of ``task`` (optional when the run has one task): the same
        ranking and tie groups as ``nlpbench leaderboard``. ConfigError for an unknown task."""
        from nlpbench.report.leaderboard import boards, render_text
        from nlpbench.report.leaderboard_formats import board_record

        tasks = self.tasks
        if task is None:
            if len(tasks) != 1:
                raise ConfigError(f"leaderboard(): name a task; the run's tasks: {', '.join(tasks) or 'none'}")
            task = tasks[0]
        if task not in tasks:
            hint = did_you_mean(task, tasks) or f"; the run's tasks: {', '.join(tasks) or 'none'}"
            raise ConfigError(f"leaderboard(): no task '{task}'{hint}")
        subset = {
            **self.results,
            "cells": [c for c in self.cells if c["task"] == task],
            "groups": [],
            "task_groups": {},
        }
        (board,) = boards(subset)
        record = board_record(board)
        return Leaderboard(
            task, record["metric"], record["higher_is_better"], record["metrics"], record["rows"], render_text(subset)
        )

    def compare(self, other: Run | str | Path) -> list[dict[str, Any]]:
        """Paired comparisons of this run's models and ``other``'s (a Run or a run folder)
        on the tasks both have, from their stores, with this run's families, correction
        and alpha: the comparisons behind ``nlpbench leaderboard THIS OTHER``. A model name
        both runs use is prefixed with its run's folder name. DataError when either is not
        a run with a store, or they share no task."""
        from nlpbench.results.across_runs import combine_runs

        folder = other.path if isinstance(other, Run) else Path(other)
        return list(combine_runs([self.path, folder], self._plugins())["comparisons"])

    def to_pandas(self) -> Any:
        """A long DataFrame: one row per (model, task, metric) of the ok cells, with the
        columns ``model, task, metric, value, ci_low, ci_high, n``. Needs pandas
        (``pip install 'nlpbench[pandas]'``)."""
        try:
            import pandas
        except ImportError:
            raise ConfigError("Run.to_pandas() needs pandas: pip install 'nlpbench[pandas]'") from None
        rows = [
            (
                cell["model"],
                cell["task"],
                metric,
                score.get("value"),
                score.get("ci_low"),
                score.get("ci_high"),
                cell["n"],
            )
            for cell in self.cells
            if cell["status"] == "ok"
            for metric, score in (cell.get("metrics") or {}).items()
        ]
        frame = pandas.DataFrame(rows, columns=list(PANDAS_COLUMNS))
        # a score that was not computed is null: keep the numeric columns numeric (NaN)
        return frame.astype({"value": "float64", "ci_low": "float64", "ci_high": "float64", "n": "int64"})

    def _plugins(self) -> PluginHost:
        return self._host or _default_host()

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for cell in self.cells:
            counts[cell["status"]] = counts.get(cell["status"], 0) + 1
        cells = ", ".join(f"{n} {status}" for status, n in counts.items()) or "no cells"
        return (
            f"<Run {self.name!r} at {str(self.path)!r}: {self.status}; "
            f"{_count(len(self.models), 'model')} × {_count(len(self.tasks), 'task')} ({cells})>"
        )

    def __str__(self) -> str:
        from nlpbench.report.leaderboard import render_text

        return f"{self!r}\n\n{render_text(self.results)}"

    def _repr_html_(self) -> str:
        """A notebook shows the run as each task's leaderboard."""
        title = f"<p>{html.escape(repr(self))}</p>"
        return title + "".join(self.leaderboard(task)._repr_html_() for task in self.tasks)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
