"""Where a model runs and in which precision."""

from __future__ import annotations

import torch

from nlpbench import ModelError

_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def resolve_device(name: str) -> torch.device:
    """``auto`` is CUDA when there is one, else the CPU; ``cuda`` without one is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ModelError("device 'cuda' was asked for but no CUDA device is available (use device: auto or cpu)")
    return torch.device(name)


def resolve_dtype(name: str) -> torch.dtype:
    return _DTYPES[name]
