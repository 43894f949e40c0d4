"""What a ``t5`` model entry may say: its ``params:`` (:class:`T5Params`, the common
transformer ones plus ``score_eos``) and, for a model built from ``config:``, T5's
architecture settings (:data:`T5_CONFIG`).

``T5Model.check_spec`` checks both when a suite is validated, so a typo is caught before
anything loads; importing this module never imports torch.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from nlpbench import ConfigErrors, ModelSpec, Options
from nlpbench_transformers import ArchitectureCheck, ChatParams, chat_problems, checked_params
from nlpbench_transformers.architecture import Count, Dropout, Epsilon, Size

#: Encoder inputs keep their beginning: T5 prompts start with the task prefix
#: ("summarize: ", "translate German to English: ") and that must survive.
DEFAULT_TRUNCATION: Literal["right"] = "right"


class T5Params(ChatParams):
    """The params of a ``t5`` model: the common transformer ones, ``chat`` and ``system``
    (where its tokenizer has a chat template; the conversation is the encoder's input),
    and ``score_eos``."""

    truncation: Literal["left", "right"] = Field(
        default=DEFAULT_TRUNCATION,
        description="Which end of a too-long encoder input is cut: right (the default) keeps its beginning, "
        "where T5's task prefix is.",
    )
    score_eos: bool = Field(
        default=False,
        description="Count the end-of-sequence token in a continuation's log-likelihood (as T5 was trained to end "
        "its targets); false scores the continuation's own tokens only, as decoder-only models do.",
    )


class T5Architecture(Options):
    """T5's architecture settings (transformers' ``T5Config``, ``model_type: t5``, the
    default), checked when a suite is validated; ``config:`` also takes ``model_type``,
    ``tokenizer`` (a folder), T5Config's other names for these settings (``hidden_size``
    for ``d_model``) and its other settings, passed on unchecked."""

    model_config = ConfigDict(strict=True)

    vocab_size: Size = Field(default=32128, description="Tokens in the vocabulary (unset: the tokenizer's size).")
    d_model: Size = Field(default=512, description="The width of the hidden states.")
    d_kv: Size = Field(default=64, description="The width of each attention head's keys and values.")
    d_ff: Size = Field(default=2048, description="The width of the feed-forward layers.")
    num_layers: Count = Field(default=6, description="Encoder layers.")
    num_decoder_layers: Count | None = Field(default=None, description="Decoder layers (unset: num_layers).")
    num_heads: Count = Field(default=8, description="Attention heads per layer.")
    relative_attention_num_buckets: Count = Field(default=32, description="Buckets of relative positions.")
    relative_attention_max_distance: Size = Field(default=128, description="The farthest relative position told apart.")
    dropout_rate: Dropout = Field(default=0.1, description="Dropout in every layer.")
    classifier_dropout: Dropout = Field(default=0.0, description="Dropout before a classification head.")
    layer_norm_epsilon: Epsilon = Field(default=1e-6, description="The layer norms' epsilon.")
    initializer_factor: float = Field(default=1.0, gt=0, description="Scales the initial weights.")
    feed_forward_proj: str = Field(
        default="relu", description="The feed-forward activation: relu, or gated-gelu (T5 v1.1) and the like."
    )


#: How a t5 entry's ``config:`` is checked (``model_type`` t5, the default).
T5_CONFIG = ArchitectureCheck(
    model_type="t5",
    schema=T5Architecture,
    # dense_act_fn and is_gated_act follow from feed_forward_proj; transformers sets them itself
    passed_through=frozenset({"use_cache", "is_decoder", "dense_act_fn", "is_gated_act", "scale_decoder_outputs"}),
    aliases={
        "hidden_size": "d_model",
        "num_attention_heads": "num_heads",
        "num_hidden_layers": "num_layers",
        "head_dim": "d_kv",
    },
)


def check_spec(spec: ModelSpec) -> T5Params:
    """The entry's params, checked with its ``config:`` and its chat template: ConfigErrors
    listing every problem, each naming its key."""
    params = checked_params(T5Params, spec, T5_CONFIG)
    problems = chat_problems(spec, params, built_in="T5's")
    if problems:
        raise ConfigErrors(problems)
    return params
