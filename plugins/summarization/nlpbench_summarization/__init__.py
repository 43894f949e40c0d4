"""nlpbench-summarization: the ``summarization`` task type (generate, with length limits),
on mapped rows of a file or HF dataset, or a built-in sample of 12 short news stories."""

from __future__ import annotations

from .task import SummarizationTask

__version__ = "0.1.0"

__all__ = ["SummarizationTask", "__version__"]
