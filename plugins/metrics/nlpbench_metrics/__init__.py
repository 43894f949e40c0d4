"""nlpbench-metrics: classification metrics (accuracy, precision, recall, macro-F1, MCC)
computed with scikit-learn's formulas off confusion matrices (equal to scikit-learn, which is not
imported at run time), vectorized across bootstrap resamples."""

from __future__ import annotations

from .accuracy import AccuracyMetric
from .base import ClassificationMetric
from .bleu import BleuMetric
from .chrf import ChrfMetric
from .f1 import MacroF1Metric
from .mcc import MccMetric
from .perplexity import BitsPerByteMetric, LanguageModelMetric, PerplexityMetric, WordPerplexityMetric
from .precision_recall import PrecisionMetric, RecallMetric
from .rouge import Rouge1Metric, Rouge2Metric, RougeLMetric, RougeLsumMetric, RougeMetric
from .ter import TerMetric
from .translation import SacrebleuMetric

__version__ = "0.1.0"

__all__ = [
    "AccuracyMetric",
    "BitsPerByteMetric",
    "BleuMetric",
    "ChrfMetric",
    "ClassificationMetric",
    "LanguageModelMetric",
    "MacroF1Metric",
    "MccMetric",
    "PerplexityMetric",
    "PrecisionMetric",
    "RecallMetric",
    "Rouge1Metric",
    "Rouge2Metric",
    "RougeLMetric",
    "RougeLsumMetric",
    "RougeMetric",
    "SacrebleuMetric",
    "TerMetric",
    "WordPerplexityMetric",
    "__version__",
]
