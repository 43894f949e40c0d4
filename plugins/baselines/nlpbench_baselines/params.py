"""Checking a baseline's ``models:`` entry: its params, and that it asks for no weights."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping

from nlpbench import ConfigError, ModelSpec


def check_params(spec: ModelSpec, known: Collection[str], hint: str) -> None:
    """ConfigError for a ``path``, ``hub`` or ``config`` (a baseline loads nothing) or an unknown param."""
    for key in ("path", "hub", "config"):
        if getattr(spec, key) is not None:
            raise ConfigError(f"model type '{spec.type}' loads no weights: remove {key} ({hint})")
    if not isinstance(spec.params, Mapping):
        raise ConfigError(f"params must be a mapping, not {type(spec.params).__name__}")
    for key in spec.params:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
        suggestion = f" (did you mean '{close[0]}'?)" if close else ""
        takes = f"it takes: {', '.join(sorted(known))}" if known else "it takes none"
        raise ConfigError(f"model type '{spec.type}' has no param '{key}'{suggestion}; {takes}")


def string_param(spec: ModelSpec, key: str) -> str | None:
    """``params[key]`` as a non-empty string, or None when absent."""
    value = spec.params.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"params.{key} must be a non-empty string, not {value!r}")
    return value
