"""nlpbench: evaluate language models on NLP tasks, and know whether the differences are real.

This module is the public API: plugins import from ``nlpbench`` and nothing deeper;
users run suites and read runs with ``evaluate`` and ``open_run`` (docs/python-api.md).
"""

from __future__ import annotations

from typing import Any

from nlpbench.api import Leaderboard, Run, evaluate, open_run
from nlpbench.contracts.attributions import Attribution, AttributionOptions, AttributionRequest, DeletionRequest
from nlpbench.contracts.components import (
    CAPABILITIES,
    Answer,
    BiasAudit,
    Capability,
    ClassifyRequest,
    DataAuditInput,
    DataAuditResult,
    EncodeRequest,
    Example,
    ExtractSpanRequest,
    FileTask,
    FinetuneReport,
    FinetuneSettings,
    FinetuneStepped,
    GenerateRequest,
    Loglikelihood,
    LoglikelihoodRequest,
    LoglikelihoodRollingRequest,
    Message,
    Metric,
    MetricExample,
    Model,
    ModelSpec,
    Perturbation,
    PretrainReport,
    PretrainSettings,
    PretrainStepped,
    Reporter,
    Request,
    Span,
    StatsArray,
    Task,
    TaskFileContents,
    TaskSpec,
    TrainingPair,
)
from nlpbench.contracts.data import Row, column, detect_format, map_columns, read_rows, read_text
from nlpbench.contracts.errors import (
    AuditError,
    ConfigError,
    DataError,
    MetricError,
    MetricNotComputed,
    ModelError,
    NlpbenchError,
    PluginError,
    ReporterError,
    TaskError,
    one_line,
)
from nlpbench.contracts.hookspecs import Register, RegisterTaskFile, hookimpl
from nlpbench.contracts.options import ConfigErrors, Options, option_problems, parse_options
from nlpbench.contracts.prompts import (
    MAX_NEW_TOKENS,
    MAX_SHOTS,
    FewShotSampler,
    MaxNewTokens,
    Prompting,
    PromptParam,
    PromptTemplate,
    PromptTemplates,
    Shots,
    check_keys,
    no_shots_without_train,
    prompt_templates,
    prompting,
    shot_count,
)
from nlpbench.contracts.seeds import derived_seed
from nlpbench.contracts.sources import SOURCE_KEYS, DataSource, TaskData, optional_string, task_data
from nlpbench.plugins.suggest import did_you_mean
from nlpbench.results.run_files import RunFile

__version__ = "0.1.0"


def percentile_interval(replicates: Any, confidence: float) -> tuple[float | None, float | None]:
    """The percentile interval of bootstrap replicates (:func:`nlpbench.statistics.bootstrap.percentile_interval`),
    imported on first use so that ``import nlpbench`` stays free of NumPy."""
    from nlpbench.statistics.bootstrap import percentile_interval as interval

    return interval(replicates, confidence)


__all__ = [
    "CAPABILITIES",
    "MAX_NEW_TOKENS",
    "MAX_SHOTS",
    "SOURCE_KEYS",
    "Answer",
    "Attribution",
    "AttributionOptions",
    "AttributionRequest",
    "AuditError",
    "BiasAudit",
    "Capability",
    "ClassifyRequest",
    "ConfigError",
    "ConfigErrors",
    "DataAuditInput",
    "DataAuditResult",
    "DataError",
    "DataSource",
    "DeletionRequest",
    "EncodeRequest",
    "Example",
    "ExtractSpanRequest",
    "FewShotSampler",
    "FileTask",
    "FinetuneReport",
    "FinetuneSettings",
    "FinetuneStepped",
    "GenerateRequest",
    "Leaderboard",
    "Loglikelihood",
    "LoglikelihoodRequest",
    "LoglikelihoodRollingRequest",
    "MaxNewTokens",
    "Message",
    "Metric",
    "MetricError",
    "MetricExample",
    "MetricNotComputed",
    "Model",
    "ModelError",
    "ModelSpec",
    "NlpbenchError",
    "Options",
    "Perturbation",
    "PluginError",
    "PretrainReport",
    "PretrainSettings",
    "PretrainStepped",
    "PromptParam",
    "PromptTemplate",
    "PromptTemplates",
    "Prompting",
    "Register",
    "RegisterTaskFile",
    "Reporter",
    "ReporterError",
    "Request",
    "Row",
    "Run",
    "RunFile",
    "Shots",
    "Span",
    "StatsArray",
    "Task",
    "TaskData",
    "TaskError",
    "TaskFileContents",
    "TaskSpec",
    "TrainingPair",
    "__version__",
    "check_keys",
    "column",
    "derived_seed",
    "detect_format",
    "did_you_mean",
    "evaluate",
    "hookimpl",
    "map_columns",
    "no_shots_without_train",
    "one_line",
    "open_run",
    "option_problems",
    "optional_string",
    "parse_options",
    "percentile_interval",
    "prompt_templates",
    "prompting",
    "read_rows",
    "read_text",
    "shot_count",
    "task_data",
]
