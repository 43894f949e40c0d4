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


def resolve_dtype(name: str, device: torch.device | None = None) -> torch.dtype:
    """The dtype ``name`` stands for. ``auto`` is bfloat16 on a CUDA device that computes
    in it (Ampere and later), else float32: float16's narrow range can overflow where
    bfloat16 does not, so it is never picked for you."""
    if name == "auto":
        on_cuda = device is not None and device.type == "cuda"
        return torch.bfloat16 if on_cuda and torch.cuda.is_bf16_supported() else torch.float32
    return _DTYPES[name]
