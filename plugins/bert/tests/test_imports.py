"""The modules of nlpbench-bert depend on each other one way only: no module imports
another that imports it back, at the top, lazily inside a function or for type checking."""

from __future__ import annotations

from nlpbench_transformers.import_graph import import_cycles


def test_no_module_imports_one_that_imports_it_back() -> None:
    assert import_cycles("nlpbench_bert") == []
