"""nlpbench-qa: the ``qa`` task type (alias ``squad``): answer questions about a paragraph
by extracting a span or generating an answer, on SQuAD v1.1/v2 JSON, flat JSONL/CSV/TSV
rows, an HF dataset, or a built-in sample of 32 questions."""

from __future__ import annotations

from .task import QATask

__version__ = "0.1.0"

__all__ = ["QATask", "__version__"]
