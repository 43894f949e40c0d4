"""Shared fixtures: a writer of small data files, and the real SST-2 dev set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """``write(name, content)``: a file in a fresh folder, returned as its path."""

    def _write(name: str, content: str) -> Path:
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        return path

    return _write


@pytest.fixture(scope="session")
def sst2_dev(nlpbench_shared_data: Path) -> Path:
    """The real SST-2 dev set (skipped, with the reason, where ../shared is absent)."""
    return nlpbench_shared_data / "sentiment_sst2" / "dev.tsv"
