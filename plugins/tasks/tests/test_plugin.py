"""The plugin registers its task types, metrics and library, conforms, and stays light
to list."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from nlpbench.testing import assert_conformant
from nlpbench_tasks import plugin


def test_it_registers_two_task_types_six_metrics_and_its_library() -> None:
    found: dict[str, list[Any]] = {"tasks": [], "metrics": [], "files": []}
    plugin.register_tasks(register=lambda component, name=None, aliases=(): found["tasks"].append(name))
    plugin.register_metrics(register=lambda component, name=None, aliases=(): found["metrics"].append(name))
    plugin.register_task_files(register=lambda path: found["files"].append(Path(path)))
    assert found["tasks"] == ["template", "lm-eval"]
    assert sorted(found["metrics"]) == ["acc", "acc_mutual_info", "acc_norm", "em", "mc2", "target-perplexity"]
    [library] = found["files"]
    assert len(list(library.glob("*.yaml"))) == 16  # 15 tasks and the MMLU group


def test_it_conforms() -> None:
    assert_conformant(plugin)


def test_listing_imports_neither_jinja_nor_numpy() -> None:
    # pydantic comes with nlpbench itself: option schemas are what a listing shows
    code = (
        "import sys, nlpbench_tasks.plugin\n"
        "print(sorted(m for m in ('jinja2', 'numpy', 'datasets', 'torch') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
