"""What nlpbench's transformer plugins (gpt, bert, t5) share: parameters, devices and
dtypes (and models spread across devices), loading from a folder, a hub id or a config,
length-sorted batching, chat templates, and how fine-tuning and pretraining run.

A library, not a plugin: it registers nothing. Names are imported on first use, so
:class:`HFParams` (the option schema each model type extends, checked while a suite is
validated), :class:`ChatParams`, :func:`chat_problems`, :func:`config_problems` and
:func:`checked_params` never pull in torch;
everything else does.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .architecture import ArchitectureCheck, config_problems
    from .batching import BatchRunner, length_sorted_batches
    from .bpe import gpt2_bpe, gpt2_bpe_folder
    from .chat import ChatTemplate
    from .chat_params import ChatParams, chat_problems
    from .device import resolve_device, resolve_dtype
    from .entry import checked_params, entry_problems
    from .finetune_generate import (
        IGNORED,
        check_generate_pairs,
        exact_match,
        generation_scores,
        generative_trainee,
        greedy,
    )
    from .finetuning import Trainee, run_finetune, training_params
    from .loading import Loaded, load_model
    from .optimizing import AdamWUpdates
    from .params import COMMON_PARAMS, HFParams, one_message
    from .placement import input_device, require_accelerate
    from .pretrain_common import (
        batch_order,
        build_config,
        cut_sequences,
        mask_tokens,
        pad,
        read_documents,
        token_id,
        token_stream,
        train_byte_level_bpe,
        train_wordpiece,
    )
    from .pretrain_run import Objective, build_model, parameter_count, pretrain_loop, run_pretraining
    from .saving import save_folder
    from .training import linear_schedule, train_loop
    from .truncation import Truncation

#: Where each public name lives.
_HOMES = {
    "ArchitectureCheck": "architecture",
    "config_problems": "architecture",
    "BatchRunner": "batching",
    "length_sorted_batches": "batching",
    "gpt2_bpe": "bpe",
    "gpt2_bpe_folder": "bpe",
    "ChatTemplate": "chat",
    "ChatParams": "chat_params",
    "chat_problems": "chat_params",
    "resolve_device": "device",
    "resolve_dtype": "device",
    "checked_params": "entry",
    "entry_problems": "entry",
    **dict.fromkeys(
        ("IGNORED", "check_generate_pairs", "exact_match", "generation_scores", "generative_trainee", "greedy"),
        "finetune_generate",
    ),
    **dict.fromkeys(("Trainee", "run_finetune", "training_params"), "finetuning"),
    "Loaded": "loading",
    "load_model": "loading",
    "AdamWUpdates": "optimizing",
    "COMMON_PARAMS": "params",
    "HFParams": "params",
    "one_message": "params",
    "input_device": "placement",
    "require_accelerate": "placement",
    **dict.fromkeys(
        (
            "batch_order",
            "build_config",
            "cut_sequences",
            "mask_tokens",
            "pad",
            "read_documents",
            "token_id",
            "token_stream",
            "train_byte_level_bpe",
            "train_wordpiece",
        ),
        "pretrain_common",
    ),
    **dict.fromkeys(
        ("Objective", "build_model", "parameter_count", "pretrain_loop", "run_pretraining"), "pretrain_run"
    ),
    "save_folder": "saving",
    "linear_schedule": "training",
    "train_loop": "training",
    "Truncation": "truncation",
}

__all__ = [
    "COMMON_PARAMS",
    "IGNORED",
    "AdamWUpdates",
    "ArchitectureCheck",
    "BatchRunner",
    "ChatParams",
    "ChatTemplate",
    "HFParams",
    "Loaded",
    "Objective",
    "Trainee",
    "Truncation",
    "batch_order",
    "build_config",
    "build_model",
    "chat_problems",
    "check_generate_pairs",
    "checked_params",
    "config_problems",
    "cut_sequences",
    "entry_problems",
    "exact_match",
    "generation_scores",
    "generative_trainee",
    "gpt2_bpe",
    "gpt2_bpe_folder",
    "greedy",
    "input_device",
    "length_sorted_batches",
    "linear_schedule",
    "load_model",
    "mask_tokens",
    "one_message",
    "pad",
    "parameter_count",
    "pretrain_loop",
    "read_documents",
    "require_accelerate",
    "resolve_device",
    "resolve_dtype",
    "run_finetune",
    "run_pretraining",
    "save_folder",
    "token_id",
    "token_stream",
    "train_byte_level_bpe",
    "train_loop",
    "train_wordpiece",
    "training_params",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{home}", __name__), name)
