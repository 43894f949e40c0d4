"""Shared fixtures: writers of small data files, a task builder, the real XQuAD questions,
HF datasets kept offline, and the plugins a whole suite needs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import TaskSpec
from nlpbench_qa import QATask


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """``write(name, content)``: a file in a fresh folder, returned as its path."""

    def _write(name: str, content: str) -> Path:
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def write_json(write: Callable[[str, str], Path]) -> Callable[[str, Any], Path]:
    """``write_json(name, document)``: a JSON file."""
    return lambda name, document: write(name, json.dumps(document))


@pytest.fixture
def write_jsonl(write: Callable[[str, str], Path]) -> Callable[[str, list[dict[str, Any]]], Path]:
    """``write_jsonl(name, rows)``: a JSONL file, one row a line."""
    return lambda name, rows: write(name, "".join(json.dumps(row) + "\n" for row in rows))


@pytest.fixture
def make_task(tmp_path: Path) -> Callable[..., QATask]:
    """``make_task(data={...}, params={...}, seed=0)``: a qa task whose paths resolve in tmp_path."""

    def make(data: dict[str, Any] | None = None, params: dict[str, Any] | None = None, seed: int = 0) -> QATask:
        spec = TaskSpec(name="qa", type="qa", data=data or {}, params=params or {}, base_dir=tmp_path, seed=seed)
        return QATask(spec)

    return make


@pytest.fixture(scope="session")
def xquad(nlpbench_shared_data: Path) -> Path:
    """The first half of XQuAD English (632 SQuAD v1.1 dev questions), SQuAD JSON."""
    return nlpbench_shared_data / "qa_xquad_en" / "xquad_en_part_a.json"


@pytest.fixture
def offline_hf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """HF datasets with its caches in tmp_path and no network (also when it is already imported)."""
    datasets = pytest.importorskip("datasets", reason="loading HF datasets needs the `datasets` package (nlpbench[hf])")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    # datasets read those when it was imported: point its settings there too
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-cache")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)


@pytest.fixture
def suite_plugins() -> list[Any]:
    """The qa task, the SQuAD metrics and the baselines, for suites on real task code
    (skipped, with the reason, where those plugins are not installed beside this one)."""
    from nlpbench_qa import plugin

    metrics = pytest.importorskip("nlpbench_metrics.plugin", reason="needs nlpbench-metrics")
    baselines = pytest.importorskip("nlpbench_baselines.plugin", reason="needs nlpbench-baselines")
    return [plugin, metrics, baselines]
