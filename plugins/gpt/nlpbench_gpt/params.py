"""What a ``gpt`` model entry may say: its ``params:`` (:class:`GPTParams`) and, for a
model built from ``config:``, GPT-2's architecture settings (:data:`GPT2_CONFIG`).
Both are checked when a suite is validated; importing this module never imports torch."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from nlpbench import ConfigError, ConfigErrors, ModelSpec, Options
from nlpbench_transformers import ArchitectureCheck, ChatParams, chat_problems, checked_params
from nlpbench_transformers.architecture import Count, Dropout, Epsilon, Size


class GPTParams(ChatParams):
    """The params of a ``gpt`` model: the common transformer ones, ``chat`` and ``system``, and its own."""

    truncation: Literal["left"] = Field(
        default="left",
        description="Which end of a too-long input is cut: a causal LM keeps the end of its input, so only left.",
    )
    rolling_stride: Size | None = Field(
        default=None,
        description="Tokens each sliding window advances by when a whole text is scored (perplexity), unless the "
        "task asks for its own stride; unset: half of max_length. At most max_length.",
    )
    share_contexts: bool = Field(
        default=True,
        description="Run a context shared by several continuations (multiple-choice answers) once and reuse its "
        "key-value cache for each; false scores every pair on its own (same numbers, slower).",
    )

    @field_validator("truncation", mode="before")
    @classmethod
    def _only_left(cls, value: object) -> object:
        if value != "left":
            raise ValueError(f"a causal LM keeps the end of its input, so it must be 'left', not {value!r}")
        return value

    @field_validator("rolling_stride")
    @classmethod
    def _stride_fits(cls, value: int | None, info: ValidationInfo) -> int | None:
        max_length = info.data.get("max_length")
        if value is not None and max_length is not None and value > max_length:
            raise ValueError(f"{value} is more than max_length ({max_length})")
        return value


class GPT2Architecture(Options):
    """GPT-2's architecture settings (transformers' ``GPT2Config``, ``model_type: gpt2``, the
    default), checked when a suite is validated; ``config:`` also takes ``model_type``,
    ``tokenizer`` (a folder), GPT2Config's other names for these settings (``hidden_size``
    for ``n_embd``) and its other settings, passed on unchecked."""

    model_config = ConfigDict(strict=True)

    vocab_size: Size = Field(default=50257, description="Tokens in the vocabulary (unset: the tokenizer's size).")
    n_positions: Size = Field(default=1024, description="The most positions (tokens) the model reads.")
    n_embd: Size = Field(default=768, description="The width of the hidden states; a multiple of n_head.")
    n_layer: Count = Field(default=12, description="Transformer layers.")
    n_head: Count = Field(default=12, description="Attention heads per layer.")
    n_inner: Size | None = Field(default=None, description="The width of the feed-forward layers (unset: 4 × n_embd).")
    activation_function: str = Field(
        default="gelu_new", description="The feed-forward activation (transformers' name)."
    )
    resid_pdrop: Dropout = Field(default=0.1, description="Dropout on the residual connections.")
    embd_pdrop: Dropout = Field(default=0.1, description="Dropout on the embeddings.")
    attn_pdrop: Dropout = Field(default=0.1, description="Dropout on the attention weights.")
    layer_norm_epsilon: Epsilon = Field(default=1e-5, description="The layer norms' epsilon.")
    initializer_range: float = Field(default=0.02, ge=0, description="The standard deviation of the initial weights.")


#: GPT2Config's other settings: passed on unchecked.
GPT2_PASSED_THROUGH = (
    "summary_type", "summary_use_proj", "summary_activation", "summary_proj_to_labels", "summary_first_dropout",
    "scale_attn_weights", "use_cache", "scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn",
    "add_cross_attention",
)  # fmt: skip

#: How a gpt entry's ``config:`` is checked (``model_type`` gpt2, the default).
GPT2_CONFIG = ArchitectureCheck(
    model_type="gpt2",
    schema=GPT2Architecture,
    passed_through=frozenset(GPT2_PASSED_THROUGH),
    aliases={
        "hidden_size": "n_embd",
        "max_position_embeddings": "n_positions",
        "num_attention_heads": "n_head",
        "num_hidden_layers": "n_layer",
    },
    divisible=(("n_embd", "n_head"),),
)


def check_spec(spec: ModelSpec) -> GPTParams:
    """The entry's validated params; ConfigErrors listing every problem of ``params`` and
    ``config`` (each naming its key) or of its chat template, or a ConfigError when
    nothing says what to load."""
    if spec.path is None and spec.hub is None and spec.config is None:
        raise ConfigError("give one of path (a folder saved with save_pretrained), hub (a hub id) or config")
    params = checked_params(GPTParams, spec, GPT2_CONFIG)
    problems = chat_problems(spec, params, built_in="GPT-2's")
    if problems:
        raise ConfigErrors(problems)
    return params
