"""Task files and groups: a suite names a task by file or library name, overrides what
the file says, and a group's members are aggregated (micro and macro means, with
intervals) into one leaderboard row."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from nlpbench import ConfigError, hookimpl
from nlpbench.cli import cli
from nlpbench.contracts.seeds import derived_seed
from nlpbench.results.runs import rescore
from nlpbench.statistics.bootstrap import percentile_interval, resample_indices
from nlpbench.suites.taskfiles import absolute_paths, merge_data
from nlpbench.testing.harness import make_host, run_suite_text

TASK_FILE = """\
name: sentiment-file
description: The tiny task, from a file.
type: tiny
metrics: [tiny-match]
"""

GROUP_FILE = """\
group: pair
description: Two copies of the tiny task.
defaults:
  type: tiny
  metrics: [tiny-match]
members:
  - name: first
  - name: second
    description: the second copy
"""


def _suite(tasks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"name": "files", "seed": 7, "models": [{"name": "tiny", "type": "tiny"}], "tasks": tasks, **extra}


def test_a_task_file_is_named_by_its_path(tmp_path: Path) -> None:
    run = run_suite_text(_suite([{"task": "tasks/one.yaml"}]), tmp_path, files={"tasks/one.yaml": TASK_FILE})
    cell = run.cell("tiny", "sentiment-file")
    assert cell["status"] == "ok" and cell["n"] == 8
    recorded = run.results["tasks"]["sentiment-file"]
    assert recorded["file"] == str(tmp_path / "tasks" / "one.yaml") and recorded["type"] == "tiny"


def test_the_entry_renames_and_limits_the_file_task(tmp_path: Path) -> None:
    suite = _suite([{"task": "one.yaml", "name": "short", "limit": 3}, {"task": "one.yaml", "name": "whole"}])
    run = run_suite_text(suite, tmp_path, files={"one.yaml": TASK_FILE})
    assert run.cell("tiny", "short")["n"] == 3 and run.cell("tiny", "whole")["n"] == 8


def test_the_same_task_twice_without_a_name_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="defined twice: name the entry"):
        run_suite_text(_suite([{"task": "one.yaml"}, {"task": "one.yaml"}]), tmp_path, files={"one.yaml": TASK_FILE})


def test_a_group_runs_each_member_and_aggregates_them(tmp_path: Path) -> None:
    suite = _suite([{"task": "pair.yaml", "members": {"first": {"limit": 3}, "second": {}}}])
    run = run_suite_text(suite, tmp_path, files={"pair.yaml": GROUP_FILE})
    first, second = run.cell("tiny", "pair/first"), run.cell("tiny", "pair/second")
    assert (first["n"], second["n"]) == (3, 8)
    assert run.results["task_groups"]["pair"]["members"] == ["pair/first", "pair/second"]
    [entry] = run.results["groups"]
    assert entry["group"] == "pair" and entry["model"] == "tiny" and entry["status"] == "ok" and entry["n"] == 11
    score = entry["metrics"]["tiny-match"]
    a, b = first["metrics"]["tiny-match"]["value"], second["metrics"]["tiny-match"]["value"]
    assert score["micro"]["value"] == pytest.approx((3 * a + 8 * b) / 11)
    assert score["macro"]["value"] == pytest.approx((a + b) / 2)
    assert score["members"] == {"pair/first": a, "pair/second": b}
    # the interval combines each member's own resamples (the seeds that gave its interval)
    rows = {s["task"]: [] for s in run.samples}
    for line in run.samples:
        rows[line["task"]].append(line["scores"]["tiny-match"])
    replicates = []
    for member in ("pair/first", "pair/second"):
        values = np.array(rows[member])
        indices = resample_indices(len(values), 1000, derived_seed(7, member, "bootstrap"))
        replicates.append(values[indices].mean(axis=1))
    micro = (3 * replicates[0] + 8 * replicates[1]) / 11
    assert (score["micro"]["ci_low"], score["micro"]["ci_high"]) == pytest.approx(percentile_interval(micro, 0.95))
    macro = (replicates[0] + replicates[1]) / 2
    assert (score["macro"]["ci_low"], score["macro"]["ci_high"]) == pytest.approx(percentile_interval(macro, 0.95))


def test_a_group_with_a_failed_member_is_incomplete(tmp_path: Path) -> None:
    suite = _suite([{"task": "pair.yaml", "members": {"first": {"params": {"fail": "process"}}, "second": {}}}])
    run = run_suite_text(suite, tmp_path, files={"pair.yaml": GROUP_FILE})
    [entry] = run.results["groups"]
    assert entry["status"] == "incomplete" and entry["metrics"] == {}
    assert "pair/first (failed)" in entry["reason"]
    assert run.exit_code == 1


def test_a_group_runs_the_members_it_is_told(tmp_path: Path) -> None:
    run = run_suite_text(
        _suite([{"task": "pair.yaml", "members": ["second"]}]), tmp_path, files={"pair.yaml": GROUP_FILE}
    )
    assert [c["task"] for c in run.results["cells"]] == ["pair/second"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"task": "pair.yaml", "members": ["sceond"]}, "has no member 'sceond' (did you mean 'second'?)"),
        ({"task": "one.yaml", "members": ["x"]}, "is a task, not a group"),
        ({"task": "one.yaml", "type": "tiny"}, "give type (a task type) or task"),
        ({"task": "absent.yaml"}, "absent.yaml: no such task file"),
        ({"task": "sentiment-flie"}, "no task or group called 'sentiment-flie' in the task library"),
        ({"task": "one.yaml", "colour": "red"}, "unknown key"),
        ({"task": "neither.yaml"}, "lm-evaluation-harness files are read by the lm-eval task type"),
        ({"task": "tagged.yaml"}, "could not determine a constructor"),
        ({"task": "badmetric.yaml"}, "badmetric.yaml:3: metrics[0]: unknown metric 'tiny-mtch'"),
    ],
)
def test_mistakes_are_one_line_errors_naming_the_entry(tmp_path: Path, entry: dict[str, Any], message: str) -> None:
    files = {
        "pair.yaml": GROUP_FILE,
        "one.yaml": TASK_FILE,
        "neither.yaml": "hello: world\n",
        "tagged.yaml": "name: x\ntype: !python/object tiny\n",
        "badmetric.yaml": "name: bad\ntype: tiny\nmetrics: [tiny-mtch]\n",
    }
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        run_suite_text(_suite([entry]), tmp_path, files=files)
    assert "\n" not in str(caught.value) and "tasks[0]" in str(caught.value)


def test_a_suites_data_replaces_the_files_source_but_keeps_its_columns(tmp_path: Path) -> None:
    base = {"hub": "glue", "config": "sst2", "split": "validation", "train_split": "train", "text": "sentence"}
    merged = merge_data(base, {"path": "local.jsonl"})
    assert merged == {"text": "sentence", "path": "local.jsonl"}
    assert merge_data(base, {"split": "test"})["hub"] == "glue"
    assert absolute_paths({"path": "d/x.jsonl", "train": "t.jsonl", "text": "x"}, tmp_path) == {
        "path": str(tmp_path / "d/x.jsonl"),
        "train": str(tmp_path / "t.jsonl"),
        "text": "x",
    }


class _LibraryPlugin:
    """Contributes a folder of task files, as the hook's documented example does."""

    NLPBENCH_PLUGIN_NAME = "library"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @hookimpl
    def register_task_files(self, register: Any) -> None:
        register(self.folder)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    # data that is nowhere: listing the library must not read it
    (folder / "one.yaml").write_text(
        TASK_FILE.replace("type: tiny", "type: tiny\ndata: {path: absent.jsonl}"), encoding="utf-8"
    )
    (folder / "pair.yaml").write_text(GROUP_FILE, encoding="utf-8")
    return folder


def test_a_plugins_task_files_are_named_in_suites(tmp_path: Path, library: Path) -> None:
    (library / "one.yaml").write_text(TASK_FILE, encoding="utf-8")
    host = make_host(_LibraryPlugin(library))
    run = run_suite_text(_suite([{"task": "sentiment-file"}, {"task": "pair"}]), tmp_path / "run", host=host)
    assert {c["task"] for c in run.results["cells"]} == {"sentiment-file", "pair/first", "pair/second"}
    assert run.results["groups"][0]["group"] == "pair"


def test_a_group_member_may_name_a_library_task(tmp_path: Path, library: Path) -> None:
    (library / "one.yaml").write_text(TASK_FILE, encoding="utf-8")
    (library / "mixed.yaml").write_text(
        "group: mixed\ndescription: both\nmembers:\n  - sentiment-file\n  - {name: own, type: tiny}\n", encoding="utf-8"
    )
    run = run_suite_text(_suite([{"task": "mixed"}]), tmp_path / "run", host=make_host(_LibraryPlugin(library)))
    assert [c["task"] for c in run.results["cells"]] == ["mixed/sentiment-file", "mixed/own"]


def test_two_plugins_defining_one_name_is_an_error_naming_both(tmp_path: Path, library: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "one.yaml").write_text(TASK_FILE, encoding="utf-8")

    class Other(_LibraryPlugin):
        NLPBENCH_PLUGIN_NAME = "other"

    host = make_host(_LibraryPlugin(library), Other(other))
    with pytest.raises(ConfigError, match=r"defined by plugin 'library'.*and by plugin 'other'"):
        run_suite_text(_suite([{"task": "sentiment-file"}]), tmp_path / "run", host=host)


def test_registering_a_missing_path_fails_the_plugin(tmp_path: Path) -> None:
    host = make_host(_LibraryPlugin(tmp_path / "nowhere"))
    [info] = [p for p in host.plugins if p.name == "library"]
    assert info.status == "failed" and "does not exist" in (info.error or "")


def test_list_tasks_shows_the_library_without_loading_data(
    tmp_path: Path, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = make_host(_LibraryPlugin(library))
    monkeypatch.setattr("nlpbench.cli._host", lambda ctx: host)
    result = CliRunner().invoke(cli, ["list", "tasks", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert rows["tiny"]["kind"] == "type"
    assert rows["sentiment-file"] | {"file": None} == {
        "name": "sentiment-file",
        "plugin": "library",
        "aliases": [],
        "description": "The tiny task, from a file.",
        "kind": "task",
        "file": None,
    }
    assert rows["pair"]["kind"] == "group" and rows["pair"]["members"] == ["first", "second"]
    text = CliRunner().invoke(cli, ["list", "tasks"]).output
    assert "pair [group of 2]  — Two copies of the tiny task.  [library]" in text


def test_the_leaderboard_shows_a_group_as_one_table(tmp_path: Path) -> None:
    run = run_suite_text(_suite([{"task": "pair.yaml"}]), tmp_path, files={"pair.yaml": GROUP_FILE})
    short = CliRunner().invoke(cli, ["leaderboard", str(run.out_dir)])
    assert short.exit_code == 0, short.output
    assert "group pair: 2 tasks" in short.output and "tiny-match (macro)" in short.output
    assert "pair/first" not in short.output
    whole = CliRunner().invoke(cli, ["leaderboard", str(run.out_dir), "--members"]).output
    assert "pair/first" in whole and "pair/second" in whole


def test_rescoring_recomputes_the_groups(tmp_path: Path) -> None:
    run = run_suite_text(_suite([{"task": "pair.yaml"}]), tmp_path, files={"pair.yaml": GROUP_FILE})
    before = run.results["groups"]
    stored = json.loads((run.out_dir / "results.json").read_text())
    stored["groups"] = []
    (run.out_dir / "results.json").write_text(json.dumps(stored))
    results = rescore(run.out_dir, make_host())
    assert results["groups"] == before and before


def test_the_report_shows_a_groups_members_on_demand(tmp_path: Path) -> None:
    run = run_suite_text(_suite([{"task": "pair.yaml"}]), tmp_path, files={"pair.yaml": GROUP_FILE})
    page = (run.out_dir / "report.html").read_text(encoding="utf-8")
    board, members = page.index("<h3>pair</h3>"), page.index("<details class='members'><summary>the members of pair")
    assert board < members < page.index("<h3>pair/first</h3>") < page.index("</details>")
    assert "micro mean" in page


def test_a_group_named_twice_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'pair' is defined twice: name the entry"):
        run_suite_text(
            _suite([{"task": "pair.yaml", "members": ["first"]}, {"task": "pair.yaml", "members": ["second"]}]),
            tmp_path,
            files={"pair.yaml": GROUP_FILE},
        )


def test_a_members_mistake_names_the_group_files_line(tmp_path: Path) -> None:
    group = GROUP_FILE.replace("  - name: second\n", "  - name: second\n    metrics: [tiny-mtch]\n")
    with pytest.raises(ConfigError) as caught:
        run_suite_text(_suite([{"task": "pair.yaml"}]), tmp_path, files={"pair.yaml": group})
    assert f"pair/second: {tmp_path / 'pair.yaml'}:9: metrics[0]: unknown metric 'tiny-mtch'" in str(caught.value)


def test_a_member_may_swap_the_defaults_source_for_a_file(tmp_path: Path) -> None:
    group = GROUP_FILE.replace("  type: tiny\n", "  type: tiny\n  data: {hub: some/dataset, split: test}\n")
    group = group.replace("  - name: first\n", "  - name: first\n    data: {path: local.jsonl}\n")
    run = run_suite_text(_suite([{"task": "pair.yaml"}]), tmp_path, files={"pair.yaml": group, "local.jsonl": "{}\n"})
    assert run.results["tasks"]["pair/first"]["type"] == "tiny"


def test_a_library_name_wins_over_a_folder_of_that_name_beside_the_suite(tmp_path: Path, library: Path) -> None:
    (library / "one.yaml").write_text(TASK_FILE, encoding="utf-8")
    (tmp_path / "run" / "sentiment-file").mkdir(parents=True)
    run = run_suite_text(
        _suite([{"task": "sentiment-file"}]), tmp_path / "run", host=make_host(_LibraryPlugin(library))
    )
    assert run.cell("tiny", "sentiment-file")["status"] == "ok"


def test_a_library_file_nobody_reads_is_left_out_with_a_warning(
    tmp_path: Path, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (library / "junk.yaml").write_text("hello: world\n", encoding="utf-8")
    host = make_host(_LibraryPlugin(library))
    monkeypatch.setattr("nlpbench.cli._host", lambda ctx: host)
    result = CliRunner().invoke(cli, ["list", "tasks", "--json"])
    assert result.exit_code == 0
    assert "junk.yaml (plugin 'library') is not a task file; left out" in result.stderr
    assert "pair" in {row["name"] for row in json.loads(result.stdout)}
