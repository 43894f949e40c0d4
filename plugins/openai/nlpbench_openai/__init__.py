"""nlpbench-openai: models served over HTTP by any OpenAI-compatible server."""

from __future__ import annotations

from .model import OpenAIModel
from .params import OpenAIParams, Price

__all__ = ["OpenAIModel", "OpenAIParams", "Price"]
