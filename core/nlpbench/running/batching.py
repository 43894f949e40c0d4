"""How a cell's requests are cut into the batches a model answers in one call each.

One function, shared by every executor, so a batch's composition (and with it every
float a padded forward pass gives) is the same whether the model runs in this process
or as Ray actors. Batches are planned over all the requests a cell still needs, longest
first: requests of a similar length share a batch, so a model that pads a batch to its
longest request pads little, and the slowest batches come first (a progress bar's
estimate only gets better).
"""

from __future__ import annotations

from collections.abc import Sequence

from nlpbench.contracts.components import Request

#: Requests handed to a model per call. The model batches within it; batches of this
#: size exist so the progress bar moves, an interrupt loses little and replicas share work.
CHUNK_SIZE = 256

#: The fields a model reads. Their characters are the proxy for a request's tokens
#: (tokenizers differ; characters are known before any model loads). ``source`` is
#: left out: only extractive baselines read it, and they read no tokens.
TEXT_FIELDS = ("prompt", "context", "continuation", "text", "text_pair", "question")


def request_length(request: Request) -> int:
    """Characters of the request's text fields: how long it is to a model, roughly."""
    total = 0
    for name in TEXT_FIELDS:
        value = getattr(request, name, None)
        if isinstance(value, str):
            total += len(value)
    return total


def plan_batches(requests: Sequence[Request], size: int = CHUNK_SIZE) -> list[list[int]]:
    """The positions of ``requests`` in batches of at most ``size``: grouped by capability
    (in the order each first appears, so a batch is one capability's), each group sorted
    longest first, then cut every ``size`` requests.

    Sorted by example: an example's requests (the same ``example_id``) stay together, in
    their order, ranked by the longest of them (:func:`request_length`); examples of
    equal length keep their order. So a multiple-choice question's answers share a call
    (a model that runs a shared context once still can), and an interrupted run loses
    whole examples with the batch in flight, not parts of many. A request without an
    ``example_id`` is an example of its own."""
    if size < 1:
        raise ValueError(f"batch size must be at least 1, not {size}")
    groups: dict[str, list[int]] = {}
    for position, request in enumerate(requests):
        groups.setdefault(request.capability, []).append(position)
    batches: list[list[int]] = []
    for positions in groups.values():
        # each example's rank: (its longest request, longest first; where it first appears)
        rank: dict[object, tuple[int, int]] = {}
        for p in positions:
            example = _example_of(requests[p], p)
            longest, first = rank.get(example, (0, p))
            rank[example] = (min(longest, -request_length(requests[p])), first)
        ordered = sorted(positions, key=lambda p: (rank[_example_of(requests[p], p)], p))
        batches.extend(ordered[start : start + size] for start in range(0, len(ordered), size))
    return batches


def _example_of(request: Request, position: int) -> object:
    """What ties a request to the others of its example: its id, else its own position."""
    return request.example_id if request.example_id is not None else ("request", position)
