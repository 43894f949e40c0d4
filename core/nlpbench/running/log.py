"""The run's log on stderr: one line per finished cell and audit, and with ``debug`` the
traceback of each failure as it happens (``nlpbench --debug run``)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any


class RunLog:
    """Writes the run's lines through ``write`` (stderr by default)."""

    def __init__(self, write: Callable[[str], None] | None = None, *, debug: bool = False) -> None:
        self.write = write or log_to_stderr
        self.debug = debug

    def __call__(self, message: str) -> None:
        self.write(message)

    def traceback(self, text: str | None) -> None:
        """With ``debug``, a failure's traceback."""
        if self.debug and text:
            self.write(text.rstrip("\n"))

    def cell(self, result: Mapping[str, Any]) -> None:
        head = f"{result['model']} × {result['task']}"
        if result["status"] == "ok":
            first = next(iter(result["metrics"].items()), None)
            score = f"{first[0]} {first[1]['value']:.4g}" if first and first[1]["value"] is not None else "no metrics"
            self.write(
                f"ok      {head}: {score} ({result['n']} examples, {result['seconds']:.2f} s){from_store(result)}"
            )
        elif result["status"] == "failed":
            self.write(f"FAILED  {head}: {result['error']}")
            self.traceback(result.get("traceback"))
        else:
            self.write(f"n/a     {head}: {result['reason']}")

    def audit(self, entries: list[dict[str, Any]]) -> None:
        """One line per audited cell: its first measured value (a flip rate, say) and how
        many entries it wrote; the rest are in results.json and the report."""
        if not entries:
            return
        head = f"{entries[0]['model']} × {entries[0]['task']} audit {entries[0]['audit']}"
        measured = [e for e in entries if e["value"] is not None]
        for entry in entries:
            self.traceback(entry.get("traceback"))
        if not measured:
            self.write(f"audit   {head}: {entries[0]['reason']}")
            return
        first = measured[0]
        summary = f"{first['group']} {first['measure']} {first['value']:.4g} (n={first['n']})"
        more = f"; {len(entries)} entries" if len(entries) > 1 else ""
        skipped = len(entries) - len(measured)
        self.write(f"audit   {head}: {summary}{more}" + (f", {skipped} not computed" if skipped else ""))


def from_store(result: Mapping[str, Any]) -> str:
    """`` (from the store)`` for an ok cell the store answered whole, `` (4 of 8 from the
    store)`` for one it answered in part, else empty: a cell's seconds are then not the
    model's work (the report's efficiency panel says the same)."""
    cached, n = result.get("cached") or 0, result.get("n") or 0
    if cached <= 0:
        return ""
    return " (from the store)" if cached >= n else f" ({cached} of {n} from the store)"


def log_to_stderr(message: str) -> None:
    """A line on stderr; a closed or broken stderr loses the line, never the run."""
    try:
        if sys.stderr is not None:
            print(message, file=sys.stderr, flush=True)
    except (OSError, ValueError):  # EPIPE, or a closed file
        pass
