from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

from nlpbench.testing import assert_conformant
from nlpbench_sentiment import SentimentTask, plugin


def test_registers_the_task_type() -> None:
    found: dict[str, Any] = {}

    def register(component: Any, name: str | None = None, aliases: Any = ()) -> None:
        assert name is not None
        found[name] = component

    plugin.register_tasks(register=register)
    assert found == {"sentiment": SentimentTask}


def test_entry_point() -> None:
    (point,) = [ep for ep in entry_points(group="nlpbench") if ep.name == "sentiment"]
    assert point.value == "nlpbench_sentiment.plugin"


def test_plugin_imports_in_a_fresh_process() -> None:
    code = "import sys, nlpbench_sentiment.plugin as p; print(p.SentimentTask.__name__)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "SentimentTask"


def test_conformance() -> None:
    # the core's author kit checks the contract (docstrings, example values, fast path)
    assert_conformant(plugin)
