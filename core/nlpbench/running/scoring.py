"""Asking a metric for its per-example statistics: the one call that the runner, rescoring,
audits and the conformance check share, so every caller passes probabilities the same way
and gets the same one-line errors.

A metric that sets ``uses_probabilities = True`` receives each example's probabilities
(a task's ``probabilities`` hook: label or choice → probability) as the keyword argument
``probabilities``; any other metric is called exactly as before. When a prediction has
no probabilities (the strategy gives none: generation, say), the metric is not called at
all and the score is "not computed", with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nlpbench.contracts.components import StatsArray
from nlpbench.contracts.errors import MetricError, MetricNotComputed, NlpbenchError, one_line
from nlpbench.running.failures import blame


def uses_probabilities(metric: Any) -> bool:
    """Whether ``metric`` asks for each example's probabilities."""
    return getattr(metric, "uses_probabilities", False) is True


def metric_stats(
    metric: Any,
    name: str,
    predictions: Sequence[Any],
    references: Sequence[Sequence[Any]],
    probabilities: Sequence[Mapping[str, float] | None] | None = None,
) -> StatsArray:
    """``metric``'s statistics of ``predictions``: a float array, one row per example.

    Raises MetricNotComputed when the metric needs probabilities that some prediction
    lacks, and MetricError (naming the metric) for anything the metric raises or a
    result of the wrong shape.
    """
    kwargs: dict[str, Any] = {}
    if uses_probabilities(metric):
        given = list(probabilities) if probabilities is not None else [None] * len(predictions)
        missing = sum(1 for p in given if p is None)
        if missing:
            raise MetricNotComputed(
                f"metric '{name}' needs each prediction's probabilities; {missing} of {len(given)} "
                "have none (the strategy gives none, or the task records none)"
            )
        kwargs["probabilities"] = given
    try:
        stats = np.asarray(metric.stats(predictions, references, **kwargs), dtype=np.float64)
    except NlpbenchError:
        raise
    except Exception as error:
        raise MetricError(f"metric '{name}': {one_line(error)}") from error
    if stats.ndim == 1:
        stats = stats[:, None]
    if stats.ndim != 2 or len(stats) != len(predictions):
        shape = f"metric '{name}' returned statistics of shape {stats.shape} for {len(predictions)} examples"
        raise blame(MetricError(shape), metric.stats)  # the traceback then says where stats() is
    return stats


def corpus_only_flag(metric: Any) -> dict[str, bool]:
    """``{"corpus_only": True}`` for a score's entry in results when the metric declares its
    score exists only for a whole corpus (its value for one example means nothing, so the
    report does not show it); nothing otherwise."""
    return {"corpus_only": True} if getattr(metric, "corpus_only", False) is True else {}


def not_computed_entry(metric: Any, reason: str) -> dict[str, Any]:
    """A score that could not be computed, with why: what results hold in its place."""
    return {
        "value": None,
        "ci_low": None,
        "ci_high": None,
        "higher_is_better": bool(getattr(metric, "higher_is_better", True)),
        "scale": list(getattr(metric, "scale", ())),
        "reason": f"not computed: {reason}",
    }
