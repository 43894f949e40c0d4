"""The ``params:`` every transformer model type understands, as an option schema.

:class:`HFParams` holds the common keys; each model type (gpt, bert, t5) declares its
own schema as a subclass that adds its keys, and the core checks a suite's params
against it before anything loads. Importing this module never imports torch.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationError, ValidationInfo, WrapValidator, field_validator

from nlpbench import Options

#: Keys of ``params:`` common to every transformer model type.
COMMON_PARAMS = ("device", "dtype", "batch_size", "max_length", "truncation", "device_map", "max_memory")
DEVICES = ("auto", "cpu", "cuda")
DTYPES = ("float32", "bfloat16", "float16", "auto")
#: accelerate's placements of a model across devices (``from_pretrained(device_map=...)``).
DEVICE_MAPS = ("auto", "balanced", "balanced_low_0", "sequential")
#: Where ``max_memory`` may put weights besides the GPUs (given by index).
MEMORY_PLACES = ("cpu", "disk")
#: A size as accelerate reads it: a number of bytes, or a number and a unit.
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(KiB|MiB|GiB|KB|MB|GB)")
SIDES = ("left", "right")
#: The largest batch a suite may ask for: beyond it, padding alone would fill any GPU.
MAX_BATCH_SIZE = 65536
#: The longest input a suite may ask for (2**20 tokens, beyond any released model's context).
MAX_LENGTH = 1_048_576


def one_message(message: str) -> WrapValidator:
    """A field whose value fails its type (a union, say) gets ``message`` (and the value)
    as its one problem, instead of one line per member of the union."""

    def validate(value: Any, handler: Callable[[Any], Any]) -> Any:
        try:
            return handler(value)
        except ValidationError:
            raise ValueError(f"{message}, not {value!r}") from None

    return WrapValidator(validate)


class HFParams(Options):
    """The params common to every transformer model type (gpt, bert, t5)."""

    model_config = ConfigDict(strict=True)

    device: Literal["auto", "cpu", "cuda"] = Field(
        default="auto", description="Where the model runs: auto (CUDA when there is one, else the CPU), cpu or cuda."
    )
    dtype: Literal["float32", "bfloat16", "float16", "auto"] = Field(
        default="float32",
        description="The precision of the weights: float32, bfloat16 or float16; auto is bfloat16 on a CUDA GPU "
        "that supports it, else float32.",
    )
    batch_size: Annotated[
        Annotated[int, Field(ge=1, le=MAX_BATCH_SIZE)] | Literal["auto"],
        one_message(f"must be a whole number from 1 to {MAX_BATCH_SIZE}, or 'auto'"),
    ] = Field(
        default=8,
        description="Requests run together in one forward pass; auto starts at 256 and halves on out-of-memory.",
    )
    max_length: Annotated[int, Field(ge=2, le=MAX_LENGTH)] | None = Field(
        default=None,
        description="The most tokens of input the model reads (unset: the model's own number of positions); "
        "longer inputs are truncated, and the cut is counted in the cell's model_info.",
    )
    truncation: Literal["left", "right"] = Field(
        default="left", description="Which end of a too-long input is cut: left keeps its end, right its beginning."
    )
    device_map: Literal["auto", "balanced", "balanced_low_0", "sequential"] | None = Field(
        default=None,
        description="Spread a model too big for one device over every GPU (then the CPU, then disk), with "
        "accelerate: auto or balanced (evenly), balanced_low_0 (least on GPU 0), sequential (fill GPU 0 first). "
        "For path: and hub: models; device: cpu loads the whole model on the CPU instead.",
    )
    max_memory: dict[int | Literal["cpu", "disk"], int | str] | None = Field(
        default=None,
        description="With device_map: the most each place may hold, keyed by GPU index, cpu or disk, as bytes "
        "or a size such as 20GiB or 500MB: {0: 20GiB, cpu: 60GiB}.",
    )

    @field_validator("max_memory", mode="before")
    @classmethod
    def _memory_sizes(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return None
        if info.data.get("device_map") is None and "device_map" not in info.data:
            return value  # device_map itself was wrong: that is the problem to report
        if info.data.get("device_map") is None:
            raise ValueError(f"applies only with device_map ({', '.join(DEVICE_MAPS)}), not alone")
        if not isinstance(value, dict) or not value:
            raise ValueError(f"must be a mapping of GPU index, cpu or disk to a size such as 20GiB, not {value!r}")
        return {memory_place(key): memory_size(key, size) for key, size in value.items()}


def memory_place(key: object) -> int | str:
    """A key of ``max_memory``: a GPU index (``0``, or ``"0"`` from JSON), ``cpu`` or ``disk``."""
    if isinstance(key, str) and key.isdigit():
        return int(key)
    if (isinstance(key, int) and not isinstance(key, bool) and key >= 0) or key in MEMORY_PLACES:
        return key
    raise ValueError(f"{key!r} is not a GPU index (0, 1, ...), cpu or disk")


def memory_size(key: object, size: object) -> int | str:
    """A size of ``max_memory`` as accelerate reads it: bytes (an int), or ``20GiB``, ``500MB``."""
    if isinstance(size, int) and not isinstance(size, bool) and size >= 0:
        return size
    text = size.strip() if isinstance(size, str) else ""
    if text.isdigit():
        return int(text)  # accelerate reads bytes only as a number
    found = _SIZE.fullmatch(text)
    if found is None:
        raise ValueError(
            f"{size!r} (for {key}) is not a size: give bytes or a number with KB, MB, GB, KiB, MiB or GiB, as 20GiB"
        )
    return found.group(1) + found.group(2)
