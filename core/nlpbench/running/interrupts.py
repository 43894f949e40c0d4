"""Stopping a run from outside: Ctrl-C (SIGINT) and SIGTERM, which batch schedulers
(Slurm, Kubernetes, systemd) send before they kill a job.

Both end a run the same way: the finished cells are kept, ``results.json`` says
``interrupted``, the report is written, and the exit code says which signal it was
(130 for SIGINT, 143 for SIGTERM, 128 + the signal's number, as a shell reports it).
SIGTERM becomes :class:`Terminated`, a ``KeyboardInterrupt``, so every place that lets
Ctrl-C through (the runner's failure isolation above all) lets it through too.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM while a run was going on."""


class Stopped(KeyboardInterrupt):
    """Raised in a model's thread between two batches once the run has been stopped (the
    main thread took the Ctrl-C or SIGTERM): the batch it finished is stored, the model
    asks nothing more, and the thread ends so the runner can close the store."""


def exit_code(interrupt: KeyboardInterrupt) -> int:
    """The exit code of a run stopped by ``interrupt``: 143 for SIGTERM, 130 for Ctrl-C."""
    return EXIT_TERMINATED if isinstance(interrupt, Terminated) else EXIT_INTERRUPTED


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated("terminated (SIGTERM)")


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """While the block runs, SIGTERM raises :class:`Terminated` in the main thread;
    afterwards the previous handler is back. Outside the main thread (where Python
    cannot set handlers) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
