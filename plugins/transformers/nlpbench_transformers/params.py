"""The ``params:`` every transformer model type understands, as an option schema.

:class:`HFParams` holds the common keys; each model type (gpt, bert, t5) declares its
own schema as a subclass that adds its keys, and the core checks a suite's params
against it before anything loads. Importing this module never imports torch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationError, WrapValidator

from nlpbench import Options

#: Keys of ``params:`` common to every transformer model type.
COMMON_PARAMS = ("device", "dtype", "batch_size", "max_length", "truncation")
DEVICES = ("auto", "cpu", "cuda")
DTYPES = ("float32", "bfloat16", "float16")
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
    dtype: Literal["float32", "bfloat16", "float16"] = Field(
        default="float32", description="The precision of the weights: float32, bfloat16 or float16."
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
