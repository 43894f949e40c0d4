"""Validating a suite must not import torch: parse_params comes without it."""

from __future__ import annotations

import json
import subprocess
import sys
from types import ModuleType


def test_parse_params_does_not_import_torch() -> None:
    code = (
        "import sys, json\n"
        "from nlpbench_transformers import parse_params\n"
        "parse_params({'device': 'cpu'})\n"
        "print(json.dumps([m for m in ('torch', 'transformers') if m in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_every_public_name_resolves() -> None:
    import nlpbench_transformers

    assert sorted(nlpbench_transformers.__all__) == sorted(nlpbench_transformers._HOMES)
    for name in nlpbench_transformers.__all__:
        value = getattr(nlpbench_transformers, name)
        # a submodule of the same name would shadow the function once imported
        assert value is not None and not isinstance(value, ModuleType), name
