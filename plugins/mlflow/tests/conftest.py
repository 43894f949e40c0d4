"""A real MLflow tracking store (SQLite, MLflow 3's default backend) shared by this folder's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _offline_mlflow(monkeypatch: pytest.MonkeyPatch) -> None:
    """No telemetry, and none of the HTTP settings or tracking URI of the person running the tests."""
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.delenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", raising=False)
    monkeypatch.delenv("MLFLOW_HTTP_REQUEST_TIMEOUT", raising=False)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``(tracking URI, artifact folder)``: one SQLite store per test module, as creating
    its tables takes MLflow seconds."""
    folder = tmp_path_factory.mktemp("mlflow")
    yield f"sqlite:///{folder / 'mlflow.db'}", folder / "artifacts"
