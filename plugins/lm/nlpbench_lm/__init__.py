"""nlpbench-lm: the ``language-modeling`` task type (aliases ``lm``, ``perplexity``):
how likely a model finds texts, as perplexity, word-level perplexity and bits per byte."""

from __future__ import annotations

from .task import LanguageModelingTask

__version__ = "0.1.0"

__all__ = ["LanguageModelingTask", "__version__"]
