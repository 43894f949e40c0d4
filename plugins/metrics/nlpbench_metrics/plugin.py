"""nlpbench hook implementations: registers every metric of the plugin.

Imports only the metric classes; numpy, sacrebleu and rouge-score are
imported when a metric scores.
"""

from __future__ import annotations

from nlpbench import Register, hookimpl

from .accuracy import AccuracyMetric
from .bleu import BleuMetric
from .calibration import BrierMetric, EceMetric
from .chrf import ChrfMetric
from .f1 import MacroF1Metric
from .mcc import MccMetric
from .perplexity import BitsPerByteMetric, BytePerplexityMetric, PerplexityMetric, WordPerplexityMetric
from .precision_recall import PrecisionMetric, RecallMetric
from .rouge import Rouge1Metric, Rouge2Metric, RougeLMetric, RougeLsumMetric
from .squad import ExactMatchMetric, SquadF1Metric
from .ter import TerMetric


@hookimpl
def register_metrics(register: Register) -> None:
    register(AccuracyMetric, name="accuracy")
    register(PrecisionMetric, name="precision")
    register(RecallMetric, name="recall")
    register(MacroF1Metric, name="macro-f1")
    register(MccMetric, name="mcc")
    register(ExactMatchMetric, name="squad-em", aliases=["exact-match"])
    register(SquadF1Metric, name="squad-f1")
    register(BleuMetric, name="bleu")
    register(ChrfMetric, name="chrf")
    register(TerMetric, name="ter")
    register(Rouge1Metric, name="rouge-1")
    register(Rouge2Metric, name="rouge-2")
    register(RougeLMetric, name="rouge-l")
    register(RougeLsumMetric, name="rouge-lsum")
    register(PerplexityMetric, name="perplexity")
    register(WordPerplexityMetric, name="word-perplexity")
    register(BytePerplexityMetric, name="byte-perplexity")
    register(BitsPerByteMetric, name="bits-per-byte")
    register(BrierMetric, name="brier")
    register(EceMetric, name="ece")
