"""nlpbench-dialogue: the ``dialogue`` task type (multi-turn conversations, each assistant
turn written from the reference history before it), on a file or HF dataset in the
common chat formats or a built-in sample of 20 conversations; and the metrics of
open-ended replies, ``distinct-1``, ``distinct-2`` and ``reply-words``."""

from __future__ import annotations

from .distinct import Distinct1Metric, Distinct2Metric
from .length import ReplyWordsMetric
from .task import DialogueTask

__version__ = "0.1.0"

__all__ = ["DialogueTask", "Distinct1Metric", "Distinct2Metric", "ReplyWordsMetric", "__version__"]
