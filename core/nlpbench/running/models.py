"""A suite's model as the runner holds it: loaded through the executor only when a cell
needs an answer the store does not have, so a run served from the store loads nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from nlpbench.contracts.components import ModelSpec
from nlpbench.running.executors.base import Executor, ModelWorker
from nlpbench.running.failures import Failure


class ModelUnavailable(Exception):
    """The model could not be loaded: every cell that needs it fails with this failure."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.error)
        self.failure = failure


class NarrowedCapabilities(Exception):
    """The loaded model does not declare the strategy its type promised."""


class LazyModel:
    """One model entry of the suite, loaded by ``executor`` the first time :meth:`get` is called."""

    def __init__(self, spec: ModelSpec, executor: Executor, log: Callable[[str], None]) -> None:
        self.spec = spec
        self.executor = executor
        self.log = log
        self.worker: ModelWorker | None = None
        self.failure: Failure | None = None
        #: what decides the model's answers, for the store's keys (computed once)
        self.identity: dict[str, Any] | None = None
        #: how long loading took (kept out of every cell's seconds), None until it loaded
        self.load_seconds: float | None = None
        #: whether a cell has recorded load_seconds yet (the first cell that asked it does)
        self.load_recorded = False

    @property
    def loaded(self) -> bool:
        return self.worker is not None

    def get(self) -> ModelWorker:
        if self.worker is None and self.failure is None:
            self.log(f"loading model '{self.spec.name}' ({self.spec.type})")
            started = time.perf_counter()
            try:
                self.worker = self.executor.load(self.spec)
            except KeyboardInterrupt:
                raise
            except BaseException as error:  # sys.exit() in a loader too: this model's cells fail, no more
                self.failure = Failure.of(error, "loading the model")
            self.load_seconds = round(time.perf_counter() - started, 3)
        if self.failure is not None:
            raise ModelUnavailable(self.failure)
        assert self.worker is not None
        return self.worker

    @property
    def capabilities(self) -> frozenset[str]:
        return self.worker.capabilities if self.worker is not None else frozenset()

    @property
    def capability_notes(self) -> dict[str, str]:
        """Why the loaded model lacks a capability its type may have (capability → why)."""
        return dict(getattr(self.worker, "capability_notes", None) or {})

    def usage(self) -> dict[str, float] | None:
        """What the loaded model has used so far (its ``usage()``: tokens, cost), if it counts."""
        count = getattr(self.worker, "usage", None)
        return count() if callable(count) else None

    @property
    def replicas(self) -> int:
        return self.worker.replicas if self.worker is not None else 1

    def describe(self) -> dict[str, Any] | None:
        """What the loaded model says about itself."""
        return self.worker.describe() if self.worker is not None else None

    def tokens_processed(self) -> int | None:
        """The tokens the loaded model has read so far, if it counts them (for tokens/s)."""
        return self.worker.tokens_processed() if self.worker is not None else 0

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
