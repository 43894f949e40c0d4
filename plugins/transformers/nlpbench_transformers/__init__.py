"""What nlpbench's transformer plugins (gpt, bert, t5) share: parameters, devices and
dtypes, loading from a folder, a hub id or a config, and length-sorted batching.

A library, not a plugin: it registers nothing. Import it only where a model is
actually loaded, never from a plugin's ``plugin.py`` (it imports torch).
"""

from __future__ import annotations

from .batching import BatchRunner, length_sorted_batches
from .device import resolve_device, resolve_dtype
from .loading import Loaded, load_model
from .params import COMMON_PARAMS, HFParams, parse_params
from .truncation import Truncation

__all__ = [
    "COMMON_PARAMS",
    "BatchRunner",
    "HFParams",
    "Loaded",
    "Truncation",
    "length_sorted_batches",
    "load_model",
    "parse_params",
    "resolve_device",
    "resolve_dtype",
]
