"""Validating a suite must not import torch: parse_params comes without it."""

from __future__ import annotations

import json
import subprocess
import sys


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
        assert getattr(nlpbench_transformers, name) is not None
