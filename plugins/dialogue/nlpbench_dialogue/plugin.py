"""nlpbench hook implementations: registers the ``dialogue`` task type and the metrics
of open-ended replies (``distinct-1``, ``distinct-2``, ``reply-words``).

Nothing is read here; the task reads its data when a run builds it, and the metrics
import numpy when they score.
"""

from __future__ import annotations

from nlpbench import Register, hookimpl

from .distinct import Distinct1Metric, Distinct2Metric
from .length import ReplyWordsMetric
from .task import DialogueTask


@hookimpl
def register_tasks(register: Register) -> None:
    register(DialogueTask, name="dialogue")


@hookimpl
def register_metrics(register: Register) -> None:
    register(Distinct1Metric, name="distinct-1")
    register(Distinct2Metric, name="distinct-2")
    register(ReplyWordsMetric, name="reply-words")
