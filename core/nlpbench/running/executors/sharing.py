"""How a cell's batches are shared among a model's replicas.

The driver plans the batches (:func:`nlpbench.running.batching.plan_batches`); replicas
only divide them, so a batch's composition, and every answer, is the same however many
replicas there are. Work is balanced by the requests' length (characters of their text,
the proxy for tokens :func:`~nlpbench.running.batching.request_length` documents), not by
how many batches each gets: a replica given the long batches would otherwise finish last.
"""

from __future__ import annotations

from collections.abc import Sequence


def share(weights: Sequence[int], replicas: int) -> list[list[int]]:
    """The batch indices each of ``replicas`` answers: heaviest batch first, each to the
    replica with the least work so far (ties: the lowest replica), each replica's list in
    the order it was given. Deterministic, so a rerun shares work the same way."""
    if replicas < 1:
        raise ValueError(f"replicas must be at least 1, not {replicas}")
    queues: list[list[int]] = [[] for _ in range(replicas)]
    loads = [0] * replicas
    for index in sorted(range(len(weights)), key=lambda i: -weights[i]):  # stable: ties keep their order
        lightest = min(range(replicas), key=lambda r: (loads[r], r))
        queues[lightest].append(index)
        loads[lightest] += max(1, weights[index])  # an empty batch still costs a call
    return queues


def steal(queues: list[list[int]], idle: int) -> int | None:
    """A batch for replica ``idle``, whose own queue is empty: the last one of the longest
    queue left (its owner reaches it last), so no replica waits while work remains. None
    when every queue is empty."""
    if queues[idle]:
        return queues[idle].pop(0)
    busiest = max(range(len(queues)), key=lambda r: (len(queues[r]), -r))
    if not queues[busiest]:
        return None
    return queues[busiest].pop()
