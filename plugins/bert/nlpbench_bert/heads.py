"""Which head a checkpoint has, and what each head can do.

Read from the folder's ``config.json`` with the json module alone (no torch), so that
planning a run and ``nlpbench validate`` load nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nlpbench import ConfigError, ModelSpec, did_you_mean

#: The heads a ``bert`` model can have, as ``params.head`` spells them.
HEADS = ("classification", "qa", "masked-lm", "encoder")

#: What a model with each head declares.
CAPABILITIES_BY_HEAD: dict[str, frozenset[str]] = {
    "classification": frozenset({"classify", "encode"}),
    "qa": frozenset({"extract_span", "encode"}),
    "masked-lm": frozenset({"loglikelihood", "encode"}),
    "encoder": frozenset({"classify", "encode"}),  # classify: zero-shot, by embedding similarity
}

# The end of a transformers architecture name → the head it carries. BertForPreTraining
# holds the masked-LM head (and a next-sentence head we don't use).
_SUFFIXES = (
    ("ForSequenceClassification", "classification"),
    ("ForQuestionAnswering", "qa"),
    ("ForMaskedLM", "masked-lm"),
    ("ForPreTraining", "masked-lm"),
)


def head_of_architectures(architectures: Sequence[str] | None) -> str | None:
    """The head the architectures name; None when none are listed. Any other architecture
    (``BertModel``, token classification, multiple choice) is used as a bare encoder."""
    if not architectures:
        return None
    for architecture in architectures:
        for suffix, head in _SUFFIXES:
            if str(architecture).endswith(suffix):
                return head
    return "encoder"


def read_architectures(folder: Path) -> tuple[str, ...] | None:
    """``architectures`` from ``folder/config.json``; None when it is absent or unreadable
    (loading then says what is wrong)."""
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    architectures = config.get("architectures") if isinstance(config, dict) else None
    if not isinstance(architectures, list):
        return None
    return tuple(str(a) for a in architectures)


def forced_head(params: Mapping[str, Any]) -> str | None:
    """``params.head``, checked; None when the suite leaves the head to the checkpoint."""
    value = params.get("head")
    if value is None:
        return None
    if value not in HEADS:
        hint = did_you_mean(value, HEADS) if isinstance(value, str) else ""
        raise ConfigError(f"params.head: must be one of {', '.join(HEADS)}, not {value!r}{hint}")
    return str(value)


def resolve_head(spec: ModelSpec) -> str | None:
    """The head a model built from ``spec`` will have, without loading it: ``params.head``
    if given (checked against the checkpoint), else the checkpoint's architectures; a
    ``config:`` build is a bare encoder unless ``params.head`` says otherwise. None for a
    hub id without ``params.head``: that is only known once its config is fetched."""
    forced = forced_head(spec.params)
    if spec.config is not None:
        return forced or "encoder"
    if spec.path is None:
        return forced
    architectures = read_architectures(spec.path)
    detected = head_of_architectures(architectures)
    if forced is None:
        return detected or "encoder"
    check_forced_head(forced, detected, architectures, spec.path)
    return forced


def check_forced_head(forced: str, detected: str | None, architectures: Sequence[str] | None, where: Any) -> None:
    """ConfigError when ``params.head`` asks for a head the checkpoint lacks: its weights
    would be random. Dropping a head (``encoder``) is always fine."""
    if forced in ("encoder", detected) or detected is None:
        return
    raise ConfigError(
        f"params.head: '{forced}', but {where} is a {', '.join(architectures or ())} (head: {detected}), "
        f"so a {forced} head would be untrained: use head: {detected} or encoder, or leave params.head out"
    )
