"""nlpbench hook implementations: registers the ``t5`` model type.

Nothing heavy is imported here: torch and transformers load when a run builds a model.
"""

from __future__ import annotations

from nlpbench import Register, hookimpl

from .model import T5Model


@hookimpl
def register_models(register: Register) -> None:
    register(T5Model, name="t5")
