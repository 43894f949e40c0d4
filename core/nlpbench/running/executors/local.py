"""The local executor: each model loaded in this process, one after another.

What the runner did before executors existed, kept as it was: the model is built by its
type's class from this process's plugin host, each batch is one call of its capability
method, and what the model hands back is checked before the runner sees it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from nlpbench.contracts.components import ModelSpec, Request
from nlpbench.contracts.errors import ModelError, NlpbenchError
from nlpbench.plugins.host import PluginHost
from nlpbench.running.failures import error_line
from nlpbench.running.plugin_output import checked_answers, checked_token_count, described


class LocalWorker:
    """A model loaded in this process (a :class:`~nlpbench.running.executors.base.ModelWorker`)."""

    replicas = 1

    def __init__(self, name: str, instance: Any) -> None:
        self.name = name
        #: the model object itself (its type's class, built from the spec)
        self.instance = instance
        self.capabilities = frozenset(getattr(instance, "capabilities", ()))

    def describe(self) -> dict[str, Any] | None:
        return described(self.instance, f"model '{self.name}'", ModelError).get("info")

    def tokens_processed(self) -> int | None:
        count = getattr(self.instance, "tokens_processed", None)
        if not callable(count):
            return None
        try:
            counted = count()
        except (NlpbenchError, KeyboardInterrupt):
            raise
        except BaseException as error:
            raise ModelError(f"tokens_processed() failed: {error_line(error)}") from error
        return checked_token_count(counted, count)

    def check_examples(self, task: str, ids: Sequence[str], selected: Sequence[str]) -> None:
        check = getattr(self.instance, "check_examples", None)
        if callable(check):  # a replay's saved predictions must line up with these
            check(task, ids, selected)

    def ask(self, capability: str, batches: Sequence[Sequence[Request]]) -> Iterator[tuple[int, list[Any]]]:
        """Each batch in turn, one call of the capability method each; answers checked."""
        method = getattr(self.instance, capability, None)
        if capability not in self.capabilities or not callable(method):
            raise ModelError(f"the model does not answer '{capability}' requests")
        for index, batch in enumerate(batches):
            asked = list(batch)
            try:
                returned = method(asked)
            except (Exception, KeyboardInterrupt):
                raise
            except BaseException as error:  # sys.exit() and the like: the cell's failure, not the run's end
                raise ModelError(f"{capability}: {error_line(error)}") from error
            yield index, checked_answers(returned, capability, asked, method)

    def close(self) -> None:
        close = getattr(self.instance, "close", None)
        if callable(close):
            close()


class LocalExecutor:
    """Loads each model in this process with ``host``'s model types (an
    :class:`~nlpbench.running.executors.base.Executor`). By default one model at a time:
    a suite's models are loaded, asked and let go in turn, so only one is in memory.
    ``models_at_once`` above 1 runs that many models' pipelines side by side, each in a
    thread of this process (small models whose calls release the GIL, or that wait on a
    server); the results are the same."""

    kind = "local"

    def __init__(self, host: PluginHost, *, models_at_once: int = 1) -> None:
        if models_at_once < 1:
            raise ValueError(f"models_at_once must be at least 1, not {models_at_once}")
        self.host = host
        self._at_once = models_at_once

    def models_at_once(self) -> int:
        return self._at_once

    def load(self, spec: ModelSpec) -> LocalWorker:
        return LocalWorker(spec.name, self.host.models.get(spec.type).component(spec))

    def shutdown(self) -> None:
        pass
