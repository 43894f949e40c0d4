"""pytest fixtures for plugin authors (loaded automatically once nlpbench is installed).

- ``nlpbench_host(*plugins)``: a plugin host holding only the core's built-ins, the
  tiny test components and the given plugins.
- ``nlpbench_run(suite, plugins=(), files=None)``: run a suite (YAML text or a dict) in
  a temporary folder, in-process, and get its results, samples and exit code. When a
  test that ran suites this way fails, its report shows the traceback of every cell
  (or audit) of those runs that failed, in a section "nlpbench: failures", so a bug in
  the plugin under test shows where it is.
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
    from nlpbench.testing.harness import make_host

    return make_host


#: The runs a test made with ``nlpbench_run``, kept on the test item for its report.
_RUNS = pytest.StashKey[list[Any]]()


@pytest.fixture
def nlpbench_run(tmp_path: Path, request: pytest.FixtureRequest) -> Callable[..., Any]:
    from nlpbench.testing.harness import make_host, run_suite_text

    runs = request.node.stash.setdefault(_RUNS, [])

    def run(suite: str | Mapping[str, Any], plugins: Sequence[Any] = (), files: Mapping[str, str] | None = None) -> Any:
        done = run_suite_text(suite, tmp_path, host=make_host(*plugins), files=files)
        runs.append(done)
        return done

    return run


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failed test that ran suites shows their failures' tracebacks in its report."""
    report = yield
    if report.failed and call.when == "call":
        failures = [failure for run in item.stash.get(_RUNS, []) for failure in run.failures()]
        if failures:
            report.sections.append(("nlpbench: failures", "\n\n".join(failures)))
    return report


@pytest.fixture(scope="session")
def nlpbench_shared_data(request: pytest.FixtureRequest) -> Path:
    import os

    configured = os.environ.get("NLPBENCH_SHARED_DATA")
    folder = Path(configured) if configured else request.config.rootpath.parent / "shared" / "data"
    if not folder.is_dir():
        pytest.skip(f"real benchmark samples are absent ({folder}): ../shared/data is not beside this checkout")
    return folder
