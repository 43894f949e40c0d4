"""What a served model has used: tokens in and out as the server counts them, requests,
retries, and the cost when the suite gives a price."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from .params import Price


class Usage:
    """Cumulative counts, safe to add to from every thread asking the server."""

    def __init__(self, price: Price | None) -> None:
        self.price = price
        self._lock = threading.Lock()
        self.input_tokens = 0
        self.output_tokens = 0
        self.requests = 0

    def add(self, response: Mapping[str, Any]) -> None:
        """Count one answered request and the tokens its response's ``usage`` reports
        (a server that reports none adds only the request)."""
        counted = response.get("usage")
        counted = counted if isinstance(counted, Mapping) else {}
        prompt, completion = _count(counted.get("prompt_tokens")), _count(counted.get("completion_tokens"))
        with self._lock:
            self.requests += 1
            self.input_tokens += prompt
            self.output_tokens += completion

    def as_dict(self, retries: int) -> dict[str, float]:
        """The counts by name (``cost`` only with a price), for the runner's per-cell ``usage``."""
        with self._lock:
            counts: dict[str, float] = {
                "input_tokens": self.input_tokens,
                "output_tokens": self.output_tokens,
                "requests": self.requests,
                "retries": retries,
            }
        if self.price is not None:
            counts["cost"] = (
                counts["input_tokens"] * self.price.input + counts["output_tokens"] * self.price.output
            ) / 1e6
        return counts


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
