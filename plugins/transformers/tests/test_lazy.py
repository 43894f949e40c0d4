"""Validating a suite must not import torch: the params schema and the config checks
come without it."""

from __future__ import annotations

import json
import subprocess
import sys
from types import ModuleType


def test_checking_params_and_config_does_not_import_torch() -> None:
    code = (
        "import sys, json\n"
        "from nlpbench import option_problems\n"
        "from nlpbench_transformers import ArchitectureCheck, HFParams, config_problems\n"
        "from nlpbench_transformers.architecture import CommonSizes\n"
        "assert option_problems(HFParams, {'device': 'cpu'}) == []\n"
        "assert config_problems({'hidden_size': -64}, ArchitectureCheck('any', CommonSizes))\n"
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
