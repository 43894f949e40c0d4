"""nlpbench hook implementations: the ``template`` and ``lm-eval`` task types, the
metrics of choice tasks and generated answers, and the library of standard benchmarks.

Imports only the classes; Jinja2, pydantic's models and the data load when a task is built.
"""

from __future__ import annotations

from pathlib import Path

from nlpbench import Register, RegisterTaskFile, hookimpl

from .lmeval.task import LmEvalTask
from .metrics.choice import AccMetric, AccMutualInfoMetric, AccNormMetric, Mc2Metric
from .metrics.exact import ExactMatchMetric
from .metrics.likelihood import TargetPerplexityMetric
from .task import TemplateTask

LIBRARY = Path(__file__).parent / "library"


@hookimpl
def register_tasks(register: Register) -> None:
    register(TemplateTask, name="template", aliases=["declarative"])
    register(LmEvalTask, name="lm-eval")


@hookimpl
def register_metrics(register: Register) -> None:
    register(AccMetric, name="acc")
    register(AccNormMetric, name="acc_norm", aliases=["acc-norm"])
    register(AccMutualInfoMetric, name="acc_mutual_info", aliases=["acc-mutual-info"])
    register(Mc2Metric, name="mc2")
    register(ExactMatchMetric, name="em")
    register(TargetPerplexityMetric, name="target-perplexity")


@hookimpl
def register_task_files(register: RegisterTaskFile) -> None:
    register(LIBRARY)
