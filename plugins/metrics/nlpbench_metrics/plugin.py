"""nlpbench hook implementations: registers the classification metrics.

Imports only the metric classes; scikit-learn is imported when a metric scores.
"""

from __future__ import annotations

from nlpbench import Register, hookimpl

from .accuracy import AccuracyMetric
from .f1 import MacroF1Metric
from .mcc import MccMetric
from .precision_recall import PrecisionMetric, RecallMetric


@hookimpl
def register_metrics(register: Register) -> None:
    register(AccuracyMetric, name="accuracy")
    register(PrecisionMetric, name="precision")
    register(RecallMetric, name="recall")
    register(MacroF1Metric, name="macro-f1")
    register(MccMetric, name="mcc")
