"""Plugins to run the language-modeling task in a suite."""

from __future__ import annotations

from typing import Any

import pytest

from nlpbench.testing import make_host
from nlpbench_lm import plugin

#: The metrics a language-modeling suite scores with by default.
LM_METRICS = ("perplexity", "word-perplexity", "bits-per-byte")


@pytest.fixture
def lm_plugins() -> list[Any]:
    """The lm plugin and the metrics plugin, to run whole suites (skipped, with the reason,
    where nlpbench-metrics or its language-modeling metrics are not installed beside it)."""
    metrics = pytest.importorskip("nlpbench_metrics.plugin", reason="needs nlpbench-metrics")
    registered = make_host(metrics, tiny_plugin=False).metrics
    missing = [name for name in LM_METRICS if name not in registered]
    if missing:
        pytest.skip(f"nlpbench-metrics does not register {', '.join(missing)}")
    return [plugin, metrics]
