"""The ``params:`` of a language-modeling task, as an option schema checked by the core
before anything loads."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from nlpbench import Options

#: The longest stride a suite may ask for (2**20 tokens, beyond any model's context).
MAX_STRIDE = 1_048_576


class LMParams(Options):
    """Every key of a language-modeling task's ``params``."""

    stride: int | None = Field(
        default=None,
        ge=1,
        le=MAX_STRIDE,
        description="Tokens each sliding window advances by when a text is longer than the model's context "
        "(loglikelihood_rolling); unset: the model's default (gpt: params.rolling_stride, else half its length).",
    )

    @model_validator(mode="before")
    @classmethod
    def _unit_is_data(cls, values: Any) -> Any:
        if isinstance(values, dict) and "unit" in values:
            raise ValueError("the unit is part of data: write params.unit as data.unit")
        return values
