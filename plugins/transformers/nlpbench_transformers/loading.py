"""Loading a model and its tokenizer from what a suite says: a local folder saved with
``save_pretrained`` (``path:``), a hub id (``hub:``, ``revision:``) or a config
(``config:``), untrained. Safetensors only: pickled weights are refused. A saved model
may be spread across devices (``params.device_map``, see :mod:`.placement`)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from huggingface_hub.errors import StrictDataclassError
from transformers import CONFIG_MAPPING, AutoConfig, AutoTokenizer, PreTrainedTokenizerBase
from transformers.utils import logging as hf_logging

from nlpbench import ConfigError, ConfigErrors, ModelError, ModelSpec, did_you_mean

from .architecture import PRETRAINED_KEYS
from .device import resolve_device, resolve_dtype
from .entry import DEVICE_MAP_NEEDS_A_CHECKPOINT
from .params import HFParams
from .placement import input_device, placement_arguments, placement_facts

#: Keys of ``config:`` that are ours, not the architecture's.
CONFIG_OWN_KEYS = ("model_type", "tokenizer")


@dataclass
class Loaded:
    """A model on its device (for a model spread across devices, the one it reads its
    inputs on), its tokenizer, and where they came from."""

    model: Any
    tokenizer: PreTrainedTokenizerBase
    device: torch.device
    dtype: torch.dtype
    source: str
    trained: bool
    #: ``params.device_map`` when the model was spread across devices, else None.
    device_map: str | None = None

    def describe(self) -> dict[str, Any]:
        facts = {"source": self.source, "trained": self.trained, "device": str(self.device),
                 "dtype": str(self.dtype).removeprefix("torch."),
                 "parameters": sum(p.numel() for p in self.model.parameters())}  # fmt: skip
        if self.device_map is not None:
            facts.update(device_map=self.device_map, placement=placement_facts(self.model))
        return facts


def load_model(
    spec: ModelSpec,
    params: HFParams,
    auto_class: Any,
    *,
    default_model_type: str,
    default_tokenizer: Callable[[], PreTrainedTokenizerBase],
    config_overrides: Mapping[str, Any] | None = None,
    ignore_mismatched_sizes: bool = False,
) -> Loaded:
    """The model ``spec`` names, loaded with ``auto_class`` (say ``AutoModelForCausalLM``),
    on the device and in the dtype ``params`` ask for, in evaluation mode.

    ``config_overrides`` are set on the model's config (fine-tuning gives a new head its
    ``num_labels`` and ``id2label`` this way); with ``ignore_mismatched_sizes``, weights
    of the checkpoint whose shapes no longer fit (a head with other labels) are left
    out and initialised afresh instead of being an error.

    With ``params.device_map`` (and unless ``params.device`` is ``cpu``), accelerate
    spreads the model across the devices (``params.max_memory`` caps each); it is not
    moved afterwards, and :attr:`Loaded.device` is where it reads its inputs."""
    device = resolve_device(params.device)
    device_map = spread_over(params, spec)
    dtype = resolve_dtype(params.dtype, device)
    overrides = dict(config_overrides or {})
    hf_logging.disable_progress_bar()  # our own progress bar is the one users watch
    if spec.config is not None:
        model, tokenizer = _from_config(spec, auto_class, default_model_type, default_tokenizer, overrides)
        model = model.to(dtype=dtype)
        source, trained = f"config ({model.config.model_type}, untrained)", False
    else:
        where, revision = _where(spec)
        _refuse_pickles(where, spec)
        placement = placement_arguments(device_map, params.max_memory) if device_map is not None else {}
        try:
            model = auto_class.from_pretrained(
                where, revision=revision, dtype=dtype, use_safetensors=True,
                trust_remote_code=spec.trust_remote_code, ignore_mismatched_sizes=ignore_mismatched_sizes,
                **placement, **overrides,
            )  # fmt: skip
            tokenizer = AutoTokenizer.from_pretrained(
                where, revision=revision, trust_remote_code=spec.trust_remote_code
            )
        except (OSError, ValueError, KeyError) as error:
            raise ModelError(f"cannot load '{where}': {' '.join(str(error).split())[:300]}") from error
        except IndexError as error:  # transformers' placement of tied weights fails for some max_memory
            raise ModelError(
                f"cannot spread '{where}' with device_map {device_map} and max_memory {params.max_memory}: "
                f"transformers failed ({error}); another max_memory may place it"
            ) from error
        source, trained = (f"hub {where}" + (f"@{revision}" if revision else "")) if spec.hub else f"path {where}", True
    if device_map is None:
        model.to(device)
    else:
        device = input_device(model)  # accelerate placed it: it is not moved again
    model.eval()
    return Loaded(model, tokenizer, device, dtype, source, trained, device_map)


def spread_over(params: HFParams, spec: ModelSpec) -> str | None:
    """The device map the model loads with: ``params.device_map``, unless ``device: cpu``
    keeps the whole model on the CPU. ConfigError for a model built from ``config:``
    (accelerate spreads a saved checkpoint as it reads it)."""
    if params.device_map is None or params.device == "cpu":
        return None
    if spec.config is not None:
        raise ConfigError(DEVICE_MAP_NEEDS_A_CHECKPOINT)
    return params.device_map


def config_settings(config_class: Any) -> set[str]:
    """Every setting ``config_class`` (a transformers configuration) takes by name: its
    attributes, its aliases (GPT-2's ``hidden_size`` for ``n_embd``) and its arguments."""
    names = set(config_class().to_dict()) | set(getattr(config_class, "attribute_map", {}))
    names |= {name for name in inspect.signature(config_class.__init__).parameters if name not in ("self", "kwargs")}
    return names | set(PRETRAINED_KEYS)


def check_model_type(model_type: str) -> None:
    """ConfigError for a ``config.model_type`` transformers does not know."""
    if model_type not in CONFIG_MAPPING:
        known = list(CONFIG_MAPPING.keys())
        raise ConfigError(
            f"config.model_type: transformers has no model type '{model_type}'{did_you_mean(model_type, known)}"
        )


def check_settings(config: Any, given: Mapping[str, Any]) -> None:
    """ConfigErrors for each key of ``given`` that the built ``config`` did not take:
    transformers keeps an unknown key as an attribute nobody reads, so a typo would
    silently build the default architecture. A key the class turns into another setting
    (Llama's ``rope_theta`` into ``rope_parameters``) is taken. ``nlpbench validate``
    checks the model types' default architectures already; this catches the others."""
    known = config_settings(type(config))
    unknown = [key for key in given if key not in known and getattr(config, key, _ABSENT) == given[key]]
    if unknown:
        model_type = config.model_type
        raise ConfigErrors(
            [f"config.{key}: not a setting of {model_type}{did_you_mean(key, sorted(known))}" for key in unknown]
        )


_ABSENT = object()


def _where(spec: ModelSpec) -> tuple[str, str | None]:
    if spec.path is not None:
        return str(spec.path), None
    if spec.hub is not None:
        return spec.hub, spec.revision
    raise ConfigError("give one of path (a folder saved with save_pretrained), hub (a hub id) or config")


def _refuse_pickles(where: str, spec: ModelSpec) -> None:
    folder = Path(where)
    if spec.path is None or not folder.is_dir():
        return
    if not any(folder.glob("*.safetensors")) and any(folder.glob("*.bin")):
        raise ModelError(f"{folder}: holds only pickled weights (*.bin); nlpbench loads safetensors only: "
                         "re-save with save_pretrained(..., safe_serialization=True)")  # fmt: skip


def _from_config(
    spec: ModelSpec,
    auto_class: Any,
    default_model_type: str,
    default_tokenizer: Callable[[], PreTrainedTokenizerBase],
    overrides: Mapping[str, Any] | None = None,
) -> tuple[Any, PreTrainedTokenizerBase]:
    config_map: Mapping[str, Any] = spec.config or {}
    model_type = str(config_map.get("model_type", default_model_type))
    tokenizer_path = config_map.get("tokenizer")
    tokenizer: PreTrainedTokenizerBase
    if tokenizer_path is not None:
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(spec.resolve(tokenizer_path)))
        except (OSError, ValueError) as error:
            raise ModelError(
                f"config.tokenizer: cannot load '{tokenizer_path}': {' '.join(str(error).split())[:200]}"
            ) from error
    else:
        tokenizer = default_tokenizer()
    given = {k: v for k, v in config_map.items() if k not in CONFIG_OWN_KEYS}
    check_model_type(model_type)
    settings = {**given, **(overrides or {})}
    settings.setdefault("vocab_size", len(tokenizer))
    try:
        config = AutoConfig.for_model(model_type, **settings)
    except (ValueError, TypeError, StrictDataclassError) as error:  # transformers 5 validates configs strictly
        raise ConfigError(f"config: {' '.join(str(error).split())[:300]}") from error
    check_settings(config, given)
    for name in ("pad_token_id", "eos_token_id", "bos_token_id"):
        token_id = getattr(tokenizer, name, None)
        if token_id is not None and getattr(config, name, None) is None:
            setattr(config, name, token_id)
    torch.manual_seed(spec.seed)  # the same suite seed builds the same untrained weights
    return auto_class.from_config(config), tokenizer
