"""The Python API (``nlpbench.evaluate``, ``nlpbench.open_run``, ``Run``): the command
line's runs, from a path, a YAML string or a dict, read back as objects and tables; and
docs/python-api.md, whose example runs here as written."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

import nlpbench
from nlpbench import ConfigError, ConfigErrors, DataError, Run
from nlpbench.api import PANDAS_COLUMNS, TEMP_PREFIX
from nlpbench.cli import build_cli
from nlpbench.plugins.host import PluginHost

DOC = Path(__file__).resolve().parents[1] / "docs" / "python-api.md"

SUITE = """\
name: api
seed: 99
models:
  - {name: wordlist, type: wordlist}
  - {name: positive, type: majority, params: {label: positive}}
  - {name: window, type: sliding-window}       # extract_span only: not applicable to sentiment
tasks:
  - {name: reviews, type: sentiment, limit: 30, metrics: [accuracy, macro-f1]}
reporters: [json]
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return nlpbench.evaluate(SUITE, out=tmp_path_factory.mktemp("api") / "run", progress=False)


def test_a_path_a_yaml_string_and_a_dict_give_the_same_run(run: Run, tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "suite.yaml"
    path.write_text(SUITE, encoding="utf-8")
    from_path = nlpbench.evaluate(path, out=tmp_path / "a", progress=False)
    from_dict = nlpbench.evaluate(yaml.safe_load(SUITE), out=tmp_path / "b", progress=False)
    assert [c["metrics"] for c in from_path.cells] == [c["metrics"] for c in run.cells]
    assert [c["metrics"] for c in from_dict.cells] == [c["metrics"] for c in run.cells]
    assert from_path.results["suite"]["path"] == str(path)
    assert (run.results["suite"]["path"], from_dict.results["suite"]["path"]) == ("<string>", "<dict>")


def test_the_run_has_its_cells_comparisons_and_status(run: Run) -> None:
    assert run.status == "complete" and run.name == "api"
    assert [(c["model"], c["status"]) for c in run.cells] == [
        ("wordlist", "ok"),
        ("positive", "ok"),
        ("window", "not_applicable"),
    ]
    assert run.models == ["wordlist", "positive", "window"] and run.tasks == ["reviews"]
    assert {(e["a"], e["b"], e["metric"]) for e in run.comparisons} == {
        ("wordlist", "positive", "accuracy"),
        ("wordlist", "positive", "macro-f1"),
    }
    assert run.audits == []
    assert "3 models × 1 task (2 ok, 1 not_applicable)" in repr(run)
    assert "wordlist" in str(run) and "<table>" in run._repr_html_()


def test_without_out_it_writes_a_fresh_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    first = nlpbench.evaluate(SUITE, limit=5, progress=False)
    second = nlpbench.evaluate(SUITE, limit=5, progress=False)
    assert first.path != second.path
    for made in (first, second):
        assert made.path.parent == tmp_path / "tmp" and made.path.name.startswith(f"{TEMP_PREFIX}api-")
        assert (made.path / "results.json").is_file()
    assert not (tmp_path / "runs").exists()  # never runs/<suite name>
    assert [c["n"] for c in first.cells if c["status"] == "ok"] == [5, 5]


def test_overrides_are_the_run_commands_options(tmp_path: Path) -> None:
    seeded = nlpbench.evaluate(SUITE, out=tmp_path / "s", seed=5, limit=10, progress=False)
    assert seeded.results["suite"]["seed"] == 5
    assert [c["n"] for c in seeded.cells if c["status"] == "ok"] == [10, 10]
    store = tmp_path / "shared.sqlite"
    nlpbench.evaluate(SUITE, out=tmp_path / "x", store=store, limit=10, progress=False)
    again = nlpbench.evaluate(SUITE, out=tmp_path / "y", store=store, limit=10, progress=False)
    assert store.is_file() and [c.get("cached") for c in again.cells if c["status"] == "ok"] == [10, 10]
    fresh = nlpbench.evaluate(SUITE, out=tmp_path / "z", store=store, limit=10, no_cache=True, progress=False)
    assert [c.get("cached") for c in fresh.cells if c["status"] == "ok"] == [0, 0]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"limt": 3}, r"^evaluate\(\): unknown option 'limt' \(did you mean 'limit'\?\)$"),
        ({"executer": "local"}, r"^evaluate\(\): unknown option 'executer'"),
        ({"limit": 0}, r"^limit: must be a positive integer, not 0$"),
        ({"device": "gpu"}, r"^device: must be one of auto, cpu, cuda, not 'gpu'$"),
        ({"seed": "1"}, r"^seed: must be an integer, not '1'$"),
        ({"no_cache": "yes"}, r"^no_cache: must be True or False, not 'yes'$"),
    ],
)
def test_a_bad_override_is_one_line(overrides: dict[str, Any], message: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=message):
        nlpbench.evaluate(SUITE, out=tmp_path / "never", **overrides)
    assert not (tmp_path / "never").exists()


def test_mistakes_in_a_string_or_a_dict_name_where_they_are(tmp_path: Path) -> None:
    text = SUITE.replace("type: sentiment", "type: sentimnt")
    with pytest.raises(ConfigError, match=r"^<string>:8: tasks\[0\]\.type: unknown task type 'sentimnt'"):
        nlpbench.evaluate(text, out=tmp_path / "never")
    suite = {"name": "api", "models": [{"name": "m", "type": "wordlist"}], "tasks": [{"name": "t", "type": "sentimnt"}]}
    with pytest.raises(ConfigError, match=r"^<dict>: tasks\[0\]\.type: unknown task type 'sentimnt'"):
        nlpbench.evaluate(suite, out=tmp_path / "never")
    with pytest.raises(ConfigErrors) as several:
        nlpbench.evaluate({"name": "api", "models": [], "tasks": [{"name": "t", "type": "sentimnt"}]})
    assert len(several.value.messages) == 2
    with pytest.raises(ConfigError, match=r"^<string>:3: invalid YAML"):
        nlpbench.evaluate("name: [\nmodels: x\n")
    with pytest.raises(ConfigError, match=r"no-such-suite\.yaml: no such file"):
        nlpbench.evaluate("no-such-suite.yaml")
    with pytest.raises(ConfigError, match=r"the suite must be a path, a YAML string or a mapping, not int"):
        nlpbench.evaluate(3)  # type: ignore[arg-type]


def test_relative_paths_in_a_string_resolve_against_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [{"text": "great", "label": "positive"}, {"text": "awful", "label": "negative"}]
    (tmp_path / "mine.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    suite = {
        "name": "mine",
        "models": [{"name": "wordlist", "type": "wordlist"}],
        "tasks": [
            {"name": "t", "type": "sentiment", "data": {"path": Path("mine.jsonl"), "text": "text", "label": "label"}}
        ],
    }
    made = nlpbench.evaluate(suite, out="out", progress=False)
    assert made.cells[0]["n"] == 2 and made.path == Path("out")


def test_open_run_reads_a_folder_back(run: Run, tmp_path: Path) -> None:
    again = nlpbench.open_run(run.path)
    assert again.cells == run.cells and again.comparisons == run.comparisons and again.status == "complete"
    with pytest.raises(DataError, match=r"not a run folder \(no results.json\)$"):
        nlpbench.open_run(tmp_path)


def test_the_leaderboard_ranks_with_tie_groups(run: Run) -> None:
    board = run.leaderboard("reviews")
    assert board == run.leaderboard()  # one task: it may go unnamed
    assert (board.task, board.metric, board.higher_is_better, board.metrics) == (
        "reviews",
        "accuracy",
        True,
        ["accuracy", "macro-f1"],
    )
    cells = {c["model"]: c for c in run.cells}
    assert [(r["rank"], r["model"], r["status"]) for r in board.rows] == [
        (1, "wordlist", "ok"),
        (2, "positive", "ok"),
        (None, "window", "not_applicable"),
    ]
    for row in board.rows[:2]:
        score = cells[row["model"]]["metrics"]["accuracy"]
        assert (row["value"], row["ci_low"], row["ci_high"], row["tie_group"]) == (
            score["value"],
            score["ci_low"],
            score["ci_high"],
            score["tie_group"],
        )
    assert board.rows[2]["note"] == cells["window"]["reason"]
    assert "wordlist" in repr(board) and board._repr_html_().count("<tr>") == 4
    with pytest.raises(ConfigError, match=r"^leaderboard\(\): no task 'review' \(did you mean 'reviews'\?\)$"):
        run.leaderboard("review")


def test_to_pandas_is_one_row_per_model_task_and_metric_of_the_ok_cells(run: Run) -> None:
    pytest.importorskip("pandas")
    frame = run.to_pandas()
    assert tuple(frame.columns) == PANDAS_COLUMNS
    assert len(frame) == 2 * 2  # two ok cells × two metrics; the not-applicable cell has none
    row = frame[(frame.model == "wordlist") & (frame.metric == "macro-f1")].iloc[0]
    score = run.cells[0]["metrics"]["macro-f1"]
    assert (row.task, row.value, row.ci_low, row.ci_high, row.n) == (
        "reviews",
        score["value"],
        score["ci_low"],
        score["ci_high"],
        30,
    )


def test_to_pandas_without_pandas_says_how_to_get_it(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(ConfigError, match=r"^Run.to_pandas\(\) needs pandas: pip install 'nlpbench\[pandas\]'$"):
        run.to_pandas()


def test_every_option_of_the_run_command_is_an_override() -> None:
    """``evaluate`` takes what ``nlpbench run`` takes (but ``--out``, its own argument):
    an option added to the command is added here too, or this fails."""
    from nlpbench.api import OVERRIDES
    from nlpbench.cli import cli

    command = cli.commands["run"]
    options = {p.name for p in command.params if isinstance(p, click.Option) and p.name not in ("out", "help")}
    assert options <= set(OVERRIDES), sorted(options - set(OVERRIDES))


def test_the_api_is_public() -> None:
    for name in ("evaluate", "open_run", "Run", "Leaderboard"):
        assert name in nlpbench.__all__ and hasattr(nlpbench, name)


# -- docs/python-api.md ------------------------------------------------------------------

FENCE = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
NUMBER = re.compile(r"-?\d+\.\d+")


def test_the_docs_example_runs_and_prints_what_the_page_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ```python block of the page, in order, in one namespace, in a fresh folder;
    each ``nlpbench`` line of a ```bash block through the CLI. Where a ```text block
    follows, every number and name it shows is in what the code printed."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    blocks = [(m["lang"], m["body"]) for m in FENCE.finditer(DOC.read_text(encoding="utf-8"))]
    assert sum(lang == "python" for lang, _ in blocks) >= 5
    namespace: dict[str, Any] = {"__name__": "python_api_doc"}
    printed: str | None = None
    checked = 0
    for index, (lang, body) in enumerate(blocks):
        if lang == "python":
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(body, f"{DOC.name} (block {index})", "exec"), namespace)
            printed = out.getvalue()
        elif lang == "bash":
            printed = "".join(_cli(line) for line in body.splitlines() if line.startswith("nlpbench "))
        elif lang == "text" and printed is not None:
            assert sorted(set(NUMBER.findall(body)) - set(NUMBER.findall(printed))) == [], f"block {index}"
            names = set(re.findall(r"[a-z]+(?:-[a-z]+)+", body))  # model and task names
            assert names <= set(re.findall(r"[a-z]+(?:-[a-z]+)+", printed)), f"block {index}"
            printed, checked = None, checked + 1
    assert checked >= 6
    assert namespace["week1"].path == Path("runs/week1")


def _cli(line: str) -> str:
    host = PluginHost()
    result = CliRunner().invoke(build_cli(host), shlex.split(line)[1:], obj={"host": host})
    assert result.exit_code == 0, result.output
    return result.stdout
