"""nlpbench-translation: the ``translation`` task type (generate), on line-aligned files,
mapped rows of a file or HF dataset, or a built-in sample of 25 German→English pairs."""

from __future__ import annotations

from .task import TranslationTask

__version__ = "0.1.0"

__all__ = ["TranslationTask", "__version__"]
