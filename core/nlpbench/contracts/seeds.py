"""Stable seeds derived from names, without numpy (prompt sampling imports this while
plugins are listed)."""

from __future__ import annotations

import hashlib


def derived_seed(*parts: object) -> int:
    """A stable 63-bit seed from ``parts`` (Python's ``hash`` changes between processes)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1
