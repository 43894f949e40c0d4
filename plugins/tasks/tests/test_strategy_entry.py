"""A task-file entry's ``strategy:`` (the core's key, beside ``task:``), through the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from nlpbench.cli import build_cli

TASK_FILE = (
    "task: mc\ndataset_path: json\ndataset_kwargs: {data_files: {test: data.jsonl}}\n"
    "output_type: multiple_choice\ntest_split: test\ndoc_to_text: '{{q}}'\n"
    "doc_to_target: '{{a}}'\ndoc_to_choice: ['yes', 'no']\n"
)


def invoke(tmp_path: Path, host: Any, strategy: str, *args: str) -> Any:
    (tmp_path / "data.jsonl").write_text('{"q": "Good?", "a": 0}\n{"q": "Bad?", "a": 1}\n')
    (tmp_path / "mc.yaml").write_text(TASK_FILE)
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        f"name: s\nmodels:\n  - {{name: tiny, type: tiny}}\ntasks:\n  - task: mc.yaml\n    strategy: {strategy}\n"
    )
    return CliRunner().invoke(build_cli(host), [*args, str(suite)], obj={"host": host})


def test_an_unknown_strategy_names_the_suite_line(tmp_path: Path, host: Any) -> None:
    result = invoke(tmp_path, host, "loglikelihod", "validate")
    assert result.exit_code == 2, result.output
    assert "suite.yaml:6: tasks[0].strategy: mc: 'loglikelihod' is not a strategy of task type" in result.output
    assert "(did you mean 'loglikelihood'?)" in result.output


def test_the_strategy_is_the_one_every_model_is_asked(tmp_path: Path, host: Any) -> None:
    out = tmp_path / "out"
    result = invoke(tmp_path, host, "classify", "run", "--out", str(out))
    assert result.exit_code == 0, result.output
    (cell,) = json.loads((out / "results.json").read_text())["cells"]
    assert cell["strategy"] == "classify", cell
