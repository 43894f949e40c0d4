"""nlpbench hook implementations: registers the ``translation`` task type.

Nothing is read here; the task reads its files when a run builds it.
"""

from __future__ import annotations

from nlpbench import Register, hookimpl

from .task import TranslationTask


@hookimpl
def register_tasks(register: Register) -> None:
    register(TranslationTask, name="translation")
