"""nlpbench-metrics: classification metrics (accuracy, precision, recall, macro-F1, MCC)
computed by scikit-learn, with a vectorized bootstrap fast path."""

from __future__ import annotations

from .accuracy import AccuracyMetric
from .base import ClassificationMetric
from .f1 import MacroF1Metric
from .mcc import MccMetric
from .precision_recall import PrecisionMetric, RecallMetric

__version__ = "0.1.0"

__all__ = [
    "AccuracyMetric",
    "ClassificationMetric",
    "MacroF1Metric",
    "MccMetric",
    "PrecisionMetric",
    "RecallMetric",
    "__version__",
]
