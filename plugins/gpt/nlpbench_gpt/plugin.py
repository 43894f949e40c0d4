"""nlpbench hook implementations: registers the ``gpt`` model type.

Nothing heavy is imported here: torch and transformers load when a model is built.
"""

from __future__ import annotations

from nlpbench import Register, hookimpl

from .model import GPTModel


@hookimpl
def register_models(register: Register) -> None:
    register(GPTModel, name="gpt")
