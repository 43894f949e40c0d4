from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

from nlpbench import Task, TaskSpec
from nlpbench.testing import assert_conformant
from nlpbench_translation import TranslationTask, plugin


def test_registers_the_task_type() -> None:
    found: dict[str, Any] = {}

    def register(component: Any, name: str | None = None, aliases: Any = ()) -> None:
        assert name is not None
        found[name] = component

    plugin.register_tasks(register=register)
    assert found == {"translation": TranslationTask}


def test_follows_the_protocol() -> None:
    task = TranslationTask(TaskSpec(name="t", type="translation"))
    assert isinstance(task, Task)
    assert TranslationTask.strategies == ("generate",)
    assert TranslationTask.default_metrics == ("bleu", "chrf")
    assert (TranslationTask.__doc__ or "").startswith("Machine translation")


def test_entry_point() -> None:
    (point,) = [ep for ep in entry_points(group="nlpbench") if ep.name == "translation"]
    assert point.value == "nlpbench_translation.plugin"


def test_plugin_imports_in_a_fresh_process_and_nothing_heavy() -> None:
    code = (
        "import sys, nlpbench_translation.plugin as p; print(p.TranslationTask.__name__); "
        "print(sorted(m for m in ('numpy', 'torch', 'jinja2', 'datasets') if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.splitlines() == ["TranslationTask", "[]"]


def test_conformance() -> None:
    assert_conformant(plugin)
