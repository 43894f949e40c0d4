"""nlpbench-gpt: GPT-style decoder-only transformers (any ``AutoModelForCausalLM``) for
nlpbench: generation, log-likelihoods with shared contexts, and rolling perplexity."""

from __future__ import annotations

from .model import GPTModel
from .params import GPT2_CONFIG, GPT2Architecture, GPTParams

__version__ = "0.1.0"

__all__ = ["GPT2_CONFIG", "GPT2Architecture", "GPTModel", "GPTParams", "__version__"]
