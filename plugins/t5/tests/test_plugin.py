from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

from nlpbench.testing import assert_conformant
from nlpbench_t5 import T5Model, plugin


def test_registers_the_t5_model_type() -> None:
    found: dict[str, Any] = {}

    def register(component: Any, name: str | None = None, aliases: Any = ()) -> None:
        assert name is not None
        found[name] = component

    plugin.register_models(register=register)
    assert found == {"t5": T5Model}
    assert T5Model.capabilities == frozenset({"generate", "loglikelihood"})
    assert (T5Model.__doc__ or "").startswith("T5 or any other encoder-decoder (AutoModelForSeq2SeqLM)")


def test_entry_point() -> None:
    (point,) = [ep for ep in entry_points(group="nlpbench") if ep.name == "t5"]
    assert point.value == "nlpbench_t5.plugin"


def test_the_plugin_imports_nothing_heavy() -> None:
    code = "import sys, nlpbench_t5.plugin; print(sorted(m for m in ('torch', 'transformers', 'tokenizers') if m in sys.modules))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "[]"


def test_conformance() -> None:
    assert_conformant(plugin)
