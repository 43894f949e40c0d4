"""Spreading a model too big for one device across several: ``params.device_map`` and
``params.max_memory`` handed to accelerate's big-model loading (``from_pretrained(...,
device_map=..., max_memory=...)``), and where such a model reads its inputs.

accelerate is imported only when a suite asks for a device map.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.util import find_spec
from typing import Any

import torch

from nlpbench import ModelError

#: Devices of a device map that hold weights but do not compute: accelerate runs the
#: modules it put there on the first accelerator of the map (its "main device").
OFFLOADED = ("cpu", "disk")


def require_accelerate() -> None:
    """ModelError, one line with the command that fixes it, when accelerate is missing."""
    if find_spec("accelerate") is None:
        raise ModelError("params.device_map needs accelerate, which is not installed: pip install accelerate")


def placement_arguments(device_map: str, max_memory: Mapping[Any, int | str] | None) -> dict[str, Any]:
    """The keyword arguments of ``from_pretrained`` that place the model across devices."""
    require_accelerate()
    arguments: dict[str, Any] = {"device_map": device_map}
    if max_memory is not None:
        arguments["max_memory"] = dict(max_memory)
    return arguments


def input_device(model: Any) -> torch.device:
    """Where ``model`` reads its inputs: for a model accelerate placed (``hf_device_map``),
    the device its first module computes on; otherwise that of its first weight."""
    placed: Mapping[str, Any] | None = getattr(model, "hf_device_map", None)
    if not placed:
        return next(model.parameters()).device
    return first_device(placed)


def first_device(device_map: Mapping[str, int | str | torch.device]) -> torch.device:
    """The device the first module of ``device_map`` computes on. A module kept on the CPU
    or on disk runs on the map's first accelerator (accelerate's main device), or on the
    CPU when the map names none."""
    values = list(device_map.values())
    first = values[0]
    if isinstance(first, str) and first in OFFLOADED:
        accelerators = [v for v in values if not (isinstance(v, str) and v in OFFLOADED)]
        return _device(accelerators[0]) if accelerators else torch.device("cpu")
    return _device(first)


def placement_facts(model: Any) -> dict[str, int]:
    """How many of the model's modules each device of its device map holds (``{}``: not placed)."""
    placed: Mapping[str, Any] = getattr(model, "hf_device_map", None) or {}
    counts: dict[str, int] = {}
    for where in placed.values():
        name = where if isinstance(where, str) and where in OFFLOADED else str(_device(where))
        counts[name] = counts.get(name, 0) + 1
    return counts


def _device(where: int | str | torch.device) -> torch.device:
    """A device map's value as a device: an integer is a CUDA index."""
    if isinstance(where, int):
        return torch.device("cuda", where)
    return torch.device(where)
