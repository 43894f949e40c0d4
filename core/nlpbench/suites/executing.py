"""A suite's ``executor:`` entry and its models' ``replicas`` and ``resources``.

``executor: {type: local|ray, address: HOST:PORT, placement_timeout: SECONDS}`` says
where the models run (``nlpbench run --executor/--ray-address`` win over it). A model
entry's ``replicas: N`` and ``resources: {num_gpus, num_cpus, memory}`` say how many
copies of it answer, and what each asks of a Ray cluster; neither decides the model's
answers, so neither is part of its key in the store. The local executor runs one copy
in this process: it accepts both and uses neither (``nlpbench validate`` notes it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nlpbench.suites.suite import _Checker

EXECUTORS = ("local", "ray")
EXECUTOR_KEYS = ("type", "address", "placement_timeout")
RESOURCE_KEYS = ("num_gpus", "num_cpus", "memory")
#: Seconds the Ray executor waits for the cluster to place a model's replicas.
DEFAULT_PLACEMENT_TIMEOUT = 60.0

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class ExecutorSpec:
    """The suite's ``executor:`` entry (the default: local)."""

    type: str = "local"
    address: str | None = None
    placement_timeout: float = DEFAULT_PLACEMENT_TIMEOUT


def memory_bytes(value: Any) -> int | None:
    """``value`` (bytes, or a size such as ``4GiB``, ``512MB``, ``2G``) in bytes; None
    when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    found = _SIZE.match(value)
    if not found:
        return None
    number, unit = float(found.group(1)), (found.group(2) or "").upper()
    base = 1024 if "I" in unit else 1000
    power = "BKMGT".index(unit[0]) if unit else 0
    return int(number * base**power)


def executor_entry(check: _Checker, suite_map: Mapping[str, Any]) -> ExecutorSpec:
    """The suite's ``executor:``, validated (ConfigError naming the line)."""
    if "executor" not in suite_map or suite_map["executor"] is None:
        return ExecutorSpec()
    entry = check.mapping(suite_map["executor"], suite_map, "executor", "executor")
    check.keys(entry, EXECUTOR_KEYS, "executor")
    kind = entry.get("type", "local")
    if kind not in EXECUTORS:
        raise check.fail(entry, "type", "executor.type", f"must be one of {', '.join(EXECUTORS)}, not {kind!r}")
    address = check.string(entry, "address", "executor")
    if address is not None and kind != "ray":
        raise check.fail(entry, "address", "executor.address", "only applies with type: ray")
    timeout = entry.get("placement_timeout", DEFAULT_PLACEMENT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise check.fail(entry, "placement_timeout", "executor.placement_timeout", "must be a number of seconds > 0")
    return ExecutorSpec(str(kind), address, float(timeout))


def replicas_of(check: _Checker, entry: Mapping[str, Any], where: str) -> int:
    """A model entry's ``replicas`` (an integer of at least 1; default 1)."""
    replicas = check.integer(entry, "replicas", where, minimum=1)
    return 1 if replicas is None else replicas


def resources_of(check: _Checker, entry: Mapping[str, Any], where: str) -> dict[str, float | int]:
    """A model entry's ``resources``: ``num_gpus`` ≥ 0, ``num_cpus`` > 0 (numbers) and
    ``memory`` (bytes or a size string, made bytes)."""
    given = check.sub_mapping(entry, "resources", where)
    inside = f"{where}.resources"
    check.keys(given, RESOURCE_KEYS, inside)
    resources: dict[str, float | int] = {}
    for key in ("num_gpus", "num_cpus"):
        if key not in given:
            continue
        value = given[key]
        number = not isinstance(value, bool) and isinstance(value, (int, float))
        if not number or not (value >= 0 if key == "num_gpus" else value > 0):
            bound = "≥ 0" if key == "num_gpus" else "> 0"
            raise check.fail(given, key, f"{inside}.{key}", f"must be a number {bound}, not {value!r}")
        resources[key] = value
    if "memory" in given:
        size = memory_bytes(given["memory"])
        if size is None or size <= 0:
            raise check.fail(
                given, "memory", f"{inside}.memory", f"must be bytes or a size such as 4GiB, not {given['memory']!r}"
            )
        resources["memory"] = size
    return resources


def local_copies_notes(suite: Any) -> list[str]:
    """What ``nlpbench validate`` notes about models with ``replicas`` above 1 or
    ``resources`` in a suite whose executor is local: accepted, and unused there (the
    same suite runs with ``--executor ray``, where they count)."""
    if suite.executor.type != "local":
        return []
    notes = []
    for model in suite.models:
        unused = ([f"replicas: {model.replicas}"] if model.replicas > 1 else []) + (
            ["resources"] if model.resources else []
        )
        if unused:
            notes.append(
                f"model '{model.name}': {' and '.join(unused)} apply only with --executor ray "
                "(the local executor runs one copy in this process)"
            )
    return notes
