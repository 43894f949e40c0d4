"""Peak memory of a stretch of work, per cell.

On Linux the kernel's high-water mark of resident memory (VmHWM) can be reset by
writing 5 to /proc/self/clear_refs, which gives a true per-cell peak that includes
memory allocated by native code (torch, numpy). Elsewhere we fall back to the
process-wide peak. When torch has already been imported and CUDA is in use, the GPU
peak is measured too; torch is never imported just to ask.
"""

from __future__ import annotations

import re
import resource
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _high_water_kb() -> int | None:
    try:
        match = re.search(r"VmHWM:\s+(\d+)\s+kB", _STATUS.read_text())
    except OSError:
        return None
    return int(match.group(1)) if match else None


def _reset_high_water() -> bool:
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def _cuda() -> Any | None:
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    try:
        return torch.cuda if torch.cuda.is_available() and torch.cuda.is_initialized() else None
    except Exception:  # a broken CUDA set-up must not break measuring
        return None


class PeakMemory:
    """``with PeakMemory() as peak: ...`` then ``peak.mb`` (resident) and ``peak.gpu_mb``."""

    def __init__(self) -> None:
        self.mb: float | None = None
        self.gpu_mb: float | None = None

    def __enter__(self) -> PeakMemory:
        _reset_high_water()
        cuda = _cuda()
        if cuda is not None:
            cuda.reset_peak_memory_stats()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        kb = _high_water_kb()
        if kb is None:  # not Linux: the process-wide peak (kB on Linux, bytes on macOS)
            maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            kb = maxrss // 1024 if sys.platform == "darwin" else maxrss
        self.mb = round(kb / 1024, 1)
        cuda = _cuda()
        if cuda is not None:
            self.gpu_mb = round(cuda.max_memory_allocated() / 2**20, 1)
