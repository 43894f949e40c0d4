"""Counting what had to be cut to fit ``max_length``, so results can say so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Truncation:
    """How many inputs were truncated, on which side, to how many tokens."""

    side: str
    max_length: int
    truncated: int = 0
    tokens_dropped: int = 0

    def cut(self, ids: list[int], keep: int | None = None) -> list[int]:
        """``ids`` cut to ``keep`` tokens (default ``max_length``) on this side, counted."""
        limit = self.max_length if keep is None else keep
        if len(ids) <= limit:
            return ids
        self.truncated += 1
        self.tokens_dropped += len(ids) - limit
        return ids[len(ids) - limit :] if self.side == "left" else ids[:limit]

    def describe(self) -> dict[str, Any]:
        return {"max_length": self.max_length, "truncation_side": self.side, "truncated_inputs": self.truncated,
                "truncated_tokens": self.tokens_dropped}  # fmt: skip
