"""The plugin author kit: test a plugin in-process, on a tiny model and tiny data.

Installed as a pytest plugin (``-p nlpbench.testing.pytest_plugin`` is automatic once
nlpbench is installed), it gives the fixtures ``nlpbench_host`` and ``nlpbench_run``;
the functions below work without pytest too.
"""

from __future__ import annotations

from nlpbench.testing.conformance import assert_conformant, check_conformance
from nlpbench.testing.harness import SuiteRun, make_host, run_suite_text
from nlpbench.testing.tiny import TINY_EXAMPLES, TinyMatchMetric, TinyModel, TinyTask

__all__ = [
    "TINY_EXAMPLES",
    "SuiteRun",
    "TinyMatchMetric",
    "TinyModel",
    "TinyTask",
    "assert_conformant",
    "check_conformance",
    "make_host",
    "run_suite_text",
]
