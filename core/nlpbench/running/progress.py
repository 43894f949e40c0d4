"""A progress bar on stderr that stays quiet when nobody is watching."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any


class Progress:
    """``with Progress(total, label) as bar: bar.update(n)``.

    ``enabled=None`` shows the bar only when stderr is a terminal, so logs and tests
    stay clean.
    """

    def __init__(self, total: int, label: str, enabled: bool | None = None, unit: str = "req") -> None:
        self.total = total
        self.label = label
        self.unit = unit
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._bar: Any = None

    def __enter__(self) -> Progress:
        if self.enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=self.total, desc=self.label, unit=self.unit, leave=False, file=sys.stderr)
        return self

    def update(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.close()
