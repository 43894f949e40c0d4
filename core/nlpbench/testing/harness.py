"""Running suites in-process with a chosen set of plugins."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nlpbench.plugins.host import PluginHost
from nlpbench.running.runner import run_suite
from nlpbench.suites.suite import load_suite
from nlpbench.testing import tiny


def make_host(*plugins: Any, entry_points: bool = False, tiny_plugin: bool = True) -> PluginHost:
    """A plugin host holding the core's built-ins, the tiny test components and ``plugins``
    (modules or objects with hook implementations). Installed plugins are left out
    unless ``entry_points`` is true."""
    extra = [tiny, *plugins] if tiny_plugin else list(plugins)
    return PluginHost(entry_points=entry_points, plugins=extra, strict=False, disabled=())


@dataclass
class SuiteRun:
    """What an in-process run produced."""

    results: dict[str, Any]
    samples: list[dict[str, Any]]
    exit_code: int
    out_dir: Path
    log: list[str] = field(default_factory=list)

    def cell(self, model: str, task: str) -> dict[str, Any]:
        """The result of one cell; KeyError if the run has none."""
        for cell in self.results["cells"]:
            if cell["model"] == model and cell["task"] == task:
                return dict(cell)
        raise KeyError(f"no cell {model} × {task}")

    def failures(self) -> list[str]:
        """Every failure of the run, each with its full traceback: failed cells, failed
        audit entries, and warnings (a reporter or a model's ``close()`` that raised)."""
        found = []
        for cell in self.results.get("cells", []):
            if cell["status"] == "failed":
                found.append(_described_failure(f"cell {cell['model']} × {cell['task']}", cell["error"], cell))
        for entry in self.results.get("audits", []):
            if str(entry.get("reason") or "").startswith("failed"):
                what = f"audit {entry['audit']} of {entry['model']} × {entry['task']}"
                found.append(_described_failure(what, entry["reason"], entry))
        for warning in self.results.get("warnings", []):
            found.append(_described_failure("warning", warning["warning"], warning))
        return found

    def assert_ok(self) -> None:
        """Raise AssertionError, with the traceback of every failure in its message, unless
        nothing failed (every cell ok or not applicable, no audit failed): what a plugin's
        test calls first, so that a bug in the plugin shows where it is."""
        failures = self.failures()
        if failures or self.exit_code != 0:
            details = "\n\n".join(failures) or "\n".join(self.log)
            raise AssertionError(f"the run failed (exit code {self.exit_code}):\n\n{details}")


def _described_failure(what: str, error: str, entry: Mapping[str, Any]) -> str:
    traceback = entry.get("traceback")
    return f"{what}: {error}" + (f"\n{traceback.rstrip()}" if traceback else "")


def run_suite_text(
    suite: str | Mapping[str, Any],
    directory: Path,
    *,
    host: PluginHost | None = None,
    files: Mapping[str, str] | None = None,
    out: Path | None = None,
) -> SuiteRun:
    """Write ``suite`` (YAML text or a mapping) and ``files`` (name → text) into
    ``directory``, run it, and return what the run produced.

    Config and data errors raise :class:`nlpbench.NlpbenchError`, as they do on the
    command line before anything runs. A plugin's bug fails its cells, as on the command
    line; the run's ``log`` has each failure's traceback (as ``nlpbench --debug run``
    prints them), and :meth:`SuiteRun.assert_ok` raises with all of them.
    """
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in (files or {}).items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    text = suite if isinstance(suite, str) else yaml.safe_dump(dict(suite), sort_keys=False)
    suite_path = directory / "suite.yaml"
    suite_path.write_text(text, encoding="utf-8")
    host = host or make_host()
    log: list[str] = []
    loaded = load_suite(suite_path, host)
    outcome = run_suite(loaded, host, out or directory / "run", progress=False, log=log.append, debug=True)
    samples_path = outcome.out_dir / "samples.jsonl"
    samples = [json.loads(line) for line in samples_path.read_text(encoding="utf-8").splitlines() if line]
    return SuiteRun(outcome.results, samples, outcome.exit_code, outcome.out_dir, log)


def tiny_suite(
    models: Sequence[Mapping[str, Any]] | None = None, tasks: Sequence[Mapping[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    """A suite of the tiny model on the tiny task, with whatever you replace."""
    return {
        "name": "tiny",
        "seed": 1234,
        "models": list(models or [{"name": "tiny", "type": "tiny"}]),
        "tasks": list(tasks or [{"name": "tiny", "type": "tiny"}]),
        **extra,
    }
