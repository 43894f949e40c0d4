"""nlpbench hook implementations: registers the ``language-modeling`` task type."""

from __future__ import annotations

from nlpbench import Register, hookimpl

from .task import LanguageModelingTask


@hookimpl
def register_tasks(register: Register) -> None:
    register(LanguageModelingTask, name="language-modeling", aliases=["lm", "perplexity"])
