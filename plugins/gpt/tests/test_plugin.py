from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

from nlpbench.testing import assert_conformant
from nlpbench_gpt import GPTModel, plugin


def test_registers_the_model_type() -> None:
    found: dict[str, Any] = {}

    def register(component: Any, name: str | None = None, aliases: Any = ()) -> None:
        assert name is not None
        found[name] = component

    plugin.register_models(register=register)
    assert found == {"gpt": GPTModel}
    assert (GPTModel.__doc__ or "").startswith("Decoder-only transformer")
    assert GPTModel.capabilities == frozenset({"generate", "loglikelihood", "loglikelihood_rolling"})


def test_entry_point() -> None:
    (point,) = [ep for ep in entry_points(group="nlpbench") if ep.name == "gpt"]
    assert point.value == "nlpbench_gpt.plugin"


def test_listing_imports_neither_torch_nor_transformers() -> None:
    # the option schema (nlpbench_transformers' params, pydantic only) comes with the class
    code = (
        "import sys, nlpbench_gpt.plugin as p; print(p.GPTModel.options.__name__, "
        "any(m in sys.modules for m in ('torch', 'transformers')))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.split() == ["GPTParams", "False"]


def test_validating_params_imports_neither_torch_nor_transformers() -> None:
    code = (
        "import sys\n"
        "from nlpbench import ModelSpec\n"
        "from nlpbench_gpt import GPTModel\n"
        "GPTModel.check_spec(ModelSpec(name='g', type='gpt', hub='gpt2', params={'rolling_stride': 4}))\n"
        "print(any(m in sys.modules for m in ('torch', 'transformers')))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.split() == ["False"]


def test_conformance() -> None:
    assert_conformant(plugin)
