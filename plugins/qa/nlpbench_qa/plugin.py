"""nlpbench hook implementations: registers the ``qa`` task type (alias ``squad``).

Nothing is read here: the task reads its data when a run builds it.
"""

from __future__ import annotations

from nlpbench import Register, hookimpl

from .task import QATask


@hookimpl
def register_tasks(register: Register) -> None:
    register(QATask, name="qa", aliases=["squad"])
