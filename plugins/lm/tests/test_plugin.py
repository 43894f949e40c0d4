from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

from nlpbench.testing import assert_conformant, make_host
from nlpbench_lm import LanguageModelingTask, plugin


def test_registers_the_task_type_with_its_aliases() -> None:
    found: dict[str, Any] = {}

    def register(component: Any, name: str | None = None, aliases: Any = ()) -> None:
        assert name is not None
        found[name] = (component, tuple(aliases))

    plugin.register_tasks(register=register)
    assert found == {"language-modeling": (LanguageModelingTask, ("lm", "perplexity"))}
    host = make_host(plugin)
    assert host.tasks.get("lm").component is host.tasks.get("perplexity").component is LanguageModelingTask
    assert LanguageModelingTask.strategies == ("loglikelihood_rolling", "loglikelihood")
    assert LanguageModelingTask.default_metrics == ("perplexity", "word-perplexity", "bits-per-byte")


def test_entry_point() -> None:
    (point,) = [ep for ep in entry_points(group="nlpbench") if ep.name == "lm"]
    assert point.value == "nlpbench_lm.plugin"


def test_listing_and_validating_import_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from nlpbench import TaskSpec\n"
        "from nlpbench_lm import plugin\n"
        "plugin.LanguageModelingTask.check_spec(TaskSpec(name='t', type='lm', params={'stride': 8}))\n"
        "print(sorted(m for m in ('numpy', 'torch', 'transformers', 'datasets') if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "[]"


def test_conformance() -> None:
    assert_conformant(plugin)
