"""Asking a model for a list of examples' predictions.

The requests of every example are built, those the store already answers are taken from
it, and the rest are cut into batches over the WHOLE list
(:func:`nlpbench.running.batching.plan_batches`: longest first, so similar lengths pad
together) and handed to the model's worker. Answers come back per batch, in any order;
an example is processed by its task as soon as all of its requests are answered, and
what finished is stored batch by batch, so an interrupted run loses at most the
batches in flight.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from nlpbench.contracts.components import Example, Request
from nlpbench.contracts.errors import NlpbenchError, TaskError
from nlpbench.results.store import NOT_RECORDED, Store, example_key
from nlpbench.running.batching import CHUNK_SIZE, plan_batches
from nlpbench.running.failures import error_line
from nlpbench.running.interrupts import Stopped
from nlpbench.running.models import LazyModel, NarrowedCapabilities
from nlpbench.running.plugin_output import checked_prediction, checked_probabilities, checked_requests
from nlpbench.running.preparing import PreparedTask
from nlpbench.running.progress import Progress

_MISSING = object()


class Predicted(NamedTuple):
    """What :meth:`Asker.predict` gives back for a list of examples."""

    predictions: list[Any]
    #: per example, the task's label probabilities (its ``probabilities`` hook), else None
    probabilities: list[Any]
    prompts: list[str | None]
    #: how many came from the store
    cached: int
    #: each example's key in the store
    keys: list[str]


class Asker:
    """Gets predictions from the store, else from the model, storing what the model answers."""

    def __init__(
        self,
        store: Store | None,
        *,
        use_cache: bool,
        progress: bool | None,
        batch_size: int = CHUNK_SIZE,
        stop: threading.Event | None = None,
    ):
        self.store = store
        self.use_cache = use_cache
        self.progress = progress
        self.batch_size = batch_size
        #: set when the run stops: a model answering in a thread stops after its batch in flight
        self.stop = stop

    def predict(
        self,
        label: str,
        model: LazyModel,
        task: PreparedTask,
        examples: Sequence[Example],
        strategy: str,
        key: str | None = None,
        *,
        check: bool = False,
    ) -> Predicted:
        """Every example's prediction, from the store where it has them, else from the
        model (loaded only then). With ``check`` (a cell's own examples), a model with
        ``check_examples`` is shown the task's example ids before it is asked anything."""
        per_example = [_requests(task, example, strategy) for example in examples]
        keys = [example_key(example.id, requests) for example, requests in zip(examples, per_example, strict=True)]
        found = self.store.cached(key, keys) if self.store is not None and key is not None and self.use_cache else {}
        wants_probabilities = callable(getattr(task.instance, "probabilities", None))
        predictions: list[Any] = [_MISSING] * len(examples)
        probabilities: list[Any] = [None] * len(examples)
        for i, k in enumerate(keys):
            stored = found.get(k)
            # a row stored before probabilities were recorded is asked again when the task gives them
            if stored is not None and not (wants_probabilities and stored[1] is NOT_RECORDED):
                predictions[i] = stored[0]
                probabilities[i] = None if stored[1] is NOT_RECORDED else stored[1]
        missing = [i for i, p in enumerate(predictions) if p is _MISSING]
        #: example key → the prompt the model said it was shown (stored, or rendered now)
        rendered: dict[str, str] = {k: stored[2] for k, stored in found.items() if stored[2] is not None}
        if missing:
            worker = model.get()
            if strategy not in worker.capabilities:
                raise NarrowedCapabilities(strategy)
            if check:  # a replay's saved predictions must line up with these
                worker.check_examples(task.spec.name, task.example_ids, [example.id for example in examples])
            # every missing request, with the example it belongs to and its place there
            flat = [(i, j, request) for i in missing for j, request in enumerate(per_example[i])]
            answers: dict[int, list[Any]] = {i: [None] * len(per_example[i]) for i in missing}
            waiting = {i: len(per_example[i]) for i in missing}
            # a model that says how many requests it takes per call (a served one: 1) gets that many
            per_call = getattr(worker, "batch_requests", None) or self.batch_size
            batches = plan_batches([request for _, _, request in flat], per_call)
            by_capability: dict[str, list[list[int]]] = {}
            for batch in batches:  # plan_batches keeps each batch to one capability
                by_capability.setdefault(flat[batch[0]][2].capability, []).append(batch)
            described = False
            rendering = getattr(worker, "rendered_prompt", None)
            with Progress(total=len(flat), label=label, enabled=self.progress) as bar:
                for capability, planned in by_capability.items():
                    asked = UntilStopped([[flat[p][2] for p in batch] for batch in planned], self.stop)
                    for index, got in worker.ask(capability, asked):
                        finished = []
                        for p, answer in zip(planned[index], got, strict=True):
                            i, j, _ = flat[p]
                            answers[i][j] = answer
                            waiting[i] -= 1
                            if waiting[i] == 0:
                                finished.append(i)
                        for i in sorted(finished):
                            predictions[i], probabilities[i] = _processed(task, examples[i], strategy, answers.pop(i))
                        if callable(rendering):  # what a chat model was shown: its template's rendering
                            for i in finished:
                                shown = rendering(per_example[i][0])
                                if shown is not None:
                                    rendered[keys[i]] = shown
                        if finished and self.store is not None and key is not None:
                            self.store.save_predictions(
                                key,
                                [(keys[i], examples[i].id, predictions[i], probabilities[i]) for i in sorted(finished)],
                                rendered,
                            )
                            if not described:  # kept with the first answers: a resumed run still has it
                                described = True
                                info = worker.describe()
                                if info is not None:
                                    self.store.save_model_info(key, info)
                        bar.update(len(got))
                        # a worker that takes its batches one by one from ``asked`` finishes
                        # those it started and starts no more; any other stops here
                        stopped = self.stop is not None and self.stop.is_set()
                        if stopped and not getattr(worker, "finishes_in_flight", False):
                            raise Stopped("the run was stopped")
                    if self.stop is not None and self.stop.is_set():
                        raise Stopped("the run was stopped")
        prompts = [rendered.get(k) or _prompt_of(requests[0]) for k, requests in zip(keys, per_example, strict=True)]
        return Predicted(predictions, probabilities, prompts, len(examples) - len(missing), keys)


class UntilStopped(list[Sequence[Request]]):
    """A cell's batches that stop being handed out once the run is stopped: a worker that
    iterates them (the local one, with several calls in flight or one) answers those it
    has started, each stored as it comes back, and starts no more."""

    def __init__(self, batches: list[Sequence[Request]], stop: threading.Event | None) -> None:
        super().__init__(batches)
        self._stop = stop

    def __iter__(self) -> Iterator[Sequence[Request]]:
        for batch in super().__iter__():
            if self._stop is not None and self._stop.is_set():
                return
            yield batch


def example_requests(task: PreparedTask, example: Example, strategy: str) -> list[Request]:
    """The example's requests as a cell asks them (built by its task, checked, each knowing
    its example's id): what the attribution stage explains."""
    return _requests(task, example, strategy)


def _requests(task: PreparedTask, example: Example, strategy: str) -> list[Request]:
    """The example's requests, checked, each knowing its example's id."""
    try:
        built = task.instance.build_requests(example, strategy)
    except (NlpbenchError, KeyboardInterrupt):
        raise
    except BaseException as error:
        raise TaskError(f"building requests for example '{example.id}': {error_line(error)}") from error
    requests = checked_requests(built, example.id, task.instance.build_requests)
    return [r if r.example_id else dataclasses.replace(r, example_id=example.id) for r in requests]


def _processed(task: PreparedTask, example: Example, strategy: str, answers: list[Any]) -> tuple[Any, Any]:
    """The example's prediction and label probabilities (None where the task gives none),
    from its answers, each made plain JSON (as the store keeps it)."""
    probabilities_of = getattr(task.instance, "probabilities", None)
    try:
        prediction = task.instance.process_answers(example, strategy, answers)
        probabilities = probabilities_of(example, strategy, answers) if callable(probabilities_of) else None
    except (NlpbenchError, KeyboardInterrupt):
        raise
    except BaseException as error:
        raise TaskError(f"processing answers for example '{example.id}': {error_line(error)}") from error
    # a stored prediction comes back as plain JSON: make a fresh one the same, so a
    # resumed run scores exactly what an uninterrupted one does
    return (
        checked_prediction(prediction, example.id, task.instance.process_answers),
        checked_probabilities(probabilities, example.id, probabilities_of),
    )


def _prompt_of(request: Request) -> str | None:
    """What the model was shown, when it was a prompt rather than the bare input."""
    for attribute in ("prompt", "context"):
        value = getattr(request, attribute, None)
        if isinstance(value, str):
            return value
    return None
