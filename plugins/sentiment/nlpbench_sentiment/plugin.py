"""nlpbench hook implementations: registers the ``sentiment`` task type."""

from __future__ import annotations

from nlpbench import Register, hookimpl

from .task import SentimentTask


@hookimpl
def register_tasks(register: Register) -> None:
    register(SentimentTask, name="sentiment")
