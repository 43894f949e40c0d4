from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

from nlpbench import Task, TaskSpec
from nlpbench.testing import assert_conformant
from nlpbench_summarization import SummarizationTask, plugin


def test_registers_the_task_type() -> None:
    found: dict[str, Any] = {}

    def register(component: Any, name: str | None = None, aliases: Any = ()) -> None:
        assert name is not None
        found[name] = component

    plugin.register_tasks(register=register)
    assert found == {"summarization": SummarizationTask}


def test_follows_the_protocol() -> None:
    task = SummarizationTask(TaskSpec(name="s", type="summarization"))
    assert isinstance(task, Task)
    assert SummarizationTask.strategies == ("generate",)
    assert SummarizationTask.default_metrics == ("rouge-1", "rouge-2", "rouge-l", "rouge-lsum")
    assert (SummarizationTask.__doc__ or "").startswith("Summarization")


def test_entry_point() -> None:
    (point,) = [ep for ep in entry_points(group="nlpbench") if ep.name == "summarization"]
    assert point.value == "nlpbench_summarization.plugin"


def test_plugin_imports_in_a_fresh_process_and_nothing_heavy() -> None:
    code = (
        "import sys, nlpbench_summarization.plugin as p; print(p.SummarizationTask.__name__); "
        "print(sorted(m for m in ('numpy', 'torch', 'jinja2', 'datasets') if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.splitlines() == ["SummarizationTask", "[]"]


def test_conformance() -> None:
    assert_conformant(plugin)
