"""The command line: exit codes, one-line errors, listings."""

from __future__ import annotations

import json
import os
import signal
import textwrap
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner, Result

from nlpbench import ConfigError, hookimpl
from nlpbench.cli import build_cli
from nlpbench.testing import make_host

from .test_runner import TestPlugin

SUITE = """\
name: cli-demo
models:
  - name: a
    type: tiny
  - name: b
    type: tiny
    params: {capabilities: [generate]}
tasks:
  - name: t
    type: tiny
"""


def _invoke(*args: str, host: Any = None) -> Result:
    host = host or make_host(TestPlugin())
    return CliRunner().invoke(build_cli(host), list(args), obj={"host": host})


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(SUITE)
    return path


def test_run_prints_the_leaderboard_and_writes_results(suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _invoke("run", str(suite), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "t  (tiny-match ↑; 95% CI; tie: groups by tiny-match" in result.stdout
    assert "1  1    a      0.875 [0.625, 1.000]" in result.stdout
    assert f"results: {out / 'results.json'}" in result.stderr
    results = json.loads((out / "results.json").read_text())
    assert [c["status"] for c in results["cells"]] == ["ok", "ok"]


def test_run_defaults_to_runs_suite_name(suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _invoke("run", str(suite)).exit_code == 0
    assert (tmp_path / "runs" / "cli-demo" / "results.json").exists()
    assert (tmp_path / "runs" / "cli-demo" / "samples.jsonl").exists()
    assert (tmp_path / "runs" / "cli-demo" / "report.html").exists()


def test_limit_and_device_override_the_suite(suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _invoke("run", str(suite), "--out", str(out), "--limit", "2", "--device", "cpu").exit_code == 0
    results = json.loads((out / "results.json").read_text())
    assert [c["n"] for c in results["cells"]] == [2, 2]


def test_a_failed_cell_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text(SUITE.replace("params: {capabilities: [generate]}", "params: {fail: answer}"))
    result = _invoke("run", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "FAILED  b × t: RuntimeError: the tiny model was told to fail while answering" in result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("type: tiny\n  - name: b", "type: tinyy\n  - name: b"),
            ":4: models[0].type: unknown model type 'tinyy' (did you mean 'tiny'?)",
        ),
        (("name: cli-demo", "nme: cli-demo"), ":1: nme: unknown key (did you mean 'name'?)"),
        (
            ("  - name: t\n    type: tiny\n", "  - name: t\n    type: odd-task\n    params: {mode: data-error}\n"),
            "task 't': rows.jsonl:3: column 'text' is missing",
        ),
    ],
)
def test_bad_input_is_one_line_and_exits_2(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text(SUITE.replace(*change))
    result = _invoke("run", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert not (tmp_path / "out" / "results.json").exists()


def test_missing_suite_file_exits_2(tmp_path: Path) -> None:
    result = _invoke("run", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2 and "nope.yaml: no such file" in result.stderr


def test_debug_shows_the_exception(tmp_path: Path) -> None:
    host = make_host(TestPlugin())
    result = CliRunner().invoke(build_cli(host), ["--debug", "run", str(tmp_path / "nope.yaml")], obj={"host": host})
    assert isinstance(result.exception, ConfigError)


def test_an_unexpected_error_is_still_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nlpbench.running.runner

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("bug in the runner")

    monkeypatch.setattr(nlpbench.running.runner, "run_suite", explode)
    path = tmp_path / "suite.yaml"
    path.write_text(SUITE)
    result = _invoke("run", str(path))
    assert result.exit_code == 1
    assert result.stderr == "Error: RuntimeError: bug in the runner (rerun with --debug for the traceback)\n"


class SelfTerminatingModel:
    """Sends its own process SIGTERM while answering, as a batch scheduler would."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"classify"})

    def __init__(self, spec: Any) -> None:
        pass

    def classify(self, requests: Any) -> list[dict[str, float]]:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler interrupts this
        raise AssertionError("SIGTERM did not interrupt the run")


class TerminatingPlugin:
    @hookimpl
    def register_models(self, register: Any) -> None:
        register(SelfTerminatingModel, name="self-terminating")


def test_sigterm_interrupts_a_run_and_its_handler_is_put_back(tmp_path: Path) -> None:
    def outside(signum: int, frame: Any) -> None:  # stands for whatever handled SIGTERM before the run
        calls.append(signum)

    calls: list[int] = []
    path = tmp_path / "suite.yaml"
    path.write_text(SUITE.replace("type: tiny\n    params: {capabilities: [generate]}", "type: self-terminating"))
    previous = signal.signal(signal.SIGTERM, outside)
    try:
        result = _invoke("run", str(path), "--out", str(tmp_path / "out"), host=make_host(TerminatingPlugin()))
        assert signal.getsignal(signal.SIGTERM) is outside
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert calls == []
    assert result.exit_code == 143, result.output
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["status"] == "interrupted"
    assert [(c["model"], c["status"]) for c in results["cells"]] == [("a", "ok")]
    assert (tmp_path / "out" / "report.html").is_file()
    assert "terminated (SIGTERM): 1 finished cell kept; the same command resumes the run" in result.stderr
    assert "Traceback" not in result.output


def test_validate_checks_without_running(suite: Path, tmp_path: Path) -> None:
    result = _invoke("validate", str(suite))
    assert result.exit_code == 0
    assert "ok — 2 models × 1 tasks = 2 cells (2 runnable, 0 not applicable)" in result.stdout
    assert "b × t: via generate" in result.stdout
    assert not (tmp_path / "runs").exists()
    suite.write_text(SUITE.replace("type: tiny\n  - name: b", "type: encode-only\n  - name: b"))
    result = _invoke("validate", str(suite))
    assert "a × t: not applicable: model 'a' (encode-only) has none of the capabilities" in result.stdout
    suite.write_text(SUITE + "    metrics: [acuracy]\n")
    result = _invoke("validate", str(suite))
    assert result.exit_code == 2 and ":11: tasks[0].metrics[0]: unknown metric 'acuracy'" in result.stderr


def test_plugins_json_lists_every_plugin() -> None:
    result = _invoke("plugins", "--json")
    assert result.exit_code == 0
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["nlpbench"]["status"] == "ok" and rows["nlpbench"]["version"] == "0.1.0"
    assert rows["nlpbench"]["reporters"] == ["html", "json", "markdown", "csv"]
    assert rows["testing-bits"]["models"] == ["encode-only", "shortchanging", "interrupting"]
    assert {"name", "version", "status", "error"} <= set(rows["tiny"])


def test_plugins_shows_failures(entry_point_plugins: Any) -> None:
    entry_point_plugins({"broken": "raise ImportError('missing dependency frobnicate')"})
    from nlpbench.plugins.host import PluginHost

    host = PluginHost(strict=False, disabled=())
    result = _invoke("plugins", host=host)
    assert (
        "broken ?  FAILED: failed to import ep_plugin_broken: ImportError: missing dependency frobnicate"
        in result.stdout
    )
    rows = {row["name"]: row for row in json.loads(_invoke("plugins", "--json", host=host).stdout)}
    assert rows["broken"]["status"] == "failed" and "frobnicate" in rows["broken"]["error"]


@pytest.mark.parametrize("kind", ["models", "tasks", "metrics", "audits", "reporters"])
def test_list_json(kind: str) -> None:
    result = _invoke("list", kind, "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert all({"name", "plugin"} <= set(row) for row in rows)
    # every component's option schema (JSON Schema), or null when it declares none
    components = [row for row in rows if row.get("kind", "type") == "type"]
    assert all(row["options"] is None or row["options"]["type"] == "object" for row in components)
    assert kind == "audits" or components  # no audits among the test plugins
    if kind == "models":
        tiny = next(row for row in rows if row["name"] == "tiny")
        assert tiny["capabilities"] == [
            "classify",
            "encode",
            "extract_span",
            "generate",
            "loglikelihood",
            "loglikelihood_rolling",
        ]
        assert tiny["plugin"] == "tiny"


def test_list_text_and_unknown_kind() -> None:
    result = _invoke("list", "models")
    assert "tiny [classify, encode, extract_span, generate, loglikelihood, loglikelihood_rolling]" in result.stdout
    assert _invoke("list", "audits").stdout == "no audits are installed\n"
    bad = _invoke("list", "modles")
    assert bad.exit_code == 2 and "'modles' is not one of" in bad.stderr


def test_help_mentions_every_command() -> None:
    result = _invoke("--help")
    for command in ("run", "validate", "plugins", "list", "plugin"):
        assert command in result.stdout


def test_plugin_commands_are_added() -> None:
    import click

    from nlpbench import hookimpl

    class CommandPlugin:
        NLPBENCH_PLUGIN_NAME = "greeter"

        @hookimpl
        def register_commands(self, cli: click.Group) -> None:
            @cli.command("greet-test")
            def greet() -> None:
                click.echo("hello from a plugin")

    result = _invoke("greet-test", host=make_host(CommandPlugin()))
    assert result.stdout == "hello from a plugin\n"


def test_suite_text_helper_is_dedented() -> None:
    assert textwrap.dedent(SUITE) == SUITE


def test_an_output_folder_that_cannot_be_written_exits_2(suite: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = _invoke("run", str(suite), "--out", str(blocker / "out"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: output folder {blocker / 'out'}: cannot write")
