"""nlpbench-gpt: GPT-style decoder-only transformers (any ``AutoModelForCausalLM``) for
nlpbench: generation, log-likelihoods with shared contexts, and rolling perplexity."""

from __future__ import annotations

from .model import OWN_PARAMS, GPTModel

__version__ = "0.1.0"

__all__ = ["OWN_PARAMS", "GPTModel", "__version__"]
