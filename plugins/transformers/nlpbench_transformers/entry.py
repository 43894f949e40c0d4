"""A transformer model entry checked as a whole when a suite is validated (without torch):
its ``params:`` against the model type's schema, its ``config:`` against the
architecture's, and what the two cannot do together."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from nlpbench import ConfigErrors, ModelSpec, option_problems

from .architecture import ArchitectureCheck, config_problems
from .params import HFParams

P = TypeVar("P", bound=HFParams)

#: Why ``device_map`` and ``config:`` do not go together.
DEVICE_MAP_NEEDS_A_CHECKPOINT = (
    "params.device_map: spreads a saved checkpoint (path: or hub:) across devices as it loads; a model built "
    "from config: loads on one device (save it with save_pretrained, then give its path)"
)


def checked_params(schema: type[P], spec: ModelSpec, architecture: ArchitectureCheck) -> P:
    """``spec.params`` as ``schema``; ConfigErrors listing every problem of the entry, each
    naming its key (see :func:`entry_problems`)."""
    problems = entry_problems(schema, spec, architecture)
    if problems:
        raise ConfigErrors(problems)
    return schema.model_validate(dict(spec.params))


def entry_problems(schema: type[HFParams], spec: ModelSpec, architecture: ArchitectureCheck) -> list[str]:
    """Every problem of the entry's params, of its ``config:`` and of the two together."""
    problems = option_problems(schema, spec.params, "params")
    if spec.config is not None:
        problems += config_problems(spec.config, architecture)
        problems += placement_problems(spec.params)
    return problems


def placement_problems(params: Mapping[str, Any]) -> list[str]:
    """For a model built from ``config:``: a ``device_map`` (unless ``device: cpu``, which
    loads it whole on the CPU anyway)."""
    if params.get("device_map") is not None and params.get("device") != "cpu":
        return [DEVICE_MAP_NEEDS_A_CHECKPOINT]
    return []
