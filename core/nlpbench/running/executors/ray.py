"""The Ray executor: each model replica is a Ray actor; every model runs at once.

The driver (this process) keeps its whole job: it plans the batches, checks every answer,
processes them, writes the store and results. Actors only answer batches, one call of the
model's capability method each (:mod:`nlpbench.running.executors.ray_actor`), so results
are the same as the local executor's. A model's ``replicas`` share a cell's batches,
balanced by length (:mod:`nlpbench.running.executors.sharing`); each replica has one
batch in flight, and gets the next as it answers.

Faults: an actor that dies (killed, crashed, out of memory) is restarted by Ray (up to
``max_failures`` times); only the batches it had in flight are asked again, of it or of
another replica. Past ``max_failures`` failures the cell fails with Ray's reason. A
reservation the cluster cannot place fails the model's cells after ``placement_timeout``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from typing import Any

from nlpbench.contracts.components import ModelSpec, Request
from nlpbench.contracts.errors import ModelError
from nlpbench.plugins.host import PluginHost
from nlpbench.running.batching import request_length
from nlpbench.running.executors.ray_actor import ModelActor, portable_recipe
from nlpbench.running.executors.ray_cluster import RayConnection, bundle_of, check_reachable, import_ray, reserve
from nlpbench.running.executors.sharing import share, steal
from nlpbench.running.failures import Failure
from nlpbench.running.plugin_output import checked_answers, checked_description, checked_token_count

#: Seconds to wait for the cluster to place a model's replicas before failing its cells.
PLACEMENT_TIMEOUT = 60.0
#: Actor deaths a model survives (per model, over the run): each restarts the actor.
MAX_FAILURES = 3
#: Seconds between asking a restarting actor whether it is back.
PROBE_INTERVAL = 0.25


class RemoteFailure(ModelError):
    """A model's code failed in its actor: the message is its error's one line, and the
    actor's traceback is kept as the cause."""


class _RemoteTraceback(Exception):
    def __init__(self, text: str) -> None:
        super().__init__("\n" + text.rstrip("\n"))


def _remote(failure: Failure) -> RemoteFailure:
    error = RemoteFailure(failure.error)
    error.__cause__ = _RemoteTraceback(failure.traceback)
    return error


#: what ``describe`` gets when no replica answered
_NO_ANSWER = object()


class RayWorker:
    """A model's replicas, as actors (a :class:`~nlpbench.running.executors.base.ModelWorker`)."""

    def __init__(
        self, ray: Any, spec: ModelSpec, model_class: Any, actors: list[Any], group: Any, capabilities: frozenset[str]
    ) -> None:
        self.ray = ray
        self.name = spec.name
        self.model_class = model_class
        self.actors = actors
        self.group = group
        self.capabilities = capabilities
        #: replicas that are alive (a replica Ray gave up restarting is dropped)
        self.live = list(range(len(actors)))
        self.failures = 0
        self.max_failures = MAX_FAILURES
        #: seconds a restarting replica may take to come back before it is given up
        self.restart_timeout = PLACEMENT_TIMEOUT

    @property
    def replicas(self) -> int:
        return len(self.live)

    # -- asking -----------------------------------------------------------------

    def ask(self, capability: str, batches: Sequence[Sequence[Request]]) -> Iterator[tuple[int, list[Any]]]:
        """Every batch, shared among the live replicas by length; yields each as it comes.

        Each replica has one batch in flight. When its actor dies the batch goes back to
        the front of its queue, and the replica is probed (its ``ready``) until Ray has
        restarted it; meanwhile an idle replica may take the work. Only batches in flight
        are ever asked twice."""
        if capability not in self.capabilities:
            raise ModelError(f"the model does not answer '{capability}' requests")
        if not self.live:
            raise ModelError(f"model '{self.name}': none of its Ray actors is left")
        weights = [sum(request_length(r) for r in batch) for batch in batches]
        queues: list[list[int]] = [[] for _ in self.actors]
        for replica, shared in zip(self.live, share(weights, len(self.live)), strict=True):
            queues[replica] = shared
        in_flight: dict[Any, tuple[int, int | None]] = {}  # ref → (replica, batch index; None: a probe)
        probes_due: dict[int, float] = {}  # restarting replica → when to probe it again
        down_since: dict[int, float] = {}  # restarting replica → when it went down
        method = getattr(self.model_class, capability, self.model_class)

        def busy(replica: int) -> bool:
            return replica in probes_due or any(r == replica for r, _ in in_flight.values())

        def submit(replica: int) -> None:
            index = steal([queues[r] if r in self.live else [] for r in range(len(queues))], replica)
            if index is None:
                index = _take_orphan(queues, self.live)
            if index is not None:
                in_flight[self.actors[replica].answer.remote(capability, list(batches[index]))] = (replica, index)

        def feed_idle() -> None:
            for replica in self.live:
                if not busy(replica):
                    submit(replica)

        def work_left() -> bool:  # probes alone do not keep a cell waiting: its batches do
            return any(index is not None for _, index in in_flight.values()) or any(queues)

        def give_up_on_the_late(now: float) -> None:
            """A replica not back within ``restart_timeout`` is dropped, even while its probe hangs."""
            for replica, down in list(down_since.items()):
                if replica in self.live and now - down > self.restart_timeout:
                    probes_due.pop(replica, None)
                    for ref, (r, index) in list(in_flight.items()):
                        if r == replica and index is None:
                            del in_flight[ref]
                    late = f"its Ray actor did not come back within {self.restart_timeout:.0f} s"
                    self._drop(replica, ModelError(f"model '{self.name}': {late}"))
                    feed_idle()

        feed_idle()
        while work_left():
            now = time.monotonic()
            give_up_on_the_late(now)
            for replica, due in list(probes_due.items()):
                if due <= now:
                    del probes_due[replica]
                    in_flight[self.actors[replica].ready.remote()] = (replica, None)
            deadlines = [*probes_due.values()]
            deadlines += [down + self.restart_timeout for r, down in down_since.items() if r in self.live]
            wait = max(0.0, min(deadlines) - now) if deadlines else None
            if not in_flight:
                time.sleep(wait or 0.0)
                continue
            ready, _ = self.ray.wait(list(in_flight), num_returns=1, timeout=wait)
            if not ready:
                continue
            replica, index = in_flight.pop(ready[0])
            try:
                got = self.ray.get(ready[0])
            except self.ray.exceptions.RayTaskError as error:  # the model's own code raised
                raise _cause_of(error) from error
            except self.ray.exceptions.RayError as error:  # the actor died, or is coming back
                if index is not None:  # a lost batch: asked again, first thing
                    queues[replica].insert(0, index)
                    self._failed(replica, error)
                elif not isinstance(error, self.ray.exceptions.ActorUnavailableError):
                    self._failed(replica, error)  # not restarting: a failure of its own
                down = down_since.setdefault(replica, time.monotonic())
                if replica in self.live and time.monotonic() - down > self.restart_timeout:
                    self._drop(replica, ModelError(f"model '{self.name}': {_reason(error)}"))
                elif replica in self.live:
                    probes_due[replica] = time.monotonic() + PROBE_INTERVAL
                feed_idle()
                continue
            if index is not None:
                yield index, checked_answers(got, capability, batches[index], method)
            elif got[2] is not None:  # restarted, it could not load again: its work goes to the others
                self._drop(replica, _remote(got[2]))
                feed_idle()
                continue
            else:
                down_since.pop(replica, None)
            if replica in self.live:
                submit(replica)
        left = [i for queue in queues for i in queue]
        if left:  # every replica is gone with work left (a bug of ours if ever reached)
            raise ModelError(f"model '{self.name}': no replica left to answer {len(left)} batches")

    def _failed(self, replica: int, error: BaseException) -> None:
        """Count a replica's death; ModelError with Ray's reason past ``max_failures``."""
        self.failures += 1
        reason = _reason(error)
        if self.failures > self.max_failures:
            raise ModelError(f"model '{self.name}': its Ray actors failed {self.failures} times; last: {reason}")
        if isinstance(error, self.ray.exceptions.ActorDiedError):  # Ray will not restart it
            self._drop(replica, ModelError(f"model '{self.name}': {reason}"))

    def _drop(self, replica: int, error: BaseException) -> None:
        if replica in self.live:
            self.live.remove(replica)
        if not self.live:
            raise error

    # -- the model's other hooks ----------------------------------------------------

    def _call(self, replica: int, method: str, *args: Any) -> Any:
        try:
            return self.ray.get(getattr(self.actors[replica], method).remote(*args))
        except self.ray.exceptions.RayTaskError as error:
            raise _cause_of(error) from error
        except self.ray.exceptions.RayError as error:
            raise ModelError(f"model '{self.name}': {method}(): {_reason(error)}") from None

    def _answering(self, method: str, *args: Any) -> Iterator[tuple[int, Any]]:
        """(replica, what its ``method`` returned) for each live replica that answers. One
        that died or is coming back is skipped, its death counted as ``ask`` counts it (a
        replica Ray will not restart is dropped): a copy gone between cells fails no cell
        while another copy answers. ModelError past ``max_failures`` or with none left."""
        for replica in list(self.live):
            try:
                answer = self.ray.get(getattr(self.actors[replica], method).remote(*args))
            except self.ray.exceptions.RayTaskError as error:  # the model's own code raised
                raise _cause_of(error) from error
            except self.ray.exceptions.RayError as error:
                if not isinstance(error, self.ray.exceptions.ActorUnavailableError):
                    self._failed(replica, error)
                continue
            yield replica, answer

    def describe(self) -> dict[str, Any] | None:
        """The ``describe()`` of the first replica that answers (replicas are copies of one model)."""
        try:
            info = next((answer for _, answer in self._answering("describe")), _NO_ANSWER)
        except ModelError:
            raise
        except Exception as error:
            raise ModelError(f"model '{self.name}': describe() failed: {Failure.of(error).error}") from error
        if info is _NO_ANSWER:
            raise ModelError(f"model '{self.name}': no Ray actor of it answered describe()")
        source = getattr(self.model_class, "describe", self.model_class)
        return checked_description(info, f"model '{self.name}'", source, ModelError) or None

    def tokens_processed(self) -> int | None:
        """The answering replicas' counts, added up (None when a replica does not count; a
        replica restarted by Ray counts from zero again)."""
        source = getattr(self.model_class, "tokens_processed", self.model_class)
        total = 0
        try:
            for _, answer in self._answering("tokens_processed"):
                counted = checked_token_count(answer, source)
                if counted is None:
                    return None
                total += counted
        except ModelError:
            raise
        except Exception as error:
            raise ModelError(f"tokens_processed() failed: {Failure.of(error).error}") from error
        return total

    def check_examples(self, task: str, ids: Sequence[str], selected: Sequence[str]) -> None:
        for _ in self._answering("check_examples", task, list(ids), list(selected)):
            pass

    def close(self) -> None:
        """Each answering replica's ``close()``, then the actors and their reservation are let go."""
        try:
            for _ in self._answering("close"):
                pass
        finally:
            self.release()

    def release(self) -> None:
        """End the actors and free their reservation, once (removing a placement group
        twice can block)."""
        actors, group = self.actors, self.group
        self.actors, self.group, self.live = [], None, []
        for actor in actors:
            with contextlib.suppress(Exception):  # already gone
                self.ray.kill(actor)
        if group is not None:
            with contextlib.suppress(Exception):  # the cluster went away
                self.ray.util.remove_placement_group(group)


class RayExecutor:
    """Runs each model's replicas as Ray actors (an :class:`~nlpbench.running.executors.base.Executor`).

    ``address``: a cluster to use (``HOST:PORT``, ``ray://HOST:PORT``, ``auto``); None
    starts a local cluster for the run, on 127.0.0.1, when the first model loads. A
    named address is reached at once: one that cannot be is a ConfigError (exit 2).
    ``host``: the driver's plugins; each actor makes the same host in its own process.
    """

    kind = "ray"

    def __init__(
        self,
        address: str | None,
        host: PluginHost,
        *,
        models: int = 1,
        placement_timeout: float = PLACEMENT_TIMEOUT,
        max_failures: int = MAX_FAILURES,
    ) -> None:
        self.ray = import_ray()
        self.host = host
        self.models = max(1, models)
        self.placement_timeout = placement_timeout
        self.max_failures = max_failures
        self.connection = RayConnection(self.ray, address)
        self.workers: list[RayWorker] = []
        if address is not None:  # a wrong address is the user's mistake: said before anything runs
            check_reachable(address)
            self.connection.connect()

    def models_at_once(self) -> int:
        return self.models  # the cluster schedules them: each model's cells go on at the same time

    def load(self, spec: ModelSpec) -> RayWorker:
        self.connection.connect()
        ray = self.ray
        model_class = self.host.models.get(spec.type).component
        bundle = bundle_of(spec.resources)
        group = reserve(self.connection, spec.name, spec.replicas, bundle, self.placement_timeout)
        from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

        actor_class = ray.remote(ModelActor)
        recipe = portable_recipe(self.host.made_with)
        actors = [
            actor_class.options(
                num_cpus=bundle["CPU"],
                num_gpus=bundle.get("GPU", 0),
                memory=bundle.get("memory"),
                max_restarts=self.max_failures,
                max_task_retries=0,  # the driver asks a lost batch again itself, once, where it chooses
                scheduling_strategy=PlacementGroupSchedulingStrategy(group, placement_group_bundle_index=i),
            ).remote(spec, recipe)
            for i in range(spec.replicas)
        ]
        worker = RayWorker(ray, spec, model_class, actors, group, frozenset())
        worker.max_failures = self.max_failures
        loading = time.monotonic()
        try:
            states = [worker._call(i, "ready") for i in range(len(actors))]
        except BaseException:
            worker.release()
            raise
        # a restarted actor loads the model again: a model that took minutes to load the
        # first time is given that long again (twice over) before its copy is given up
        worker.restart_timeout = self.placement_timeout + 2 * (time.monotonic() - loading)
        for _, _, failure in states:
            if failure is not None:
                worker.release()
                raise _remote(failure)
        worker.capabilities = frozenset(states[0][1])
        self.workers.append(worker)
        return worker

    def shutdown(self) -> None:
        for worker in self.workers:
            worker.release()
        self.workers = []
        self.connection.shutdown()


def _take_orphan(queues: list[list[int]], live: list[int]) -> int | None:
    """A batch left in the queue of a replica that is gone."""
    for replica, queue in enumerate(queues):
        if replica not in live and queue:
            return queue.pop(0)
    return None


def _cause_of(error: Any) -> BaseException:
    """The exception the model's code raised in its actor (Ray keeps it as ``cause``)."""
    cause = getattr(error, "cause", None)
    return cause if isinstance(cause, BaseException) else ModelError(_reason(error))


def _reason(error: BaseException) -> str:
    """Ray's reason on one line: its first sentence or two, not its whole report."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:300]}" if text else type(error).__name__
