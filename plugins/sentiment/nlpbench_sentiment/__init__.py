"""nlpbench-sentiment: the ``sentiment`` task type (classify, loglikelihood, generate or
encode), on a local file or a built-in sample of 60 reviews."""

from __future__ import annotations

from .task import SentimentTask

__version__ = "0.1.0"

__all__ = ["SentimentTask", "__version__"]
