"""nlpbench hook implementations: registers the ``bert`` model type.

Nothing heavy is imported here: torch and transformers load with a model.
"""

from __future__ import annotations

from nlpbench import Register, hookimpl

from .model import BERTModel


@hookimpl
def register_models(register: Register) -> None:
    register(BERTModel, name="bert")
