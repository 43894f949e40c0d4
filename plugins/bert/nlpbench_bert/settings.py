"""What a ``bert`` model entry may say: its ``params:`` (:class:`BertParams`, the common
transformer ones and its own) and, for a model built from ``config:``, BERT's
architecture settings (:data:`BERT_CONFIG`). Both are checked when a suite is
validated; importing this module never imports torch."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator

from nlpbench import ModelSpec, Options
from nlpbench_transformers import ArchitectureCheck, HFParams, checked_params
from nlpbench_transformers.architecture import Count, Dropout, Epsilon, Size


class BertParams(HFParams):
    """The params of a ``bert`` model: the common transformer ones and its own."""

    truncation: Literal["left", "right"] = Field(
        default="right", description="Which end of a too-long input is cut: right (the default) keeps its beginning."
    )
    head: Literal["classification", "qa", "masked-lm", "encoder"] | None = Field(
        default=None,
        description="The head to use: classification, qa, masked-lm or encoder (none: embeddings, and zero-shot "
        "classify by similarity); unset: the checkpoint's own, from its config.json. A head the checkpoint "
        "lacks is an error (its weights would be random).",
    )
    pooling: Literal["mean", "cls"] = Field(
        default="mean", description="How encode makes one vector of a text: the mean of its tokens, or the [CLS] token."
    )
    doc_stride: Annotated[int, Field(ge=0, le=1_048_576)] = Field(
        default=128, description="Tokens of overlap between the windows of a QA context too long for one window."
    )
    n_best: Annotated[int, Field(ge=1, le=1000)] = Field(
        default=20, description="Start and end candidates per window that a QA answer is chosen from."
    )
    max_answer_length: Annotated[int, Field(ge=1, le=1_048_576)] = Field(
        default=30, description="The longest answer span a QA head may give, in tokens."
    )
    label_template: str = Field(
        default="This text is {label}.",
        description="What a bare encoder compares a text with, for each label, to classify zero-shot; "
        "must contain {label}.",
    )
    # Cosine similarities of sentence embeddings span little (a few hundredths between
    # labels), so they are divided by a small temperature before the softmax, as CLIP
    # and SimCSE do (0.01 and 0.05). It changes how sure the probabilities are, never
    # which label wins.
    temperature: float = Field(
        default=0.05,
        gt=0,
        le=100,
        description="Zero-shot classify divides the cosine similarities by this before the softmax: smaller makes "
        "the probabilities surer, never changes which label wins.",
    )

    @field_validator("label_template")
    @classmethod
    def _formats(cls, value: str) -> str:
        if "{label}" not in value:
            raise ValueError(f"must contain {{label}}, not {value!r}")
        try:
            value.format(label="positive")
        except KeyError as error:
            raise ValueError(f"{value!r} may use only {{label}}, not {{{error.args[0]}}}") from None
        except (IndexError, ValueError) as error:
            raise ValueError(f"{value!r} does not format with {{label}} alone: {error}") from None
        return value


class BertArchitecture(Options):
    """BERT's architecture settings (transformers' ``BertConfig``, ``model_type: bert``, the
    default), checked when a suite is validated; ``config:`` also takes ``model_type``,
    ``tokenizer`` (a folder) and BertConfig's other settings, passed on unchecked."""

    model_config = ConfigDict(strict=True)

    vocab_size: Size = Field(default=30522, description="Tokens in the vocabulary (unset: the tokenizer's size).")
    hidden_size: Size = Field(
        default=768, description="The width of the hidden states; a multiple of num_attention_heads."
    )
    num_hidden_layers: Count = Field(default=12, description="Transformer layers.")
    num_attention_heads: Count = Field(default=12, description="Attention heads per layer.")
    intermediate_size: Size = Field(default=3072, description="The width of the feed-forward layers.")
    hidden_act: str = Field(default="gelu", description="The feed-forward activation (transformers' name).")
    hidden_dropout_prob: Dropout = Field(default=0.1, description="Dropout on the hidden states.")
    attention_probs_dropout_prob: Dropout = Field(default=0.1, description="Dropout on the attention weights.")
    max_position_embeddings: Size = Field(default=512, description="The most positions (tokens) the model reads.")
    type_vocab_size: Size = Field(default=2, description="Token types (segments): 2 for sentence pairs.")
    initializer_range: float = Field(default=0.02, ge=0, description="The standard deviation of the initial weights.")
    layer_norm_eps: Epsilon = Field(default=1e-12, description="The layer norms' epsilon.")
    classifier_dropout: Dropout | None = Field(
        default=None, description="Dropout before a classification head (unset: hidden_dropout_prob)."
    )


#: How a bert entry's ``config:`` is checked (``model_type`` bert, the default).
BERT_CONFIG = ArchitectureCheck(
    model_type="bert",
    schema=BertArchitecture,
    passed_through=frozenset({"use_cache", "is_decoder", "add_cross_attention"}),
    divisible=(("hidden_size", "num_attention_heads"),),
)


def parse(spec: ModelSpec) -> BertParams:
    """Every param of ``spec``, and its ``config:``, checked: ConfigErrors listing each problem."""
    return checked_params(BertParams, spec, BERT_CONFIG)
