from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

from nlpbench.testing import assert_conformant
from nlpbench_bert import BERTModel, plugin


def test_registers_the_bert_model_type() -> None:
    found: dict[str, Any] = {}

    def register(component: Any, name: str | None = None, aliases: Any = ()) -> None:
        assert name is not None
        found[name] = component

    plugin.register_models(register=register)
    assert found == {"bert": BERTModel}
    assert (BERTModel.__doc__ or "").startswith("BERT-style encoder (BERT, MiniLM, ...) with a classification")


def test_entry_point() -> None:
    (point,) = [ep for ep in entry_points(group="nlpbench") if ep.name == "bert"]
    assert point.value == "nlpbench_bert.plugin"


def test_the_plugin_imports_nothing_heavy() -> None:
    code = "import sys, nlpbench_bert.plugin; print(sorted(m for m in ('torch', 'transformers', 'numpy') if m in sys.modules))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "[]"


def test_conformance() -> None:
    assert_conformant(plugin)
