"""pytest fixtures for plugin authors (loaded automatically once nlpbench is installed).

- ``nlpbench_host(*plugins)``: a plugin host holding only the core's built-ins, the
  tiny test components and the given plugins.
- ``nlpbench_run(suite, plugins=(), files=None)``: run a suite (YAML text or a dict) in
  a temporary folder, in-process, and get its results, samples and exit code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def nlpbench_host() -> Callable[..., Any]:
    from .harness import make_host

    return make_host


@pytest.fixture
def nlpbench_run(tmp_path: Path) -> Callable[..., Any]:
    from .harness import make_host, run_suite_text

    def run(suite: str | Mapping[str, Any], plugins: Sequence[Any] = (), files: Mapping[str, str] | None = None) -> Any:
        return run_suite_text(suite, tmp_path, host=make_host(*plugins), files=files)

    return run
