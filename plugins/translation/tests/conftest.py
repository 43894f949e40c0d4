"""Shared fixtures: a writer of small data files, and the real WMT22 German→English test set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """``write(name, content)``: a file in a fresh folder (text as UTF-8, or raw bytes), returned as its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return _write


@pytest.fixture(scope="session")
def wmt(nlpbench_shared_data: Path) -> Path:
    """The folder of WMT22 German→English files: the source, references A and B, system outputs
    (skipped, with the reason, where ../shared is absent)."""
    return nlpbench_shared_data / "translation_wmt22_de_en"
