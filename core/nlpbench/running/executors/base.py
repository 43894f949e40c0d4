"""The seam between the runner and where models run.

The runner (the *driver*, in the main process) alone builds requests, cuts them into
batches (:func:`nlpbench.running.batching.plan_batches`), processes answers and writes
the store and results. An :class:`Executor` only loads models and answers batches: in
this process (:class:`~nlpbench.running.executors.local.LocalExecutor`) or as Ray actors
(``nlpbench.running.executors.ray``). Because a batch is answered by one call of the
model's capability method whatever the executor, results are the same under either.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from nlpbench.contracts.components import ModelSpec, Request


class ModelWorker(Protocol):
    """One model of the suite, loaded by an executor (in this process, or as Ray actors)."""

    # read-only members: a worker may keep them as plain attributes or compute them
    # (a Ray worker's replicas are those still alive)

    @property
    def name(self) -> str:
        """The model entry's name."""
        ...

    @property
    def replicas(self) -> int:
        """How many copies answer (1 for local)."""
        ...

    @property
    def capabilities(self) -> frozenset[str]:
        """What the loaded model answers."""
        ...

    def describe(self) -> dict[str, Any] | None:
        """The model's ``describe()``, checked as for any plugin output (None when it has none)."""
        ...

    def tokens_processed(self) -> int | None:
        """The tokens the model has read so far, if it counts them (for tokens/s)."""
        ...

    def check_examples(self, task: str, ids: Sequence[str], selected: Sequence[str]) -> None:
        """The model's optional ``check_examples`` hook (a no-op when it has none): ``ids``
        are every example id of ``task``'s data, ``selected`` those the cell asks."""
        ...

    def ask(self, capability: str, batches: Sequence[Sequence[Request]]) -> Iterator[tuple[int, list[Any]]]:
        """Answer every batch; yield (batch index, its answers) as each batch finishes, in any
        order. A batch is answered by ONE call of the model's capability method (so a batch's
        composition, and with it every float, is the same whatever the executor). Raises
        ModelError (one line) when the model fails; answers already yielded are kept."""
        ...

    def close(self) -> None:
        """Let the model go (its ``close()``, if it has one; actors are ended)."""
        ...


class Executor(Protocol):
    """Loads a suite's models and hands back a :class:`ModelWorker` for each."""

    #: ``"local"`` or ``"ray"``: recorded in each cell's ``executor``
    kind: str

    def models_at_once(self) -> int:
        """How many models may be loaded and asked at the same time: 1 for local (models
        run one after another, as they fit in one process's memory); the Ray executor
        runs every model at once, each in its own actors."""
        ...

    def load(self, spec: ModelSpec) -> ModelWorker:
        """Build the model of ``spec`` (on the worker side its type is looked up by
        ``spec.type`` in a PluginHost of that process). A model that cannot load raises,
        and the runner fails every cell that needed it with that failure, as before."""
        ...

    def shutdown(self) -> None:
        """Release whatever the executor holds (a Ray connection); called once, at the end of a run."""
        ...
