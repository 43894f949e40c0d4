"""Reporter files: confined to the run folder (by their option's schema, at run start and
at writing time) and written atomically. The command-line cases (every built-in
reporter option, five ways out) are in tests/test_reliability.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import Field

from nlpbench import ConfigError, Options, ReporterError, RunFile, hookimpl, option_problems
from nlpbench.report.html import HtmlReporter
from nlpbench.report.text import CsvOptions, MarkdownReporter
from nlpbench.results.run_files import escape_reason, run_file_fields, run_file_problems, write_atomic
from nlpbench.testing import make_host, run_suite_text
from nlpbench.testing.harness import tiny_suite

PLANTED: dict[str, Any] = {"suite": {"name": "planted"}, "cells": [], "comparisons": []}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("../x.csv", "must stay inside the run folder, not '../x.csv'"),
        ("sub/../../x.csv", "must stay inside the run folder, not 'sub/../../x.csv'"),
        ("..", "must stay inside the run folder, not '..'"),
        ("/tmp/x.csv", "must be relative to the run folder, not the absolute path '/tmp/x.csv'"),
        ("~/x.csv", "must be relative to the run folder ('~' is not expanded), not '~/x.csv'"),
        ("~", "must be relative to the run folder ('~' is not expanded), not '~'"),
        ("sub/..", "must name a file inside the run folder, not the folder itself: 'sub/..'"),
        ("a\0b", "must not contain a NUL character, not 'a\\x00b'"),
        ("", "must not be empty, not ''"),
    ],
)
def test_the_schema_refuses_a_file_outside_the_run_folder(value: str, message: str) -> None:
    assert option_problems(CsvOptions, {"comparisons_file": value}, "reporters[0] (csv)") == [
        f"reporters[0] (csv).comparisons_file: {message}"
    ]


@pytest.mark.parametrize("value", ["results.csv", "sub/inner.csv", "./a/./b.csv", "sub/../inner.csv", "..x", "x.."])
def test_the_schema_takes_a_file_inside_it(value: str) -> None:
    assert option_problems(CsvOptions, {"file": value}) == []


class LinkedOptions(Options):
    """A third party's reporter: one file always, one maybe."""

    page: RunFile = Field("page.txt", description="the page")
    extra: RunFile | None = Field(None, description="an extra page")
    title: str = Field("t", description="not a file")


class LinkedReporter:
    options: ClassVar[type[Options]] = LinkedOptions

    def __init__(self, page: str = "page.txt", extra: str | None = None, title: str = "t") -> None:
        self.page = page
        self.extra = extra

    def write(self, results: Any, out_dir: Path) -> str:
        return str(write_atomic(out_dir / self.page, "page\n"))


class LinkedPlugin:
    NLPBENCH_PLUGIN_NAME = "linked"

    @hookimpl
    def register_reporters(self, register: Any) -> None:
        register(LinkedReporter, name="linked")


def test_a_plugins_reporter_declares_its_files_with_run_file() -> None:
    assert run_file_fields(LinkedOptions) == ["page", "extra"]
    assert run_file_fields(CsvOptions) == ["file", "comparisons_file"]
    assert run_file_fields(None) == []


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """A run folder whose ``link`` leads to ``elsewhere``, and ``deep`` to ``elsewhere/a/b``."""
    (tmp_path / "elsewhere" / "a" / "b").mkdir(parents=True)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "run" / "deep").symlink_to(tmp_path / "elsewhere" / "a" / "b", target_is_directory=True)
    (tmp_path / "run" / "inner").mkdir()
    (tmp_path / "run" / "within").symlink_to(tmp_path / "run" / "inner", target_is_directory=True)
    return tmp_path


def test_a_link_that_leads_out_is_found_where_the_kernel_would_follow_it(linked: Path) -> None:
    run = linked / "run"
    assert escape_reason(run, "link/x.csv") is not None
    # lexically ``x.csv``, but ``deep/..`` is ``elsewhere/a`` to the kernel
    assert escape_reason(run, "deep/../x.csv") is not None
    assert escape_reason(run, "within/x.csv") is None  # a link that stays inside is fine
    assert escape_reason(run, "link") is None  # the file itself a link: replaced, not written through
    assert escape_reason(linked / "not-yet", "sub/x.csv") is None  # a folder still to make has no links


def test_run_start_names_every_option_that_leads_out(linked: Path) -> None:
    problems = run_file_problems(LinkedReporter, {"page": "link/p.txt", "extra": "deep/../e.txt"}, linked / "run")
    assert [problem.split(" ", 1)[0] for problem in problems] == ["page", "extra"]
    assert problems[0].endswith(f"'link/p.txt' leads through a link to {linked / 'elsewhere'}")
    assert run_file_problems(LinkedReporter, {"page": "within/p.txt"}, linked / "run") == []


def test_a_plugins_reporter_file_through_a_link_stops_the_run_before_it_starts(linked: Path) -> None:
    suite = tiny_suite(reporters=[{"name": "linked", "extra": "link/e.txt"}])
    with pytest.raises(ConfigError, match=r"^reporters\[0\] \(linked\): extra must stay inside the run folder, but "):
        run_suite_text(suite, linked, host=make_host(LinkedPlugin()), out=linked / "run")
    assert not (linked / "run" / "results.json").exists()
    assert sorted(p.name for p in (linked / "elsewhere").iterdir()) == ["a"]


def test_a_link_made_during_the_run_is_refused_when_the_reporter_writes(linked: Path) -> None:
    """The run-start check cannot see a link made hours later: the write checks again."""
    run = linked / "run"
    with pytest.raises(ReporterError, match=r"^file must stay inside the run folder, but 'link/r\.md' leads"):
        MarkdownReporter(file="link/r.md").write(PLANTED, run)
    with pytest.raises(ReporterError, match=r"^file must stay inside the run folder, not '\.\./r\.html'$"):
        HtmlReporter(file="../r.html").write(PLANTED, run)
    assert sorted(p.name for p in (linked / "elsewhere").iterdir()) == ["a"]
    assert not (linked / "r.html").exists()


def test_the_html_reporter_makes_the_folders_of_its_file(tmp_path: Path) -> None:
    assert HtmlReporter(file="pages/today/r.html").write(PLANTED, tmp_path) == str(tmp_path / "pages/today/r.html")
    assert (tmp_path / "pages" / "today" / "r.html").read_text(encoding="utf-8").startswith("<!doctype html>")


def test_a_written_file_gets_the_mode_any_new_file_gets(tmp_path: Path) -> None:
    """Not mkstemp's owner-only 0600: a report is meant to be shared, as the umask allows."""
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "r.md", "x\n")
    finally:
        os.umask(umask)
    assert (tmp_path / "r.md").stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]


def test_a_planted_temporary_link_is_not_written_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The temporary file is created new (O_EXCL): a link waiting under its name is skipped."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    names = iter(["planted", "fresh"])
    monkeypatch.setattr("nlpbench.results.run_files.secrets.token_hex", lambda n: next(names))
    (tmp_path / "r.md.planted.partial").symlink_to(victim)
    write_atomic(tmp_path / "r.md", "new\n")
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert (tmp_path / "r.md").read_text(encoding="utf-8") == "new\n"


#: the command line, as the tests run it
NLPBENCH = [sys.executable, "-c", "from nlpbench.cli import main; main()"]

CLASHING_SUITE = """\
name: clashing
models: [{name: wordlist, type: wordlist}]
tasks: [{name: reviews, type: sentiment, limit: 4}]
reporters:
  - {name: json, file: results.json}
  - markdown
  - {name: csv, file: ./report.md, comparisons_file: store.sqlite}
  - {name: html, file: sub/../samples.jsonl}
  - {name: markdown, file: results.json}
"""


def test_a_reporter_file_over_the_runs_own_files_or_another_reporters_is_refused(tmp_path: Path) -> None:
    """Two reporters on one file, or one over results.json, samples.jsonl or the store,
    would lose results: validate and run refuse it up front, naming each entry's line.
    The json reporter alone may name results.json: it writes what the runner does."""
    suite = tmp_path / "suite.yaml"
    suite.write_text(CLASHING_SUITE, encoding="utf-8")
    for command in (["validate", str(suite)], ["run", str(suite), "--out", str(tmp_path / "run"), "--no-progress"]):
        result = subprocess.run([*NLPBENCH, *command], capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 2, result.stderr
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert errors == [
            f"Error: {suite}:7: reporters[2] (csv).file: './report.md' is already written by reporters[1] "
            "(markdown).file",
            f"Error: {suite}:7: reporters[2] (csv).comparisons_file: 'store.sqlite' is a file the run keeps "
            "itself; pick another name",
            f"Error: {suite}:8: reporters[3] (html).file: 'sub/../samples.jsonl' is a file the run keeps itself; "
            "pick another name",
            f"Error: {suite}:9: reporters[4] (markdown).file: 'results.json' is a file the run keeps itself; "
            "pick another name",
        ], result.stderr
    assert not (tmp_path / "run").exists()
