"""nlpbench-mlflow: the ``mlflow`` reporter, which logs a run to an MLflow tracking store."""

from __future__ import annotations

from .keys import KeyMap, sanitize_key
from .reporter import MlflowReporter, log_plan

__version__ = "0.1.0"

__all__ = ["KeyMap", "MlflowReporter", "__version__", "log_plan", "sanitize_key"]
