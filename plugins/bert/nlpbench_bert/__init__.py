"""nlpbench-bert: BERT-style encoders for nlpbench, with a classification, question-answering
or masked-LM head, or none (sentence embeddings and zero-shot classification)."""

from __future__ import annotations

from .heads import CAPABILITIES_BY_HEAD, HEADS
from .model import BERTModel

__version__ = "0.1.0"

__all__ = ["CAPABILITIES_BY_HEAD", "HEADS", "BERTModel", "__version__"]
