"""Shared fixtures: a host of this plugin with the metrics, the tiny test model and the
GPT plugin, and an in-process runner of suites written into a temporary folder."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

import nlpbench_gpt.plugin
import nlpbench_metrics.plugin
from nlpbench.testing.harness import SuiteRun, make_host, run_suite_text
from nlpbench_tasks import plugin
from nlpbench_transformers.testing import one_torch_thread  # noqa: F401  (an autouse fixture)

#: Where the local files in each library dataset's own format are.
LIBRARY_DATA = Path(__file__).parent / "data" / "library"


@pytest.fixture
def host() -> Any:
    return make_host(plugin, nlpbench_metrics.plugin, nlpbench_gpt.plugin)


@pytest.fixture
def run(tmp_path: Path, host: Any) -> Callable[..., SuiteRun]:
    """``run(tasks, files=..., models=...)``: a suite of the tiny model (or ``models``) on
    ``tasks``, run in-process in a temporary folder."""

    def go(
        tasks: list[Mapping[str, Any]], files: Mapping[str, str] | None = None, models: list[Any] | None = None
    ) -> SuiteRun:
        suite = {"name": "tasks", "seed": 3, "models": models or [{"name": "tiny", "type": "tiny"}], "tasks": tasks}
        return run_suite_text(suite, tmp_path, host=host, files=files)

    return go
