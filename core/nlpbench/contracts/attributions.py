"""Token attributions: the task entry's ``attributions:`` option and what passes between
the core and a model that can explain its answers (docs/attributions.md).

A model type that can attribute has two optional methods (see docs/hooks.md):

- ``attribute(requests: list[AttributionRequest]) -> list[Attribution]``: for each
  example, which of its tokens drove the model's own answer, by ``method``;
- ``deletion_scores(requests: list[DeletionRequest]) -> list[list[float]]``: the explained
  value again with some of those tokens removed, for the faithfulness check.

The core chooses the examples, orders the deletions (by attribution, and at random) and
does the statistics; the model only computes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field

from nlpbench.contracts.options import Options

#: The methods, in the order docs/attributions.md describes them.
METHODS = ("integrated-gradients", "gradient-x-input", "attention")

#: The capabilities whose answers can be attributed: a label, a span, a chosen continuation.
ATTRIBUTABLE = ("classify", "extract_span", "loglikelihood")

#: The model methods of the two hooks.
ATTRIBUTE_HOOK = "attribute"
DELETION_HOOK = "deletion_scores"


class AttributionOptions(Options):
    """A task entry's ``attributions:``: which examples of each ok cell get token
    attributions, how they are computed, and how they are checked."""

    method: Literal["integrated-gradients", "gradient-x-input", "attention"] = Field(
        "integrated-gradients",
        description="integrated-gradients (on the embeddings, from an all-padding baseline), gradient-x-input, "
        "or attention (the last layer's, averaged over heads: a secondary view, not an explanation)",
    )
    examples: int = Field(20, ge=1, le=1000, description="how many examples of each cell are attributed")
    select: Literal["errors", "confident-errors", "random"] = Field(
        "confident-errors",
        description="errors (wrong predictions, in data order), confident-errors (wrong ones, the most "
        "confident first) or random (seeded by the suite's seed)",
    )
    steps: int = Field(50, ge=1, le=1000, description="integrated gradients' steps along the path from the baseline")
    tolerance: float = Field(
        0.05,
        gt=0,
        description="an integrated-gradients attribution whose completeness error exceeds tolerance × "
        "max(1, |f(x) − f(baseline)|) is flagged",
    )
    random_orders: int = Field(
        5, ge=1, le=100, description="random deletion orders averaged per example in the faithfulness check"
    )
    faithfulness: bool = Field(True, description="run the deletion check (false: attributions only)")


@dataclass(frozen=True)
class AttributionRequest:
    """One example to explain: its requests as the cell asks them (one capability), the
    method, and integrated gradients' ``steps``. The model explains its OWN answer: the
    label it gives the highest probability, the span it extracts, or (loglikelihood) the
    request whose continuation it finds most likely."""

    example_id: str
    capability: str
    requests: tuple[Any, ...]
    method: str = "integrated-gradients"
    steps: int = 50


@dataclass(frozen=True)
class Attribution:
    """What a model says drove its answer to one :class:`AttributionRequest`.

    ``tokens`` and ``scores`` line up (one score per token, as the model's tokenizer cut
    the input, special tokens included where the model reads them); ``target`` says what
    was explained (a label, a span's text, a continuation) and ``request`` which of the
    example's requests. ``value`` is the explained quantity f(x) (``measure``: a
    probability, or a log-probability); for integrated gradients ``baseline_value`` is
    f(baseline) and ``completeness_error`` is ``sum(scores) − (f(x) − f(baseline))``.
    ``deletable`` are the positions the faithfulness check may remove (the input's own
    tokens: not special tokens, not the span explained); ``handle`` is the model's own
    note of the target, handed back with each :class:`DeletionRequest`."""

    tokens: tuple[str, ...]
    scores: tuple[float, ...]
    target: str
    value: float
    request: int = 0
    measure: str = "probability"
    baseline_value: float | None = None
    completeness_error: float | None = None
    deletable: tuple[int, ...] = ()
    handle: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class DeletionRequest:
    """The explained value of ``attribution`` again, once per entry of ``removed``, with
    those token positions (of ``attribution.tokens``) taken out of the input."""

    request: AttributionRequest
    attribution: Attribution
    removed: tuple[tuple[int, ...], ...]
