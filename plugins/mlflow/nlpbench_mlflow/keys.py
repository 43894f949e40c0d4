"""MLflow key names: only ``A-Z a-z 0-9 _ - . /`` and space, no ``.``/``..`` path parts,
at most 250 characters. nlpbench names may hold anything, so each is sanitized and the
mapping back to the original names is kept (and logged with the run)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

#: MLflow's limit on the length of a metric, param or tag key.
MAX_KEY_LENGTH = 250

_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_\-. ]")  # "/" separates parts, so it is replaced inside one


def sanitize_part(text: str) -> str:
    """One part of a key: every character MLflow refuses (``/`` and ``:`` included) becomes
    ``_``, and so do leading dots and an empty or blank part (paths MLflow would resolve)."""
    part = _NOT_ALLOWED.sub("_", text)
    if not part.strip():
        return "_" * max(1, len(part))
    dots = len(part) - len(part.lstrip("."))
    return "_" * dots + part[dots:]  # "..", or a key that starts with "..", reads as a parent folder


def sanitize_key(parts: Sequence[str], suffix: str = "") -> str:
    """``parts`` joined with ``/``, each sanitized, then ``suffix`` (itself already valid)."""
    return "/".join(sanitize_part(p) for p in parts) + suffix


@dataclass
class KeyMap:
    """Hands out unique, valid keys and remembers what each stands for."""

    keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    _by_origin: dict[tuple[tuple[str, ...], str], str] = field(default_factory=dict)

    def key(self, parts: Sequence[str], suffix: str = "", **meaning: Any) -> str:
        """The key for ``parts`` + ``suffix``; the same arguments always get the same key,
        different ones never share one (a clash gets ``_2``, ``_3``, …; an over-long key
        is cut and ends in a short hash of what it stands for)."""
        origin = (tuple(parts), suffix)
        if origin in self._by_origin:
            return self._by_origin[origin]
        candidate = sanitize_key(parts, suffix)
        if len(candidate) > MAX_KEY_LENGTH:
            digest = hashlib.sha256("\0".join([*parts, suffix]).encode()).hexdigest()[:8]
            candidate = candidate[: MAX_KEY_LENGTH - 9].rstrip("/.") + "-" + digest
        key, counter = candidate, 1
        while key in self.keys:
            counter += 1
            tail = f"_{counter}"
            key = candidate[: MAX_KEY_LENGTH - len(tail)] + tail
        self._by_origin[origin] = key
        self.keys[key] = dict(meaning)
        return key
