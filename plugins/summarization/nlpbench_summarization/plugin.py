"""nlpbench hook implementations: registers the ``summarization`` task type.

Nothing is read here; the task reads its data when a run builds it.
"""

from __future__ import annotations

from nlpbench import Register, hookimpl

from .task import SummarizationTask


@hookimpl
def register_tasks(register: Register) -> None:
    register(SummarizationTask, name="summarization")
