"""Checking a baseline's ``models:`` entry: its params, and that it asks for no weights."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from nlpbench import ConfigError, ModelSpec, did_you_mean

#: The fields of a ``models:`` entry that point at something to load.
SOURCES = ("path", "hub", "config")


def check_params(spec: ModelSpec, known: Collection[str], hint: str, loads: Collection[str] = ()) -> None:
    """ConfigError for an unknown param, or a ``path``, ``hub`` or ``config`` the type does not take.

    A baseline loads no weights; ``loads`` names the fields it does take (``replay``
    reads its predictions from ``path``).
    """
    for key in SOURCES:
        if key not in loads and getattr(spec, key) is not None:
            raise ConfigError(f"model type '{spec.type}' loads no weights: remove {key} ({hint})")
    if not isinstance(spec.params, Mapping):
        raise ConfigError(f"params must be a mapping, not {type(spec.params).__name__}")
    for key in spec.params:
        if key in known:
            continue
        takes = f"it takes: {', '.join(sorted(known))}" if known else "it takes none"
        raise ConfigError(f"model type '{spec.type}' has no param '{key}'{did_you_mean(str(key), known)}; {takes}")


def string_param(spec: ModelSpec, key: str) -> str | None:
    """``params[key]`` as a non-empty string, or None when absent."""
    value = spec.params.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"params.{key} must be a non-empty string, not {value!r}")
    return value


def int_param(spec: ModelSpec, key: str, default: int, minimum: int = 1) -> int:
    """``params[key]`` as an integer of at least ``minimum``, or ``default`` when absent."""
    value = spec.params.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"params.{key} must be a whole number of at least {minimum}, not {value!r}")
    return value


def choice_param(spec: ModelSpec, key: str, choices: tuple[str, ...]) -> str:
    """``params[key]``, one of ``choices``; the first choice when absent."""
    value = spec.params.get(key)
    if value is None:
        return choices[0]
    if value not in choices:
        suggestion = did_you_mean(value, choices) if isinstance(value, str) else ""
        raise ConfigError(f"params.{key} must be one of {', '.join(choices)}, not {value!r}{suggestion}")
    return str(value)
