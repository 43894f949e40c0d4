"""Shared fixtures: a writer of small files, and the real SST-2 dev set."""

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


@pytest.fixture(scope="session")
def cnndm(nlpbench_shared_data: Path) -> Path:
    """250 real CNN/DailyMail test articles (FRANK), JSONL with ``article`` and ``highlights``."""
    return nlpbench_shared_data / "summarization_cnndm_frank" / "cnndm_test_frank.jsonl"


@pytest.fixture(scope="session")
def xquad(nlpbench_shared_data: Path) -> Path:
    """The first half of XQuAD English (SQuAD v1.1 dev questions), SQuAD JSON."""
    return nlpbench_shared_data / "qa_xquad_en" / "xquad_en_part_a.json"


@pytest.fixture(scope="session")
def wmt_de_en(nlpbench_shared_data: Path) -> Path:
    """The folder of WMT22 German→English test files: sources, references, system outputs."""
    return nlpbench_shared_data / "translation_wmt22_de_en"
