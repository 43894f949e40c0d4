"""nlpbench: evaluate language models on NLP tasks, and know whether the differences are real.

This module is the public API: plugins import from ``nlpbench`` and nothing deeper.
"""

from __future__ import annotations

from .components import (
    CAPABILITIES,
    Answer,
    BiasAudit,
    Capability,
    ClassifyRequest,
    EncodeRequest,
    Example,
    ExtractSpanRequest,
    FinetuneReport,
    FinetuneSettings,
    FinetuneStepped,
    GenerateRequest,
    Loglikelihood,
    LoglikelihoodRequest,
    Metric,
    MetricExample,
    Model,
    ModelSpec,
    Perturbation,
    Reporter,
    Request,
    Span,
    StatsArray,
    Task,
    TaskSpec,
    TrainingPair,
)
from .data import Row, column, detect_format, map_columns, read_rows
from .errors import (
    AuditError,
    ConfigError,
    DataError,
    MetricError,
    ModelError,
    NlpbenchError,
    PluginError,
    ReporterError,
    TaskError,
)
from .hookspecs import Register, hookimpl
from .suggest import did_you_mean

__version__ = "0.1.0"

__all__ = [
    "CAPABILITIES",
    "Answer",
    "AuditError",
    "BiasAudit",
    "Capability",
    "ClassifyRequest",
    "ConfigError",
    "DataError",
    "EncodeRequest",
    "Example",
    "ExtractSpanRequest",
    "FinetuneReport",
    "FinetuneSettings",
    "FinetuneStepped",
    "GenerateRequest",
    "Loglikelihood",
    "LoglikelihoodRequest",
    "Metric",
    "MetricError",
    "MetricExample",
    "Model",
    "ModelError",
    "ModelSpec",
    "NlpbenchError",
    "Perturbation",
    "PluginError",
    "Register",
    "Reporter",
    "ReporterError",
    "Request",
    "Row",
    "Span",
    "StatsArray",
    "Task",
    "TaskError",
    "TaskSpec",
    "TrainingPair",
    "__version__",
    "column",
    "detect_format",
    "did_you_mean",
    "hookimpl",
    "map_columns",
    "read_rows",
]
