"""The local executor: each model loaded in this process, one after another.

What the runner did before executors existed, kept as it was: the model is built by its
type's class from this process's plugin host, each batch is one call of its capability
method, and what the model hands back is checked before the runner sees it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from nlpbench.contracts.components import ModelSpec, Request
from nlpbench.contracts.errors import ModelError, NlpbenchError
from nlpbench.plugins.host import PluginHost
from nlpbench.running.failures import error_line
from nlpbench.running.plugin_output import checked_answers, checked_token_count, described


class LocalWorker:
    """A model loaded in this process (a :class:`~nlpbench.running.executors.base.ModelWorker`).

    A model that waits on something else (a served model waits on its server) may say
    how it wants to be asked: ``batch_requests`` (requests per call of its capability
    method; the runner stores each call's answers as it returns, so 1 keeps every answered
    request however the run ends) and ``concurrent_requests`` (calls made at once, from
    a pool of threads; answers come back in the order they finish). It may explain a
    capability it lacks in ``capability_notes`` (capability → why), said in the reason
    of the cells that needed it, and count what it used in ``usage()`` (cumulative
    numbers by name: tokens in and out, cost), recorded per cell."""

    replicas = 1
    #: it takes a cell's batches one by one from the sequence it is given: a stopped run
    #: (whose sequence stops handing them out) gets back every call already started
    finishes_in_flight = True

    def __init__(self, name: str, instance: Any) -> None:
        self.name = name
        #: the model object itself (its type's class, built from the spec)
        self.instance = instance
        self.capabilities = frozenset(getattr(instance, "capabilities", ()))
        self.batch_requests = _count(instance, "batch_requests")
        self.concurrent_requests = _count(instance, "concurrent_requests") or 1
        notes = getattr(instance, "capability_notes", None)
        self.capability_notes = {str(k): str(v) for k, v in notes.items()} if isinstance(notes, dict) else {}

    def rendered_prompt(self, request: Request) -> str | None:
        """The text the model says it is shown for ``request`` (its ``render_prompt``: a chat
        model's conversation through its template), None when it does not say."""
        shown = self._optional("render_prompt", request)
        if shown is not None and not isinstance(shown, str):
            raise ModelError(f"render_prompt() must return a string or None, not {type(shown).__name__}")
        return shown

    def usage(self) -> dict[str, float] | None:
        """The model's ``usage()`` (cumulative counts by name), checked; None when it has none."""
        counted = self._optional("usage")
        if counted is None:
            return None
        if not isinstance(counted, dict) or not all(
            isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool) for k, v in counted.items()
        ):
            raise ModelError(f"usage() must return a mapping of names to numbers, not {counted!r:.80}")
        return {k: float(v) for k, v in counted.items()}

    def tokens_processed(self) -> int | None:
        counted = self._optional("tokens_processed")
        return None if counted is None else checked_token_count(counted, self.instance.tokens_processed)

    def _optional(self, hook: str, *args: Any) -> Any:
        """What the model's optional ``hook`` returns (None when it has none); anything it
        raises but an nlpbench error or Ctrl-C is a one-line ModelError naming the hook."""
        method = getattr(self.instance, hook, None)
        if not callable(method):
            return None
        try:
            return method(*args)
        except (NlpbenchError, KeyboardInterrupt):
            raise
        except BaseException as error:
            raise ModelError(f"{hook}() failed: {error_line(error)}") from error

    def describe(self) -> dict[str, Any] | None:
        return described(self.instance, f"model '{self.name}'", ModelError).get("info")

    def check_examples(self, task: str, ids: Sequence[str], selected: Sequence[str]) -> None:
        check = getattr(self.instance, "check_examples", None)
        if callable(check):  # a replay's saved predictions must line up with these
            check(task, ids, selected)

    def ask(self, capability: str, batches: Sequence[Sequence[Request]]) -> Iterator[tuple[int, list[Any]]]:
        """Each batch, one call of the capability method each (``concurrent_requests``
        calls at a time); answers checked, yielded as each call returns."""
        method = getattr(self.instance, capability, None)
        if capability not in self.capabilities or not callable(method):
            raise ModelError(f"the model does not answer '{capability}' requests")

        def call(batch: Sequence[Request]) -> list[Any]:
            asked = list(batch)
            try:
                returned = method(asked)
            except (Exception, KeyboardInterrupt):
                raise
            except BaseException as error:  # sys.exit() and the like: the cell's failure, not the run's end
                raise ModelError(f"{capability}: {error_line(error)}") from error
            return checked_answers(returned, capability, asked, method)

        if self.concurrent_requests == 1:
            for index, batch in enumerate(batches):  # iterated, not indexed: see finishes_in_flight
                yield index, call(batch)
            return
        yield from _concurrently(call, batches, self.concurrent_requests, self.name)

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


def _count(instance: Any, attribute: str) -> int | None:
    """A model's positive whole-number setting, None when it has none (or not a positive int)."""
    value = getattr(instance, attribute, None)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _concurrently(
    call: Callable[[Sequence[Request]], list[Any]], batches: Sequence[Sequence[Request]], at_once: int, name: str
) -> Iterator[tuple[int, list[Any]]]:
    """``call`` on every batch from ``at_once`` threads, each result yielded as it comes,
    a new batch taken from ``batches`` as each call returns. The first failure starts no
    more and is raised once the calls in flight have returned (their answers are yielded
    first: nothing answered is lost). A stopped run's ``batches`` stop handing out more
    (:class:`nlpbench.running.asking.UntilStopped`): the calls in flight are yielded too,
    as they are when Ctrl-C or SIGTERM reaches this thread while it waits (then raised)."""
    pool = ThreadPoolExecutor(max_workers=at_once, thread_name_prefix=f"nlpbench-{name}")
    waiting: dict[Future[list[Any]], int] = {}
    queued = iter(enumerate(batches))
    failure: BaseException | None = None
    try:
        for index, batch in itertools.islice(queued, at_once):
            waiting[pool.submit(call, batch)] = index
        while waiting:
            try:
                done, _ = wait(waiting, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt as interrupt:  # Ctrl-C or SIGTERM in this thread (the main one)
                if isinstance(failure, KeyboardInterrupt):
                    raise  # a second one: the calls in flight are left
                failure = interrupt  # the calls in flight come back and are stored first
                continue
            for future in done:
                index = waiting.pop(future)
                error = future.exception()
                if error is not None:
                    failure = failure or error
                    continue
                yield index, future.result()
                if failure is None:
                    for more, batch in itertools.islice(queued, 1):
                        waiting[pool.submit(call, batch)] = more
        if failure is not None:
            raise failure
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
