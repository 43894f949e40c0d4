"""Checking a model entry's ``config:`` (a model built untrained from its architecture
settings) when a suite is validated, without importing transformers (which imports torch).

Each transformer model type declares an :class:`ArchitectureCheck` for its default
architecture (gpt2, bert, t5): an option schema of the settings users set (sizes,
dropouts), each typed, bounded and described; the other settings its transformers
config class takes, passed on unchecked; and the class's other names for settings
(GPT-2 calls ``n_embd`` ``hidden_size`` too). A key that is none of these is reported
with a suggestion: transformers would silently keep it as an attribute nobody reads.

A ``config:`` with another ``model_type`` (``llama``, say) gets the common size
settings checked here (:class:`CommonSizes`); its unknown keys are found when the model
is built, once transformers is loaded anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import ConfigDict, Field

from nlpbench import Options, did_you_mean, option_problems

#: Keys of ``config:`` that are nlpbench's, not the architecture's.
OWN_KEYS = ("model_type", "tokenizer")

#: The largest width, vocabulary or length a setting may have (2**20): more is a typo.
MAX_SIZE = 1_048_576
#: The most layers or attention heads a setting may have.
MAX_COUNT = 4096

#: A width, vocabulary size or length: a whole number of at least 1.
Size = Annotated[int, Field(ge=1, le=MAX_SIZE, strict=True)]
#: A number of layers or heads: a whole number of at least 1.
Count = Annotated[int, Field(ge=1, le=MAX_COUNT, strict=True)]
#: A dropout probability.
Dropout = Annotated[float, Field(ge=0, lt=1, strict=True)]
#: A layer-norm epsilon.
Epsilon = Annotated[float, Field(gt=0, le=1, strict=True)]

#: What every transformers configuration takes besides its architecture's settings
#: (``PretrainedConfig``'s arguments and the attributes it reads from its keyword
#: arguments): passed on unchecked.
PRETRAINED_KEYS = frozenset(
    {
        "architectures", "output_hidden_states", "output_attentions", "return_dict", "dtype",
        "chunk_size_feed_forward", "is_encoder_decoder", "id2label", "label2id", "num_labels",
        "problem_type", "bos_token_id", "eos_token_id", "pad_token_id", "sep_token_id",
        "decoder_start_token_id", "tie_word_embeddings", "tokenizer_class", "prefix", "task_specific_params",
    }
)  # fmt: skip


@dataclass(frozen=True)
class ArchitectureCheck:
    """How ``config:`` of one architecture (a transformers ``model_type``) is checked."""

    #: The transformers ``model_type`` (``gpt2``).
    model_type: str
    #: The settings users set, typed and bounded (sizes, dropouts, activation).
    schema: type[Options]
    #: The other settings the config class takes, passed on unchecked.
    passed_through: frozenset[str] = frozenset()
    #: The config class's other names for settings: ``{hidden_size: n_embd}``.
    aliases: Mapping[str, str] | None = None
    #: ``(width, heads)`` pairs: the width must be a multiple of the number of heads
    #: (each head gets an equal slice), else the model cannot be built.
    divisible: tuple[tuple[str, str], ...] = ()

    def problems(self, config: Mapping[str, Any], where: str) -> list[str]:
        """Every problem of ``config`` (the architecture's settings, nlpbench's keys removed)."""
        aliases = dict(self.aliases or {})
        problems: list[str] = []
        named: dict[str, str] = {}  # setting → the name the suite gave it
        settings: dict[str, Any] = {}
        passed = self.passed_through | PRETRAINED_KEYS
        for key, value in config.items():
            setting = aliases.get(key, key)
            if setting in named:
                problems.append(f"{where}.{key}: the same setting as {named[setting]}; give one of them")
                continue
            named[setting] = key
            if setting not in passed:
                settings[setting] = value
        for problem in option_problems(self.schema, settings, where):
            problems.append(_renamed(problem, where, named))
        if problems:
            return problems
        defaults = self.schema()
        for width, heads in self.divisible:
            size, count = settings.get(width, getattr(defaults, width)), settings.get(heads, getattr(defaults, heads))
            if size % count:
                problems.append(
                    f"{where}.{named.get(width, width)}: {size} is not a multiple of "
                    f"{named.get(heads, heads)} ({count}): each attention head takes an equal share of it"
                )
        return problems

    @property
    def known(self) -> tuple[str, ...]:
        """Every key this architecture's ``config:`` takes (for suggestions)."""
        passed = sorted(self.passed_through | PRETRAINED_KEYS)
        return (*OWN_KEYS, *self.schema.model_fields, *(self.aliases or {}), *passed)


class CommonSizes(Options):
    """The size settings most transformers architectures share: checked for any
    ``model_type`` nlpbench has no schema for (other keys pass, to be checked on loading)."""

    model_config = ConfigDict(extra="allow")

    vocab_size: Size | None = Field(default=None, description="Tokens in the vocabulary.")
    hidden_size: Size | None = Field(default=None, description="The width of the hidden states.")
    intermediate_size: Size | None = Field(default=None, description="The width of the feed-forward layers.")
    num_hidden_layers: Count | None = Field(default=None, description="Transformer layers.")
    num_attention_heads: Count | None = Field(default=None, description="Attention heads per layer.")
    num_key_value_heads: Count | None = Field(default=None, description="Key and value heads per layer.")
    head_dim: Size | None = Field(default=None, description="The width of each attention head.")
    max_position_embeddings: Size | None = Field(
        default=None, description="The most positions (tokens) the model reads."
    )


def config_problems(config: Any, default: ArchitectureCheck, where: str = "config") -> list[str]:
    """Every problem of a model entry's ``config:``: nlpbench's own keys (``model_type``,
    ``tokenizer``) and the architecture's settings, each one line naming its key."""
    if not isinstance(config, Mapping):
        return [f"{where}: must be a mapping of architecture settings, not {type(config).__name__}"]
    problems = []
    for key in OWN_KEYS:
        value = config.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            problems.append(f"{where}.{key}: must be a non-empty string, not {value!r}")
    model_type = config.get("model_type", default.model_type)
    settings = {key: value for key, value in config.items() if key not in OWN_KEYS}
    if model_type == default.model_type:
        unknown = [key for key in settings if key not in default.known]
        for key in unknown:
            problems.append(
                f"{where}.{key}: not a setting of {default.model_type}{did_you_mean(str(key), default.known)}"
            )
        problems += default.problems({k: v for k, v in settings.items() if k not in unknown}, where)
    else:
        problems += option_problems(CommonSizes, settings, where)
    return problems


def _renamed(problem: str, where: str, named: Mapping[str, str]) -> str:
    """``problem`` naming the key as the suite spelt it (an alias), not the setting."""
    for setting, key in named.items():
        if key != setting and problem.startswith(f"{where}.{setting}:"):
            return f"{where}.{key}:" + problem.removeprefix(f"{where}.{setting}:")
    return problem
