"""The ``params:`` of a ``bert`` model: the common transformer ones, and its own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nlpbench import ConfigError, ModelSpec, did_you_mean

from .heads import forced_head

if TYPE_CHECKING:
    from nlpbench_transformers import HFParams

#: The bert model type's own params, beside the common ones (device, dtype, batch_size,
#: max_length, truncation).
OWN_PARAMS = ("head", "pooling", "doc_stride", "n_best", "max_answer_length", "label_template", "temperature")
POOLINGS = ("mean", "cls")


@dataclass(frozen=True)
class BertSettings:
    """The bert-specific params, validated, with their defaults."""

    head: str | None = None  # None: the checkpoint's own
    pooling: str = "mean"
    doc_stride: int = 128  # tokens of overlap between the windows of a long QA context
    n_best: int = 20  # start and end candidates per window
    max_answer_length: int = 30  # tokens
    label_template: str = "This text is {label}."
    # Cosine similarities of sentence embeddings span little (a few hundredths between
    # labels), so they are divided by a small temperature before the softmax, as CLIP
    # and SimCSE do (0.01 and 0.05). It changes how sure the probabilities are, never
    # which label wins.
    temperature: float = 0.05


def own_settings(params: Mapping[str, Any]) -> BertSettings:
    """The bert-specific params, each checked (ConfigError naming the key)."""
    defaults = BertSettings()
    pooling = params.get("pooling", defaults.pooling)
    if pooling not in POOLINGS:
        hint = did_you_mean(pooling, POOLINGS) if isinstance(pooling, str) else ""
        raise ConfigError(f"params.pooling: must be one of {', '.join(POOLINGS)}, not {pooling!r}{hint}")
    template = params.get("label_template", defaults.label_template)
    if not isinstance(template, str) or "{label}" not in template:
        raise ConfigError(f"params.label_template: must be a string containing {{label}}, not {template!r}")
    try:
        template.format(label="positive")
    except (IndexError, KeyError, ValueError) as error:
        raise ConfigError(f"params.label_template: {template!r} does not format: {error}") from None
    temperature = params.get("temperature", defaults.temperature)
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature > 0:
        raise ConfigError(f"params.temperature: must be a number above 0, not {temperature!r}")
    return BertSettings(
        head=forced_head(params),
        pooling=str(pooling),
        doc_stride=_integer(params, "doc_stride", defaults.doc_stride, minimum=0),
        n_best=_integer(params, "n_best", defaults.n_best, minimum=1),
        max_answer_length=_integer(params, "max_answer_length", defaults.max_answer_length, minimum=1),
        label_template=template,
        temperature=float(temperature),
    )


def parse(spec: ModelSpec) -> tuple[HFParams, BertSettings]:
    """Every param of ``spec``, checked: unknown keys get a "did you mean"."""
    if not isinstance(spec.params, Mapping):
        raise ConfigError(f"params: must be a mapping, not {type(spec.params).__name__}")
    from nlpbench_transformers import parse_params  # imports torch: only when checking or loading

    common = parse_params(spec.params, own=OWN_PARAMS, default_truncation="right")
    return common, own_settings(common.extra)


def _integer(params: Mapping[str, Any], key: str, default: int, *, minimum: int) -> int:
    value = params.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"params.{key}: must be an integer of at least {minimum}, not {value!r}")
    return value
