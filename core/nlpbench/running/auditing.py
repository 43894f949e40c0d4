"""Running bias audits over a cell: perturb each example, ask the model again with the
cell's strategy, and measure how far each prediction moved, per group, with a
bootstrap interval over examples. Audit types come from plugins (``register_bias_audits``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlpbench.contracts.components import Example, Perturbation
from nlpbench.contracts.errors import AuditError, NlpbenchError, one_line
from nlpbench.running.scoring import metric_stats
from nlpbench.statistics.bootstrap import bootstrap, clopper_pearson, derived_seed


@dataclass(frozen=True)
class AuditSettings:
    """What every audit of a run shares."""

    resamples: int
    confidence: float
    seed: int


def _mean(stats: Any) -> float:
    return float(np.mean(stats[:, 0]))


def _proportion(measure: str, outcomes: Sequence[float], confidence: float) -> dict[str, Any]:
    """k of m events (values 0 or 1) with the exact Clopper-Pearson interval."""
    if any(v not in (0.0, 1.0) for v in outcomes):
        raise AuditError(f"measure '{measure}' is a proportion, but a value is neither 0 nor 1")
    k, m = int(sum(outcomes)), len(outcomes)
    low, high = clopper_pearson(k, m, confidence)
    return {"value": k / m, "ci_low": low, "ci_high": high, "k": k, "m": m, "interval": "exact-binomial"}


def _bootstrapped_mean(values: Sequence[float], settings: AuditSettings, seed: int) -> dict[str, Any]:
    """The mean of ``values`` with its percentile bootstrap interval."""
    estimate = bootstrap(
        np.asarray(values, dtype=np.float64)[:, None], _mean, resamples=settings.resamples,
        confidence=settings.confidence, seed=seed, aggregate_resamples=lambda s, idx: s[idx, 0].mean(axis=1),
    )  # fmt: skip
    return {"value": estimate.value, "ci_low": estimate.ci_low, "ci_high": estimate.ci_high, "interval": "bootstrap"}


def with_info(audit: Any, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries, each with the audit's own description (word lists, versions) as ``info``."""
    describe = getattr(audit, "describe", None)
    info = describe() if callable(describe) else None
    if info:
        for entry in entries:
            entry["info"] = info
    return entries


def accepts(function: Any, keyword: str) -> bool:
    """Whether calling ``function`` takes the keyword argument ``keyword`` (how an audit
    says it wants something extra: the suite's folder, label probabilities)."""
    import inspect

    try:
        return keyword in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def failed_entry(audit: str, model: str, task: str, reason: str) -> dict[str, Any]:
    return {
        "audit": audit, "model": model, "task": task, "group": None, "measure": None,
        "value": None, "ci_low": None, "ci_high": None, "n": 0, "n_affected": 0, "reason": reason,
    }  # fmt: skip


def run_audit(
    name: str,
    audit: Any,
    model: str,
    task: str,
    examples: Sequence[Example],
    originals: Sequence[Any],
    predict: Callable[[list[Example]], tuple[list[Any], list[Any]]],
    settings: AuditSettings,
    metrics: Sequence[tuple[str, Any, Sequence[Sequence[float]]]] = (),
    original_probabilities: Sequence[Any] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The audit's entries for ``results.json`` and its lines for ``samples.jsonl``.

    ``predict`` gives the predictions of perturbed examples and their label
    probabilities (None where the task gives none); ``original_probabilities`` are the
    originals'. An audit whose ``measure`` takes the keywords ``original_probabilities``
    and ``perturbed_probabilities`` gets both (each a label → probability mapping or None).

    ``metrics`` are the cell's metrics with each example's statistics rows: per group,
    each is scored again on the perturbed predictions (against the perturbed
    references) of the examples the group changed, and compared with the original
    rows of the same examples (see :func:`metric_shifts`)."""
    pairs: list[tuple[int, Perturbation]] = []
    for index, example in enumerate(examples):
        try:
            perturbations = list(audit.perturb(example))
        except NlpbenchError:
            raise
        except Exception as error:
            raise AuditError(f"perturbing example '{example.id}': {one_line(error)}") from error
        pairs += [(index, p) for p in perturbations]
    affected = {index for index, p in pairs if p.changed}
    measures = tuple(getattr(audit, "measures", ()))
    if not pairs:
        reason = "no example mentions anything the audit perturbs"
        return [{**failed_entry(name, model, task, reason), "measure": m, "n": len(examples)} for m in measures], []
    predictions, probabilities = predict([p.example for _, p in pairs])
    before = list(original_probabilities) if original_probabilities is not None else [None] * len(examples)
    wants_probabilities = accepts(audit.measure, "original_probabilities")
    # per (group, measure): per example, the values of its perturbations
    values: dict[tuple[str, str], dict[int, list[float]]] = {}
    lines = []
    for (index, perturbation), prediction, after in zip(pairs, predictions, probabilities, strict=True):
        extra = (
            {"original_probabilities": before[index], "perturbed_probabilities": after} if wants_probabilities else {}
        )
        try:
            measured = dict(audit.measure(examples[index], originals[index], perturbation, prediction, **extra))
        except NlpbenchError:
            raise
        except Exception as error:
            raise AuditError(f"measuring example '{examples[index].id}': {one_line(error)}") from error
        for measure, value in measured.items():
            values.setdefault((perturbation.group, measure), {}).setdefault(index, []).append(float(value))
        lines.append({
            "model": model, "task": task, "audit": name, "id": examples[index].id,
            "perturbed_id": perturbation.example.id, "group": perturbation.group,
            "original_input": examples[index].input, "input": perturbation.example.input, "prediction": prediction,
            "original_prediction": originals[index], "references": list(perturbation.example.references),
            **({"probabilities": after, "original_probabilities": before[index]} if after is not None else {}),
            "scores": measured,
        })  # fmt: skip
    kinds: Mapping[str, str] = getattr(audit, "measure_kinds", None) or {}
    entries = []
    for (group, measure), per_example in sorted(values.items()):
        entry: dict[str, Any] = {
            "audit": name, "model": model, "task": task, "group": group, "measure": measure,
            "n": len(per_example), "n_affected": len(affected & set(per_example)), "n_examples": len(examples),
            "reason": None,
        }  # fmt: skip
        if kinds.get(measure) == "proportion":  # an event per perturbation (a flip): k of all m
            outcomes = [v for _, values_ in sorted(per_example.items()) for v in values_]
            entry.update(_proportion(measure, outcomes, settings.confidence))
        else:  # per example, the mean over its perturbations; then the mean over examples
            means = [float(np.mean(v)) for _, v in sorted(per_example.items())]
            entry.update(_bootstrapped_mean(means, settings, derived_seed(settings.seed, task, name, group, measure)))
        entries.append(entry)
    for measure in measures:  # a declared measure no prediction could give: say so, never a zero
        if not any(m == measure for _, m in values):
            reason = f"not computed: no prediction of this task gives '{measure}'"
            entries.append({**failed_entry(name, model, task, reason), "measure": measure, "n_examples": len(examples)})
    changed = [
        (index, p, prediction, after)
        for (index, p), prediction, after in zip(pairs, predictions, probabilities, strict=True)
        if p.changed
    ]
    entries += metric_shifts(name, model, task, len(examples), changed, metrics, settings)
    return with_info(audit, entries), lines


def metric_shifts(
    audit: str,
    model: str,
    task: str,
    n_examples: int,
    changed: Sequence[tuple[int, Perturbation, Any, Any]],
    metrics: Sequence[tuple[str, Any, Sequence[Sequence[float]]]],
    settings: AuditSettings,
) -> list[dict[str, Any]]:
    """How each metric moved under each group's perturbation, and HELM's worst case.

    Per group and metric (measure ``metric:<name>``): the metric on the perturbed
    predictions of the examples the group changed, minus the metric on their original
    predictions: a paired bootstrap over those examples (the same rows resampled for
    both; corpus metrics resample their sufficient statistics) gives the interval, and
    the exact McNemar test (metrics with binary outcomes) or a sign-flip permutation
    test (any other) the p-value. Per metric (group ``all``, measure
    ``worst-case:<name>``): the mean over every example of its worst score across the
    original and all its perturbations, beside the original mean, as HELM reports
    robustness; "not computed" when the metric has no per-example score."""
    from nlpbench.statistics.significance import compare_models

    entries: list[dict[str, Any]] = []
    by_group: dict[str, list[tuple[int, Perturbation, Any, Any]]] = {}
    for item in changed:
        by_group.setdefault(item[1].group, []).append(item)
    for name, metric, rows in metrics:
        original = np.asarray(rows, dtype=np.float64)
        base = {"audit": audit, "model": model, "task": task, "n_examples": n_examples}
        perturbed_scores: dict[int, list[float | None]] = {}
        for group, items in sorted(by_group.items()):
            firsts: dict[int, tuple[Perturbation, Any, Any]] = {}
            for index, perturbation, prediction, probabilities in items:
                firsts.setdefault(index, (perturbation, prediction, probabilities))  # one copy per example and group
            order = sorted(firsts)
            measure = f"metric:{name}"
            entry = {**base, "group": group, "measure": measure, "n": len(order), "n_affected": len(order)}
            try:
                stats = metric_stats(
                    metric,
                    name,
                    [firsts[i][1] for i in order],
                    [firsts[i][0].example.references for i in order],
                    [firsts[i][2] for i in order],
                )
                ids = [str(i) for i in order]
                [compared] = compare_models(
                    {"perturbed": (ids, stats), "original": (ids, original[order])},
                    metric,
                    task=task,
                    metric_name=name,
                    resamples=settings.resamples,
                    trials=max(1000, settings.resamples),
                    seed=derived_seed(settings.seed, task, audit, group, measure),
                    confidence=settings.confidence,
                    correction="none",
                    accuracy_like=bool(getattr(metric, "binary_outcomes", False)),
                )
            except NlpbenchError as error:
                entries.append(
                    {**entry, "value": None, "ci_low": None, "ci_high": None, "reason": f"not computed: {error}"}
                )
                continue
            except Exception as error:
                entries.append(
                    {**entry, "value": None, "ci_low": None, "ci_high": None, "reason": f"failed: {one_line(error)}"}
                )
                continue
            entries.append({
                **entry, "value": compared["delta"], "ci_low": compared["ci_low"], "ci_high": compared["ci_high"],
                "original_value": _finite(metric.aggregate(original[order])),
                "perturbed_value": _finite(metric.aggregate(stats)),
                "test": compared["test"].split("+", 1)[-1], "p_value": compared["p_value"],
                "interval": "paired-bootstrap", "reason": None,
            })  # fmt: skip
            score = getattr(metric, "example_score", None)
            for row, i in zip(stats, order, strict=True):
                perturbed_scores.setdefault(i, []).append(score(row) if callable(score) else None)
        entries.append(_worst_case(base, name, metric, original, perturbed_scores))
    return entries


def _worst_case(
    base: Mapping[str, Any], name: str, metric: Any, original: Any, perturbed: Mapping[int, list[float | None]]
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        **base, "group": "all", "measure": f"worst-case:{name}", "n": base["n_examples"],
        "n_affected": len(perturbed), "ci_low": None, "ci_high": None, "interval": None,
    }  # fmt: skip
    score = getattr(metric, "example_score", None)
    originals = [score(row) if callable(score) else None for row in original]
    if not perturbed:
        return {**entry, "value": None, "reason": "not computed: no example was changed"}
    if any(v is None for v in originals) or any(v is None for vs in perturbed.values() for v in vs):
        return {**entry, "value": None, "reason": f"not computed: '{name}' gives no per-example score"}
    worse = min if getattr(metric, "higher_is_better", True) else max
    worst = [worse([float(originals[i]), *(float(v) for v in perturbed.get(i, []))]) for i in range(len(originals))]  # type: ignore[arg-type]
    return {
        **entry, "value": float(np.mean(worst)), "original_value": float(np.mean([float(v) for v in originals])),  # type: ignore[arg-type]
        "reason": None,
    }  # fmt: skip


def _finite(value: Any) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def run_standalone_audit(
    name: str,
    audit: Any,
    model: str,
    where: str,
    examples: Sequence[Example],
    predictions: Sequence[Any],
    settings: AuditSettings,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Summarise an audit that brought its own examples. Each prediction is already a
    mapping of measure → value (the audit's ``process_answers`` made it); ``groups(example)``
    names the groups it counts in (say ``all`` and its bias type). A proportion gets the
    exact Clopper-Pearson interval and an exact two-sided binomial test against
    ``audit.null_proportion`` (default 0.5); a mean gets a percentile bootstrap."""
    from nlpbench.statistics.significance import binomial_test

    kinds: Mapping[str, str] = getattr(audit, "measure_kinds", None) or {}
    null = float(getattr(audit, "null_proportion", 0.5))
    values: dict[tuple[str, str], list[float]] = {}
    lines = []
    for example, prediction in zip(examples, predictions, strict=True):
        if not isinstance(prediction, Mapping):
            raise AuditError(f"example '{example.id}': expected measure values, got {type(prediction).__name__}")
        groups = list(audit.groups(example)) if callable(getattr(audit, "groups", None)) else ["all"]
        declared = set(getattr(audit, "measures", ()))
        for measure, value in prediction.items():
            if value is None or measure not in declared:  # other keys are the audit's own data
                continue
            for group in groups:
                values.setdefault((group, measure), []).append(float(value))
        lines.append({
            "model": model, "task": where, "audit": name, "id": example.id, "input": example.input,
            "prediction": dict(prediction), "groups": groups,
        })  # fmt: skip
    entries: list[dict[str, Any]] = []
    for measure in getattr(audit, "measures", ()):
        if not any(m == measure for _, m in values):
            entries.append(
                {**failed_entry(name, model, where, "not computed: no example gave this measure"), "measure": measure}
            )
    for (group, measure), observed in sorted(values.items()):
        entry: dict[str, Any] = {
            "audit": name, "model": model, "task": where, "group": group, "measure": measure,
            "n": len(observed), "n_affected": len(observed), "n_examples": len(examples), "reason": None,
        }  # fmt: skip
        if kinds.get(measure) == "proportion":
            entry.update(_proportion(measure, observed, settings.confidence))
            entry.update(test="binomial-exact", null=null, p_value=binomial_test(entry["k"], entry["m"], null))
        else:
            entry.update(
                _bootstrapped_mean(observed, settings, derived_seed(settings.seed, where, name, group, measure))
            )
        entries.append(entry)
    extra = getattr(audit, "extra_entries", None)
    if callable(extra):  # measures across groups (a gap, pairwise differences), from the audit itself
        for item in extra(examples, predictions, settings.resamples, settings.confidence,
                          derived_seed(settings.seed, where, name, "extra")):  # fmt: skip
            entries.append({
                "audit": name, "model": model, "task": where, "n_examples": len(examples), "reason": None, **item,
            })  # fmt: skip
    return with_info(audit, entries), lines
