"""The store as a run writes it: one connection, every call serialised by a lock, so the
model pipelines of an executor that runs several models at once (each in its own thread)
can share it. SQLite has one writer at a time anyway; the lock keeps one thread's
transaction from taking in another's statements on the shared connection."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nlpbench.results.store import Store


class SharedStore(Store):
    """A :class:`~nlpbench.results.store.Store` safe to call from several threads."""

    def __init__(self, path: Path) -> None:
        self.lock = threading.RLock()
        super().__init__(path)

    def close(self) -> None:
        with self.lock:
            super().close()

    def cached(self, cell_key: str, keys: Iterable[str]) -> dict[str, tuple[Any, Any, str | None]]:
        with self.lock:
            return super().cached(cell_key, keys)

    def save_predictions(
        self, cell_key: str, rows: Sequence[tuple[str, str, Any, Any]], prompts: Mapping[str, str] | None = None
    ) -> None:
        with self.lock:
            super().save_predictions(cell_key, rows, prompts)

    def cached_score(self, cell_key: str, metric_key: str, examples: str, bootstrap: str) -> tuple[Any, Any] | None:
        with self.lock:
            return super().cached_score(cell_key, metric_key, examples, bootstrap)

    def save_score(
        self, cell_key: str, metric_key: str, examples: str, bootstrap: str, score: Any, rows: Sequence[Sequence[float]]
    ) -> None:
        with self.lock:
            super().save_score(cell_key, metric_key, examples, bootstrap, score, rows)

    def derived(self, key: str) -> Any:
        with self.lock:
            return super().derived(key)

    def save_derived(self, key: str, value: Any) -> None:
        with self.lock:
            super().save_derived(key, value)

    def start_run(self, out_dir: Path, suite: str, suite_hash: str, started: str) -> int:
        with self.lock:
            return super().start_run(out_dir, suite, suite_hash, started)

    def finish_run(self, run_id: int, finished: str, status: str) -> None:
        with self.lock:
            super().finish_run(run_id, finished, status)

    def save_cell(
        self,
        run_id: int,
        result: Mapping[str, Any],
        cell_key: str,
        examples: Sequence[tuple[str, Any, Sequence[Any], Mapping[str, list[float]]]],
    ) -> None:
        with self.lock:
            super().save_cell(run_id, result, cell_key, examples)

    def last_model_info(self, cell_key: str) -> Any:
        with self.lock:
            return super().last_model_info(cell_key)

    def save_model_info(self, cell_key: str, info: Any) -> None:
        with self.lock:
            super().save_model_info(cell_key, info)

    # a model's weights are hashed outside the lock (a big checkpoint takes seconds, and
    # other models' threads store their answers meanwhile); only the hash cache is locked
    def _known_sha256(self, path: str, size: int, mtime_ns: int) -> str | None:
        with self.lock:
            return super()._known_sha256(path, size, mtime_ns)

    def _remember_sha256(self, path: str, size: int, mtime_ns: int, sha256: str) -> None:
        with self.lock:
            super()._remember_sha256(path, size, mtime_ns, sha256)
