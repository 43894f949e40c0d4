"""Shared fixtures: a writer of small files, and the real SST-2 dev set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

#: ../shared/data next to the repository (tests/ -> baselines/ -> plugins/ -> repo root)
SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """``write(name, content)``: a file in a fresh folder, returned as its path."""

    def _write(name: str, content: str) -> Path:
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        return path

    return _write


@pytest.fixture(scope="session")
def sst2_dev() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA / "sentiment_sst2" / "dev.tsv"
