"""Test helpers for the transformer plugins. Import the fixture into a conftest::

from nlpbench_transformers.testing import one_torch_thread  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    """Tests run tiny models: a second thread only adds overhead, and on a machine whose
    cores are busy, waiting for it costs many times the work. Restored after each test."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
