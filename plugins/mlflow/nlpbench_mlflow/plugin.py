"""nlpbench hook implementations: registers the reporter ``mlflow``.

MLflow itself is imported only when the reporter writes, so listing plugins stays instant.
"""

from __future__ import annotations

from nlpbench import Register, hookimpl

from .reporter import MlflowReporter


@hookimpl
def register_reporters(register: Register) -> None:
    register(MlflowReporter, name="mlflow")
