from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

from nlpbench.testing import assert_conformant, make_host
from nlpbench_qa import QATask, plugin


def test_registers_the_task_type_and_its_alias() -> None:
    found: dict[str, Any] = {}

    def register(component: Any, name: str | None = None, aliases: Any = ()) -> None:
        assert name is not None
        found[name] = (component, tuple(aliases))

    plugin.register_tasks(register=register)
    assert found == {"qa": (QATask, ("squad",))}
    host = make_host(plugin)
    assert host.tasks.get("squad").component is QATask
    assert QATask.strategies == ("extract_span", "generate")
    assert QATask.default_metrics == ("squad-em", "squad-f1")


def test_entry_point() -> None:
    (point,) = [ep for ep in entry_points(group="nlpbench") if ep.name == "qa"]
    assert point.value == "nlpbench_qa.plugin"


def test_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, nlpbench_qa.plugin as p; print(p.QATask.__name__); "
        "print(sorted(m for m in ('numpy', 'jinja2', 'datasets', 'torch') if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.splitlines() == ["QATask", "[]"]


def test_conformance() -> None:
    assert_conformant(plugin)
