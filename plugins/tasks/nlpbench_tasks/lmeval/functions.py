"""``!function module.name``: the task author's Python, imported only when the suite's
entry says ``trust_task_code: true``.

As lm-evaluation-harness does, ``module`` is first a file beside the YAML that wrote
the tag (``utils.process_docs`` is ``utils.py`` there; dots are folders), else an
importable module.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from collections.abc import Callable
from typing import Any

from nlpbench import ConfigError

from .yamlfile import FunctionRef

TRUST_HINT = "it runs the task author's Python: set trust_task_code: true on the suite's task entry to allow it"


def resolve(ref: FunctionRef, key: str, trusted: bool) -> Callable[..., Any]:
    """The function ``ref`` names; ConfigError (naming the file, line and key) when the
    suite does not trust the task's code or the function cannot be found."""
    if not trusted:
        raise ConfigError(f"{ref.where}: {key}: !function {ref.qualified}: {TRUST_HINT}")
    module_name, _, name = ref.qualified.rpartition(".")
    if not module_name:
        raise ConfigError(f"{ref.where}: {key}: !function {ref.qualified}: name it as module.function")
    path = ref.module_file
    try:
        if path is not None:
            unique = "nlpbench_task_code_" + hashlib.sha256(str(path).encode()).hexdigest()[:16]
            module = sys.modules.get(unique)
            if module is None or getattr(module, "__nlpbench_mtime__", None) != path.stat().st_mtime_ns:
                spec = importlib.util.spec_from_file_location(unique, path)
                assert spec is not None and spec.loader is not None
                module = importlib.util.module_from_spec(spec)
                sys.modules[unique] = module
                spec.loader.exec_module(module)
                module.__nlpbench_mtime__ = path.stat().st_mtime_ns  # type: ignore[attr-defined]
        else:
            module = importlib.import_module(module_name)
    except Exception as error:
        raise ConfigError(f"{ref.where}: {key}: !function {ref.qualified}: importing it failed: {error}") from None
    function = getattr(module, name, None)
    if not callable(function):
        raise ConfigError(f"{ref.where}: {key}: !function {ref.qualified}: {module_name} has no function {name}")
    return function
