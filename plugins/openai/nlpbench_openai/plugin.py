"""nlpbench hook implementations: registers the ``openai`` model type.

Nothing heavy is imported here: httpx loads when a model is built.
"""

from __future__ import annotations

from nlpbench import Register, hookimpl

from .model import OpenAIModel


@hookimpl
def register_models(register: Register) -> None:
    register(OpenAIModel, name="openai")
