"""nlpbench-t5: the ``t5`` model type, for T5 and any other encoder-decoder checkpoint
(``AutoModelForSeq2SeqLM``): text-to-text generation and teacher-forced scoring."""

from __future__ import annotations

from .model import T5Model

__version__ = "0.1.0"

__all__ = ["T5Model", "__version__"]
