"""pytest fixtures for plugin authors (loaded automatically once nlpbench is installed).

- ``nlpbench_host(*plugins)``: a plugin host holding only the core's built-ins, the
  tiny test components and the given plugins.
- ``nlpbench_run(suite, plugins=(), files=None)``: run a suite (YAML text or a dict) in
  a temporary folder, in-process, and get its results, samples and exit code.
- ``nlpbench_shared_data``: the folder of real benchmark samples, ``$NLPBENCH_SHARED_DATA``
  or ``shared/data`` beside the project's root folder; the test is skipped, with the
  reason, when there is none.
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


@pytest.fixture(scope="session")
def nlpbench_shared_data(request: pytest.FixtureRequest) -> Path:
    import os

    configured = os.environ.get("NLPBENCH_SHARED_DATA")
    folder = Path(configured) if configured else request.config.rootpath.parent / "shared" / "data"
    if not folder.is_dir():
        pytest.skip(f"real benchmark samples are absent ({folder}): ../shared/data is not beside this checkout")
    return folder
