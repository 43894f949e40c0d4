"""The ``params:`` every transformer model type understands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nlpbench import ConfigError, did_you_mean

#: Keys of ``params:`` common to every transformer model type.
COMMON_PARAMS = ("device", "dtype", "batch_size", "max_length", "truncation")
DEVICES = ("auto", "cpu", "cuda")
DTYPES = ("float32", "bfloat16", "float16")
SIDES = ("left", "right")


@dataclass(frozen=True)
class HFParams:
    """Validated common params, plus the model type's own in ``extra``."""

    device: str = "auto"
    dtype: str = "float32"
    batch_size: int | None = 8  # None means auto: start big, halve on out-of-memory
    max_length: int | None = None
    truncation: str = "left"
    extra: Mapping[str, Any] = field(default_factory=dict)


def parse_params(params: Mapping[str, Any], *, own: Sequence[str] = (), default_truncation: str = "left") -> HFParams:
    """Check ``params`` (ConfigError naming the key for anything wrong)."""
    allowed = (*COMMON_PARAMS, *own)
    for key in params:
        if key not in allowed:
            raise ConfigError(
                f"params.{key}: unknown param{did_you_mean(key, allowed)} (allowed: {', '.join(allowed)})"
            )
    device = _choice(params, "device", DEVICES, "auto")
    dtype = _choice(params, "dtype", DTYPES, "float32")
    truncation = _choice(params, "truncation", SIDES, default_truncation)
    batch = params.get("batch_size", 8)
    if batch == "auto":
        batch_size = None
    elif isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ConfigError(f"params.batch_size: must be a positive integer or 'auto', not {batch!r}")
    else:
        batch_size = batch
    max_length = params.get("max_length")
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 2):
        raise ConfigError(f"params.max_length: must be an integer of at least 2, not {max_length!r}")
    extra = {key: value for key, value in params.items() if key in own}
    return HFParams(device, dtype, batch_size, max_length, truncation, extra)


def _choice(params: Mapping[str, Any], key: str, choices: Sequence[str], default: str) -> str:
    value = params.get(key, default)
    if value not in choices:
        raise ConfigError(f"params.{key}: must be one of {', '.join(choices)}, not {value!r}")
    return str(value)
