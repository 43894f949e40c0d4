"""The ``params:`` of a ``t5`` model: the common transformer ones plus ``score_eos``.

``T5Model.check_spec`` runs this when a suite is validated, so a typo is caught before
anything loads (it imports the shared library, and so torch, only then).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nlpbench import ConfigError

if TYPE_CHECKING:  # nlpbench_transformers imports torch: only when a spec is checked
    from nlpbench_transformers import HFParams

#: The t5 model type's own params, beside the common ones (device, dtype, batch_size,
#: max_length, truncation).
OWN_PARAMS = ("score_eos",)

#: Encoder inputs keep their beginning: T5 prompts start with the task prefix
#: ("summarize: ", "translate German to English: ") and that must survive.
DEFAULT_TRUNCATION = "right"


@dataclass(frozen=True)
class T5Params:
    """The common params, validated, and the t5 model type's own."""

    common: HFParams
    score_eos: bool = False


def parse_t5_params(params: Mapping[str, Any]) -> T5Params:
    """ConfigError naming the key (with a "did you mean") for anything wrong."""
    if not isinstance(params, Mapping):
        raise ConfigError(f"params must be a mapping, not {type(params).__name__}")
    from nlpbench_transformers import parse_params

    common = parse_params(params, own=OWN_PARAMS, default_truncation=DEFAULT_TRUNCATION)
    score_eos = params.get("score_eos", False)
    if not isinstance(score_eos, bool):
        raise ConfigError(f"params.score_eos: must be true or false, not {score_eos!r}")
    return T5Params(common, score_eos)
