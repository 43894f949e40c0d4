from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

from nlpbench.testing import assert_conformant
from nlpbench_baselines import (
    CopyModel,
    LeadModel,
    MajorityModel,
    ReplayModel,
    SlidingWindowModel,
    WordlistModel,
    plugin,
)


def test_registers_the_model_types() -> None:
    found: dict[str, Any] = {}

    def register(component: Any, name: str | None = None, aliases: Any = ()) -> None:
        assert name is not None
        found[name] = component

    plugin.register_models(register=register)
    assert found == {
        "majority": MajorityModel,
        "wordlist": WordlistModel,
        "lead": LeadModel,
        "sliding-window": SlidingWindowModel,
        "copy": CopyModel,
        "replay": ReplayModel,
    }
    assert (MajorityModel.__doc__ or "").startswith("Majority-class baseline")
    assert (WordlistModel.__doc__ or "").startswith("Word-list sentiment baseline")
    assert (LeadModel.__doc__ or "").startswith("Lead-k summarization baseline")
    assert (SlidingWindowModel.__doc__ or "").startswith("Sliding-window answer finder for extractive QA")
    assert (CopyModel.__doc__ or "").startswith("Copy-the-source baseline")
    assert (ReplayModel.__doc__ or "").startswith("Answers from saved predictions")


def test_entry_point() -> None:
    (point,) = [ep for ep in entry_points(group="nlpbench") if ep.name == "baselines"]
    assert point.value == "nlpbench_baselines.plugin"


def test_plugin_imports_in_a_fresh_process() -> None:
    # and imports nothing heavy
    code = (
        "import sys, nlpbench_baselines.plugin as p; print(p.MajorityModel.__name__, p.ReplayModel.__name__); "
        "print(sorted(m for m in ('numpy', 'torch', 'transformers') if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.splitlines() == ["MajorityModel ReplayModel", "[]"]


def test_conformance() -> None:
    # the core's author kit checks the contract (docstrings, example values, fast path)
    assert_conformant(plugin)
