from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

from nlpbench import Metric, Task, TaskSpec
from nlpbench.testing import assert_conformant
from nlpbench_dialogue import DialogueTask, Distinct1Metric, Distinct2Metric, ReplyWordsMetric, plugin


def test_registers_the_task_type_and_the_reply_metrics() -> None:
    found: dict[str, Any] = {}

    def register(component: Any, name: str | None = None, aliases: Any = ()) -> None:
        assert name is not None
        found[name] = component

    plugin.register_tasks(register=register)
    plugin.register_metrics(register=register)
    assert found == {
        "dialogue": DialogueTask,
        "distinct-1": Distinct1Metric,
        "distinct-2": Distinct2Metric,
        "reply-words": ReplyWordsMetric,
    }


def test_follows_the_protocols() -> None:
    assert isinstance(DialogueTask(TaskSpec(name="d", type="dialogue")), Task)
    assert DialogueTask.strategies == ("generate",)
    assert DialogueTask.default_metrics == ("chrf", "bleu", "rouge-l", "distinct-1", "distinct-2", "reply-words")
    for metric in (Distinct1Metric(), Distinct2Metric(), ReplyWordsMetric()):
        assert isinstance(metric, Metric)
    assert (Distinct1Metric.corpus_only, Distinct2Metric.corpus_only) == (True, True)


def test_entry_point() -> None:
    (point,) = [ep for ep in entry_points(group="nlpbench") if ep.name == "dialogue"]
    assert point.value == "nlpbench_dialogue.plugin"


def test_plugin_imports_in_a_fresh_process_and_nothing_heavy() -> None:
    code = (
        "import sys, nlpbench_dialogue.plugin as p; print(p.DialogueTask.__name__); "
        "print(sorted(m for m in ('numpy', 'torch', 'jinja2', 'datasets') if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.splitlines() == ["DialogueTask", "[]"]


def test_conformance() -> None:
    assert_conformant(plugin)


@pytest.mark.slow  # a child process: about a second
def test_the_plugin_check_command_passes() -> None:
    folder = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if k not in ("NLPBENCH_STRICT_PLUGINS", "PYTEST_ADDOPTS", "PYTHONPATH")}
    done = subprocess.run(
        [sys.executable, "-c", "from nlpbench.cli import main; main()", "plugin", "check", str(folder)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ok: plugin 'dialogue' conforms")
