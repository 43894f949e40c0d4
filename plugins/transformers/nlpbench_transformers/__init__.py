"""What nlpbench's transformer plugins (gpt, bert, t5) share: parameters, devices and
dtypes, loading from a folder, a hub id or a config, and length-sorted batching.

A library, not a plugin: it registers nothing. Names are imported on first use, so
:class:`HFParams` (the option schema each model type extends, checked while a suite is
validated) and :func:`config_problems` never pull in torch; everything else does.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .architecture import ArchitectureCheck, config_problems
    from .batching import BatchRunner, length_sorted_batches
    from .bpe import gpt2_bpe, gpt2_bpe_folder
    from .device import resolve_device, resolve_dtype
    from .loading import Loaded, load_model
    from .params import COMMON_PARAMS, HFParams, one_message
    from .pretrain_common import (
        batch_order,
        build_config,
        cut_sequences,
        mask_tokens,
        pad,
        parameter_count,
        pretrain_loop,
        read_documents,
        token_id,
        token_stream,
        train_byte_level_bpe,
        train_wordpiece,
    )
    from .training import check_generate_pairs, exact_match, linear_schedule, train_loop
    from .truncation import Truncation

#: Where each public name lives.
_HOMES = {
    "BatchRunner": "batching",
    "length_sorted_batches": "batching",
    "resolve_device": "device",
    "resolve_dtype": "device",
    "gpt2_bpe": "bpe",
    "gpt2_bpe_folder": "bpe",
    "Loaded": "loading",
    "load_model": "loading",
    "COMMON_PARAMS": "params",
    "HFParams": "params",
    "one_message": "params",
    "ArchitectureCheck": "architecture",
    "config_problems": "architecture",
    **dict.fromkeys(
        (
            "batch_order",
            "build_config",
            "cut_sequences",
            "mask_tokens",
            "pad",
            "parameter_count",
            "pretrain_loop",
            "read_documents",
            "token_id",
            "token_stream",
            "train_byte_level_bpe",
            "train_wordpiece",
        ),
        "pretrain_common",
    ),
    "Truncation": "truncation",
    "exact_match": "training",
    "linear_schedule": "training",
    "train_loop": "training",
    "check_generate_pairs": "training",
}

__all__ = [
    "COMMON_PARAMS",
    "ArchitectureCheck",
    "BatchRunner",
    "HFParams",
    "Loaded",
    "Truncation",
    "batch_order",
    "build_config",
    "check_generate_pairs",
    "config_problems",
    "cut_sequences",
    "exact_match",
    "gpt2_bpe",
    "gpt2_bpe_folder",
    "length_sorted_batches",
    "linear_schedule",
    "load_model",
    "mask_tokens",
    "one_message",
    "pad",
    "parameter_count",
    "pretrain_loop",
    "read_documents",
    "resolve_device",
    "resolve_dtype",
    "token_id",
    "token_stream",
    "train_byte_level_bpe",
    "train_loop",
    "train_wordpiece",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{home}", __name__), name)
