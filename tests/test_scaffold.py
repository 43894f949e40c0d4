"""``nlpbench plugin new``: the scaffolded plugin is complete, installable and works."""

from __future__ import annotations

import importlib
import json
import py_compile
import shutil
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

from nlpbench import ConfigError
from nlpbench.cli import cli
from nlpbench.plugins.host import PluginHost
from nlpbench.scaffold import TEMPLATE_SUFFIX, scaffold
from nlpbench.testing import check_conformance

from .conftest import NLPBENCH, child_env, pip_install_target

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "core" / "nlpbench" / "scaffold" / "template"

NAME = "scaffolded-demo"
PACKAGE = "nlpbench_scaffolded_demo"
METRIC = "scaffolded-demo-exact-match"
FILES = {
    "pyproject.toml",
    "README.md",
    f"{PACKAGE}/__init__.py",
    f"{PACKAGE}/plugin.py",
    "tests/test_plugin.py",
}


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


_env = child_env


def _load_toml(path: Path) -> dict[str, Any]:
    tomllib = pytest.importorskip("tomllib")
    document: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    return document


# ---------------------------------------------------------------------------
# What it writes
# ---------------------------------------------------------------------------


def test_writes_the_plugin_folder(tmp_path: Path) -> None:
    target = scaffold(NAME, tmp_path)
    assert target == tmp_path / f"nlpbench-{NAME}"
    assert _files(target) == FILES
    for path in target.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "{{" not in text and "}}" not in text, f"{path} has a placeholder left"
            if path.suffix == ".py":
                py_compile.compile(str(path), doraise=True, cfile=str(tmp_path / "compiled.pyc"))


def test_pyproject_declares_the_entry_point(tmp_path: Path) -> None:
    document = _load_toml(scaffold(NAME, tmp_path) / "pyproject.toml")
    assert document["build-system"]["build-backend"] == "setuptools.build_meta"
    project = document["project"]
    assert project["name"] == f"nlpbench-{NAME}"
    assert project["version"] == "0.1.0"
    assert "nlpbench>=0.1" in project["dependencies"]
    assert project["entry-points"]["nlpbench"] == {NAME: f"{PACKAGE}.plugin"}


@pytest.fixture
def scaffolded_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The scaffolded plugin module, imported in this process (and forgotten afterwards)."""
    target = scaffold(NAME, tmp_path)
    monkeypatch.syspath_prepend(str(target))

    def forget() -> None:
        for module in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[module]

    forget()
    try:
        yield importlib.import_module(f"{PACKAGE}.plugin")
    finally:
        forget()


def test_the_plugin_registers_a_conformant_metric(scaffolded_plugin: ModuleType) -> None:
    assert check_conformance(scaffolded_plugin) == []
    host = PluginHost(entry_points=False, plugins=[scaffolded_plugin], builtins=False, strict=True, disabled=())
    assert host.plugins[0].name == NAME  # the same name in-process as through its entry point
    assert host.plugins[0].components == {"metrics": [METRIC]}
    assert host.metrics.get(METRIC).description


def test_an_empty_folder_is_fine(tmp_path: Path) -> None:
    (tmp_path / f"nlpbench-{NAME}").mkdir()
    assert _files(scaffold(NAME, tmp_path)) == FILES


def test_creates_missing_parent_folders(tmp_path: Path) -> None:
    assert _files(scaffold(NAME, tmp_path / "a" / "b")) == FILES


@pytest.mark.parametrize(
    "name",
    [
        "My-Metric",
        "my_metric",
        "my metric",
        "my--metric",
        "-metric",
        "metric-",
        "1metric",
        "",
        "métrique",
        "nlpbench-metric",
        "nlpbench",
        "tiny",
    ],
)
def test_bad_names_are_config_errors(tmp_path: Path, name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        scaffold(name, tmp_path)
    message = str(caught.value)
    assert "\n" not in message and repr(name).strip("'\"") in message
    assert list(tmp_path.iterdir()) == []


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    target = tmp_path / f"nlpbench-{NAME}"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ConfigError, match="already exists and is not empty"):
        scaffold(NAME, tmp_path)
    assert _files(target) == {"notes.txt"}


def test_refuses_a_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / f"nlpbench-{NAME}").write_text("mine", encoding="utf-8")
    with pytest.raises(ConfigError, match="already exists"):
        scaffold(NAME, tmp_path)


def test_template_files_all_end_in_tmpl() -> None:
    """So that ruff, mypy, pytest and setuptools never take a template for real code."""
    found = [p for p in TEMPLATE.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert found
    assert [p for p in found if not p.name.endswith(TEMPLATE_SUFFIX)] == []


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------


def _cli(*args: str) -> Any:
    host = PluginHost(entry_points=False, strict=False, disabled=())
    return CliRunner().invoke(cli, list(args), obj={"host": host})


def test_cli_plugin_new(tmp_path: Path) -> None:
    result = _cli("plugin", "new", NAME, "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    target = tmp_path / f"nlpbench-{NAME}"
    assert f"created {target}" in result.output
    assert f"pip install -e {target}" in result.output
    assert _files(target) == FILES


def test_the_scaffold_passes_plugin_check(tmp_path: Path) -> None:
    target = scaffold(NAME, tmp_path)
    result = _cli("plugin", "check", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"ok: plugin '{NAME}' conforms (metrics: {METRIC})"]


def test_the_scaffolds_metric_refuses_a_misspelt_option(scaffolded_plugin: ModuleType) -> None:
    # its empty option schema is what makes a typo an error rather than ignored
    metric = scaffolded_plugin.ExactMatchMetric
    assert metric.options.model_fields == {}
    with pytest.raises(ConfigError, match="unknown option"):
        metric(normalise=True)


def test_cli_plugin_new_bad_name_is_one_line(tmp_path: Path) -> None:
    result = _cli("plugin", "new", "Bad_Name", "--dir", str(tmp_path))
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("Error: ")
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------
# The generated tests pass
# ---------------------------------------------------------------------------


def test_generated_tests_pass(tmp_path: Path) -> None:
    target = scaffold(NAME, tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=target,
        env=_env(PYTHONPATH=str(target)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout


# ---------------------------------------------------------------------------
# Installed for real: found through its entry point
# ---------------------------------------------------------------------------


_pip_install = pip_install_target


def _nlpbench(site: Path, *args: str) -> Any:
    done = subprocess.run(
        [*NLPBENCH, *args],
        env=_env(PYTHONPATH=str(site)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


RUN_IN_PROCESS = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from nlpbench.testing import make_host, run_suite_text

    host = make_host(entry_points=True)
    suite = '''
    name: scaffold-check
    models: [{name: tiny, type: tiny}]
    tasks: [{name: tiny, type: tiny, metrics: [METRIC]}]
    reporters: []
    '''
    run = run_suite_text(suite, Path(sys.argv[1]), host=host)
    cell = run.cell("tiny", "tiny")
    print(json.dumps({
        "status": cell["status"], "error": cell["error"], "exit_code": run.exit_code,
        "value": cell["metrics"].get("METRIC", {}).get("value"),
        "plugin": host.metrics.get("METRIC").plugin,
    }))
    """
).replace("METRIC", METRIC)


@pytest.mark.slow
def test_installed_plugin_is_discovered_and_runs(tmp_path: Path) -> None:
    target = scaffold(NAME, tmp_path / "src")
    site = tmp_path / "site"
    _pip_install(target, site)
    assert (site / PACKAGE / "plugin.py").is_file()

    plugins = {row["name"]: row for row in _nlpbench(site, "plugins", "--json")}
    assert NAME in plugins, sorted(plugins)
    row = plugins[NAME]
    assert row["status"] == "ok", row["error"]
    assert row["version"] == "0.1.0"
    assert row["distribution"] == f"nlpbench-{NAME}"
    assert row["module"] == f"{PACKAGE}.plugin"
    assert row["metrics"] == [METRIC]

    metrics = {row["name"]: row for row in _nlpbench(site, "list", "metrics", "--json")}
    assert metrics[METRIC]["plugin"] == NAME
    assert metrics[METRIC]["higher_is_better"] is True
    assert metrics[METRIC]["scale"] == [0.0, 1.0]

    done = subprocess.run(
        [sys.executable, "-c", RUN_IN_PROCESS, str(tmp_path / "run")],
        env=_env(PYTHONPATH=str(site)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["status"] == "ok", outcome["error"]
    assert outcome["exit_code"] == 0
    assert outcome["plugin"] == NAME  # registered through the entry point, not handed over
    assert outcome["value"] == pytest.approx(7 / 8)  # the tiny model misses one of 8


@pytest.mark.slow
def test_the_core_wheel_carries_the_template(tmp_path: Path) -> None:
    """Package data: a normal (non-editable) install can scaffold too."""
    if not (REPO / "core" / "pyproject.toml").is_file():
        pytest.skip("needs the source tree")
    source = tmp_path / "core"
    shutil.copytree(REPO / "core", source, ignore=shutil.ignore_patterns("*.egg-info", "build", "__pycache__"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "-w",
            str(tmp_path / "wheels"),
            str(source),
        ],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = (tmp_path / "wheels").glob("nlpbench-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "nlpbench/scaffold/template/" + p.relative_to(TEMPLATE).as_posix()
        for p in TEMPLATE.rglob(f"*{TEMPLATE_SUFFIX}")
    }
    assert expected and expected <= names

    site = tmp_path / "site"
    _pip_install(wheel, site)
    code = "import sys, pathlib, nlpbench.scaffold as s; print(s.__file__); s.scaffold('from-wheel', pathlib.Path(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "out")],
        env=_env(PYTHONPATH=str(site)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().startswith(str(site))  # the wheel's copy, not the source tree's
    assert len(_files(tmp_path / "out" / "nlpbench-from-wheel")) == len(FILES)
