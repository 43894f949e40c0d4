"""Shared fixtures of the core's tests."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _clean_plugin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests decide for themselves about strict mode and disabled plugins."""
    monkeypatch.delenv("NLPBENCH_STRICT_PLUGINS", raising=False)
    monkeypatch.delenv("NLPBENCH_DISABLE_PLUGINS", raising=False)


@pytest.fixture
def entry_point_plugins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[dict[str, str]], None]:
    """Install plugins as entry points of the group ``nlpbench`` for this test only:
    ``{entry point name: module source}``. Only these entry points are seen."""

    def install(sources: dict[str, str]) -> None:
        folder = tmp_path / "entry_point_plugins"
        folder.mkdir(exist_ok=True)
        points = []
        for name, source in sources.items():
            module = f"ep_plugin_{name.replace('-', '_')}"
            (folder / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
            points.append(importlib.metadata.EntryPoint(name, module, "nlpbench"))
            sys.modules.pop(module, None)
        monkeypatch.syspath_prepend(str(folder))
        real = importlib.metadata.entry_points

        def fake(**params: object) -> object:
            if params.get("group") == "nlpbench":
                return importlib.metadata.EntryPoints(points)
            return real(**params)  # type: ignore[arg-type]

        monkeypatch.setattr(importlib.metadata, "entry_points", fake)

    return install


#: ``nlpbench`` as a child process, with this interpreter (and so this environment).
NLPBENCH = [sys.executable, "-c", "from nlpbench.cli import main; main()"]


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child process: none of our plugin or pytest settings leak in."""
    dropped = {"NLPBENCH_STRICT_PLUGINS", "NLPBENCH_DISABLE_PLUGINS", "PYTEST_ADDOPTS", "PYTHONPATH",
               "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}  # fmt: skip
    return {**{k: v for k, v in os.environ.items() if k not in dropped}, **extra}


def pip_install_target(source: Path, site: Path) -> None:
    """pip-install the distribution in ``source`` into the folder ``site``, offline, as a
    user would (but into a folder of its own, so other tests never see it)."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--disable-pip-version-check", "--target", str(site), str(source)],
        env=child_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Where the report's browser tests left their screenshots (``record_property`` names
    them ``screenshot …``), so a person can look at the page a run drew."""
    reports = [*terminalreporter.stats.get("passed", []), *terminalreporter.stats.get("failed", [])]
    shots = [
        (name, value) for report in reports for name, value in report.user_properties if name.startswith("screenshot")
    ]
    if shots:
        terminalreporter.write_sep("-", "report screenshots")
        for name, value in shots:
            terminalreporter.write_line(f"{name}: {value}")
