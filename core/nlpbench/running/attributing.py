"""Token attributions of an ok cell's chosen examples (a task entry's ``attributions:``;
docs/attributions.md).

After a cell is scored: the examples are chosen (its errors, its most confident errors
first, or a seeded random sample), the model's ``attribute`` hook explains its own answer
to each, and its ``deletion_scores`` hook gives the faithfulness check's deletions (the
most attributed tokens first, against random orders). What comes back is the cell's
``attributions`` summary and each attributed example's sample-line entry. A cell whose
model or strategy cannot be attributed keeps its scores and says why; a hook that
raises is the summary's failure, never the cell's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nlpbench.contracts.attributions import (
    ATTRIBUTABLE,
    ATTRIBUTE_HOOK,
    DELETION_HOOK,
    Attribution,
    AttributionOptions,
    AttributionRequest,
    DeletionRequest,
)
from nlpbench.contracts.components import Example
from nlpbench.contracts.errors import ModelError, NlpbenchError
from nlpbench.contracts.seeds import derived_seed
from nlpbench.results.documents import plain_json
from nlpbench.results.store import digest
from nlpbench.running.asking import Predicted, example_requests
from nlpbench.running.failures import Failure, error_line
from nlpbench.running.models import LazyModel, ModelUnavailable
from nlpbench.running.preparing import PreparedTask
from nlpbench.statistics.faithfulness import (
    ExampleDeletion,
    attribution_order,
    example_deletion,
    faithfulness_summary,
    random_orders,
    removals,
)

if TYPE_CHECKING:
    from nlpbench.running.pipeline import RunContext
    from nlpbench.suites.planning import Cell

#: The metrics read first to tell a wrong prediction from a right one.
CORRECTNESS_METRICS = ("accuracy", "acc", "squad-em", "exact-match", "em")


@dataclass(frozen=True)
class CellToAttribute:
    """What a scored cell gives the attribution stage."""

    model: str
    task: str
    strategy: str
    examples: Sequence[Example]
    requests_of: Callable[[Example], Sequence[Any]]  # an example's requests, as the cell asks them
    predictions: Sequence[Any]
    probabilities: Sequence[Any]
    per_example: Sequence[Mapping[str, Any]]  # each example's scores, by metric
    metrics: Mapping[str, Mapping[str, Any]]  # the cell's metric entries (higher_is_better, scale)
    seed: int
    resamples: int
    confidence: float


@dataclass(frozen=True)
class Attributed:
    """The stage's outcome: the cell's summary, and the sample-line entry of each attributed example."""

    summary: dict[str, Any]
    lines: dict[str, dict[str, Any]]


def not_applicable(options: AttributionOptions, reason: str) -> Attributed:
    return Attributed({"method": options.method, "status": "not_applicable", "reason": reason}, {})


def applicability(strategy: str, model_type: str, instance: Any) -> str | None:
    """Why the cell cannot be attributed, or None when it can: the strategy must explain a
    label, a span or a chosen continuation, and the model must have both hooks (a model
    run by the Ray executor is not in this process: no instance)."""
    if strategy not in ATTRIBUTABLE:
        return (
            f"not applicable: the cell's strategy is {strategy}; attributions explain a label (classify), "
            "a span (extract_span) or a chosen continuation (loglikelihood)"
        )
    if instance is None:
        return "not applicable: attributions run only with the local executor"
    missing = [hook for hook in (ATTRIBUTE_HOOK, DELETION_HOOK) if not callable(getattr(instance, hook, None))]
    if missing:
        return (
            f"not applicable: model type '{model_type}' has no {' or '.join(missing)} hook "
            "(it cannot compute attributions: a baseline, or a model served over an API)"
        )
    return None


# -- choosing the examples ----------------------------------------------------


def wrong(per_example: Mapping[str, Any], metrics: Mapping[str, Mapping[str, Any]]) -> bool | None:
    """Whether an example's prediction is wrong by the cell's correctness metric (accuracy,
    exact match; else the first metric with a per-example score): below that metric's best.
    None when no metric scores the example."""
    names = [m for m in CORRECTNESS_METRICS if m in metrics] + [m for m in metrics if m not in CORRECTNESS_METRICS]
    for name in names:
        score = per_example.get(name)
        if not isinstance(score, (int, float)) or isinstance(score, bool) or not math.isfinite(score):
            continue
        entry = metrics[name]
        scale = entry.get("scale") or [0.0, 1.0]
        best = float(scale[1]) if entry.get("higher_is_better", True) else float(scale[0])
        return float(score) < best if entry.get("higher_is_better", True) else float(score) > best
    return None


def confidence_of(probabilities: Any, prediction: Any) -> float | None:
    """How sure the model was of its answer: its highest label probability, else a score
    the prediction carries (a span's), else None."""
    if isinstance(probabilities, Mapping):
        values = [float(v) for v in probabilities.values() if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if values:
            return max(values)
    if isinstance(prediction, Mapping):
        score = prediction.get("score")
        if isinstance(score, (int, float)) and not isinstance(score, bool):
            return float(score)
    return None


def select(options: AttributionOptions, cell: CellToAttribute) -> tuple[list[int], dict[str, Any]]:
    """The indices of the examples to attribute, in the order they are shown, and facts
    about the choice (how many errors there were; whether confidence was known)."""
    n = len(cell.examples)
    if options.select == "random":
        seed = derived_seed(cell.seed, cell.model, cell.task, "attributions")
        import numpy as np

        chosen = sorted(np.random.default_rng(seed).permutation(n)[: options.examples].tolist())
        return [int(i) for i in chosen], {}
    verdicts = [wrong(cell.per_example[i], cell.metrics) for i in range(n)]
    if all(verdict is None for verdict in verdicts):
        return [], {"errors": None, "note": "no metric of the cell says which predictions are wrong"}
    errors = [i for i, verdict in enumerate(verdicts) if verdict]
    facts: dict[str, Any] = {"errors": len(errors)}
    if options.select == "confident-errors":
        confidence = {i: confidence_of(cell.probabilities[i], cell.predictions[i]) for i in errors}
        if errors and all(value is None for value in confidence.values()):
            facts["note"] = "the task gives no confidence: errors in data order"
        else:  # most confident first; ties, and errors without a confidence, in data order
            errors.sort(key=lambda i: (confidence[i] is None, -(confidence[i] or 0.0), i))
    return errors[: options.examples], facts


# -- asking the model -----------------------------------------------------------


def attribute_cell(options: AttributionOptions, cell: CellToAttribute, instance: Any) -> Attributed:
    """The chosen examples' attributions and the faithfulness check (see the module's docstring)."""
    started = time.perf_counter()
    chosen, facts = select(options, cell)
    summary: dict[str, Any] = {
        "method": options.method,
        "status": "ok",
        "select": options.select,
        "requested": options.examples,
        **facts,
    }
    if options.method == "integrated-gradients":
        summary["steps"] = options.steps
    if not chosen:
        summary.update(examples=0, seconds=round(time.perf_counter() - started, 3))
        return Attributed(summary, {})
    asked = [
        AttributionRequest(
            example_id=cell.examples[i].id,
            capability=cell.strategy,
            requests=tuple(cell.requests_of(cell.examples[i])),
            method=options.method,
            steps=options.steps,
        )
        for i in chosen
    ]
    try:
        given = _called(instance, ATTRIBUTE_HOOK, asked)
        attributions = _checked_attributions(given, asked)
        deletions = _deletions(options, cell, instance, asked, attributions) if options.faithfulness else None
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        failure = Failure.of(error, "attributions")
        summary.update(status="failed", error=failure.error, traceback=failure.traceback)
        summary["seconds"] = round(time.perf_counter() - started, 3)
        return Attributed(summary, {})
    summary.update(_summary(options, attributions, deletions, cell))
    summary["seconds"] = round(time.perf_counter() - started, 3)
    lines = {
        request.example_id: _line(options, rank, attribution, deletions[rank] if deletions else None)
        for rank, (request, attribution) in enumerate(zip(asked, attributions, strict=True))
    }
    return Attributed(summary, lines)


def _called(instance: Any, hook: str, requests: list[Any]) -> Any:
    method = getattr(instance, hook)
    try:
        return method(requests)
    except (NlpbenchError, KeyboardInterrupt):
        raise
    except BaseException as error:
        raise ModelError(f"{hook}: {error_line(error)}") from error


def _checked_attributions(given: Any, asked: Sequence[AttributionRequest]) -> list[Attribution]:
    """The model's attributions, one per request, each with a score per token."""
    if not isinstance(given, list) or len(given) != len(asked):
        raise ModelError(f"{ATTRIBUTE_HOOK}() must return a list of {len(asked)} Attribution, not {given!r:.80}")
    for attribution, request in zip(given, asked, strict=True):
        if not isinstance(attribution, Attribution):
            raise ModelError(f"{ATTRIBUTE_HOOK}() must return Attribution objects, not {type(attribution).__name__}")
        if len(attribution.tokens) != len(attribution.scores):
            raise ModelError(
                f"{ATTRIBUTE_HOOK}() for example '{request.example_id}': {len(attribution.tokens)} tokens but "
                f"{len(attribution.scores)} scores"
            )
        if not all(isinstance(s, (int, float)) and math.isfinite(s) for s in attribution.scores):
            raise ModelError(f"{ATTRIBUTE_HOOK}() for example '{request.example_id}': a score is not a finite number")
        if any(not 0 <= p < len(attribution.tokens) for p in attribution.deletable):
            raise ModelError(
                f"{ATTRIBUTE_HOOK}() for example '{request.example_id}': a deletable position is out of range"
            )
    return list(given)


def _deletions(
    options: AttributionOptions,
    cell: CellToAttribute,
    instance: Any,
    asked: Sequence[AttributionRequest],
    attributions: Sequence[Attribution],
) -> list[ExampleDeletion | None]:
    """Each example's deletion curves (None for an example with no deletable token): one
    call of the model's deletion hook for every example's attribution and random orders."""
    plans: list[tuple[int, list[tuple[int, ...]]] | None] = []
    requests = []
    for request, attribution in zip(asked, attributions, strict=True):
        if not attribution.deletable:
            plans.append(None)
            continue
        seed = derived_seed(cell.seed, cell.model, cell.task, request.example_id, "deletions")
        orders = [attribution_order(attribution.scores, attribution.deletable)]
        orders += random_orders(attribution.deletable, options.random_orders, seed)
        removed = [positions for order in orders for positions in removals(order)]
        plans.append((len(orders), removed))
        requests.append(DeletionRequest(request, attribution, tuple(removed)))
    values = _called(instance, DELETION_HOOK, requests) if requests else []
    if not isinstance(values, list) or len(values) != len(requests):
        raise ModelError(f"{DELETION_HOOK}() must return a list of {len(requests)} lists of numbers")
    found: list[ExampleDeletion | None] = []
    given = iter(zip(requests, values, strict=True))
    for plan, attribution in zip(plans, attributions, strict=True):
        if plan is None:
            found.append(None)
            continue
        deletion, row = next(given)
        if not isinstance(row, list) or len(row) != len(deletion.removed):
            raise ModelError(f"{DELETION_HOOK}() must return one number per removal ({len(deletion.removed)})")
        scores = [float(v) for v in row]
        width = len(scores) // plan[0]
        curves = [scores[k * width : (k + 1) * width] for k in range(plan[0])]
        found.append(example_deletion(attribution.value, curves[0], curves[1:]))
    return found


# -- what is written --------------------------------------------------------------


def completeness_flagged(options: AttributionOptions, attribution: Attribution) -> bool:
    """Whether an integrated-gradients attribution's completeness error is past the tolerance."""
    if attribution.completeness_error is None or attribution.baseline_value is None:
        return False
    span = abs(attribution.value - attribution.baseline_value)
    return abs(attribution.completeness_error) > options.tolerance * max(1.0, span)


def _summary(
    options: AttributionOptions,
    attributions: Sequence[Attribution],
    deletions: Sequence[ExampleDeletion | None] | None,
    cell: CellToAttribute,
) -> dict[str, Any]:
    summary: dict[str, Any] = {"examples": len(attributions), "measure": attributions[0].measure}
    errors = [a.completeness_error for a in attributions if a.completeness_error is not None]
    if errors:
        summary["completeness"] = {
            "tolerance": options.tolerance,
            "flagged": sum(completeness_flagged(options, a) for a in attributions),
            "max_abs_error": max(abs(e) for e in errors),
            "mean_abs_error": sum(abs(e) for e in errors) / len(errors),
        }
    if deletions is None:
        summary["faithfulness"] = None
    else:
        kept = [d for d in deletions if d is not None]
        seed = derived_seed(cell.seed, cell.task, "attributions", "bootstrap")
        check = faithfulness_summary(kept, resamples=cell.resamples, confidence=cell.confidence, seed=seed)
        summary["faithfulness"] = {**check, "random_orders": options.random_orders}
    return summary


def _line(
    options: AttributionOptions, rank: int, attribution: Attribution, deletion: ExampleDeletion | None
) -> dict[str, Any]:
    """An attributed example's ``attributions`` entry in samples.jsonl."""
    entry: dict[str, Any] = {
        "method": options.method,
        "tokens": list(attribution.tokens),
        "scores": [float(s) for s in attribution.scores],
        "target": attribution.target,
        "request": attribution.request,
        "value": attribution.value,
        "measure": attribution.measure,
        "rank": rank,
    }
    if attribution.completeness_error is not None:
        entry["baseline_value"] = attribution.baseline_value
        entry["completeness_error"] = attribution.completeness_error
        entry["completeness_flagged"] = completeness_flagged(options, attribution)
    if deletion is not None:
        entry["deletion"] = {"attribution_auc": deletion.attributed_area, "random_auc": deletion.random_area}
    return plain_json(entry, "attributions")


# -- the stage, as a model pipeline runs it --------------------------------------


def attributions_of(
    context: RunContext,
    model: LazyModel,
    cell: Cell,
    task: PreparedTask,
    strategy: str,
    key: str,
    predicted: Predicted,
    per_example: Sequence[Mapping[str, Any]],
    metrics: Mapping[str, Mapping[str, Any]],
    lines: list[dict[str, Any]],
) -> dict[str, Any]:
    """The cell's ``attributions`` summary; each attributed example's line of ``lines`` gets
    its ``attributions`` entry. Kept in the store (an identical rerun asks the model
    nothing), unless it failed."""
    options = cell.task.attributions
    assert options is not None
    model_class = context.host.models.get(cell.model.type).component
    reason = applicability(strategy, cell.model.type, model_class)
    if reason is None and context.executor.kind != "local":
        reason = "not applicable: attributions run only with the local executor"
    if reason is not None:
        return not_applicable(options, reason).summary
    suite = context.suite
    # what decides them: the model's answers, which examples are errors (each example's
    # scores, by the metrics' code) and the run's bootstrap settings
    remembered = digest([
        "attributions", key, options.model_dump(), predicted.keys, per_example, sorted(task.metric_keys.items()),
        [suite.seed, suite.resamples, suite.confidence],
    ])  # fmt: skip
    kept = context.store.derived(remembered) if context.use_cache else None
    if kept is not None:
        done = Attributed({**kept[0], "cached": True}, kept[1])
    else:
        to_attribute = CellToAttribute(
            model=cell.model.name, task=cell.task.name, strategy=strategy, examples=task.examples,
            requests_of=lambda example: example_requests(task, example, strategy),
            predictions=predicted.predictions, probabilities=predicted.probabilities, per_example=per_example,
            metrics=metrics, seed=suite.seed, resamples=suite.resamples, confidence=suite.confidence,
        )  # fmt: skip
        try:
            instance = getattr(model.get(), "instance", None)
        except ModelUnavailable as error:
            return {"method": options.method, "status": "failed", "error": error.failure.error}
        can = getattr(instance, "attributable", None)  # what this loaded model (its head) can explain
        if can is not None and strategy not in can:
            said = ", ".join(sorted(can)) or "nothing"
            return not_applicable(
                options,
                f"not applicable: this {cell.model.type} model cannot attribute {strategy} answers "
                f"(it attributes: {said})",
            ).summary
        done = attribute_cell(options, to_attribute, instance)
        if done.summary["status"] == "failed":
            context.log(f"attributions of {cell.model.name} × {cell.task.name} failed: {done.summary['error']}")
        else:
            context.store.save_derived(remembered, [done.summary, done.lines])
    for line in lines:
        entry = done.lines.get(line["id"])
        if entry is not None:
            line["attributions"] = entry
    return done.summary
