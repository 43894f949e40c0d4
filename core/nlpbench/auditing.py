"""Running bias audits over a cell: perturb each example, ask the model again with the
cell's strategy, and measure how far each prediction moved, per group, with a
bootstrap interval over examples. Audit types come from plugins (``register_bias_audits``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .components import Example, Perturbation
from .errors import AuditError, NlpbenchError, one_line
from .stats import bootstrap, clopper_pearson, derived_seed


@dataclass(frozen=True)
class AuditSettings:
    """What every audit of a run shares."""

    resamples: int
    confidence: float
    seed: int


def _mean(stats: Any) -> float:
    return float(np.mean(stats[:, 0]))


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
    predict: Callable[[list[Example]], list[Any]],
    settings: AuditSettings,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The audit's entries for ``results.json`` and its lines for ``samples.jsonl``."""
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
    predictions = predict([p.example for _, p in pairs])
    # per (group, measure): per example, the values of its perturbations
    values: dict[tuple[str, str], dict[int, list[float]]] = {}
    lines = []
    for (index, perturbation), prediction in zip(pairs, predictions, strict=True):
        try:
            measured = dict(audit.measure(examples[index], originals[index], perturbation, prediction))
        except NlpbenchError:
            raise
        except Exception as error:
            raise AuditError(f"measuring example '{examples[index].id}': {one_line(error)}") from error
        for measure, value in measured.items():
            values.setdefault((perturbation.group, measure), {}).setdefault(index, []).append(float(value))
        lines.append({
            "model": model, "task": task, "audit": name, "id": examples[index].id,
            "perturbed_id": perturbation.example.id, "group": perturbation.group,
            "input": perturbation.example.input, "prediction": prediction,
            "original_prediction": originals[index], "references": list(perturbation.example.references),
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
        if kinds.get(measure) == "proportion":
            # an event per perturbation (a flip): k of m, with the exact binomial interval
            outcomes = [v for _, values_ in sorted(per_example.items()) for v in values_]
            if any(v not in (0.0, 1.0) for v in outcomes):
                raise AuditError(f"measure '{measure}' is a proportion, but a value is neither 0 nor 1")
            k, m = int(sum(outcomes)), len(outcomes)
            low, high = clopper_pearson(k, m, settings.confidence)
            entry.update(value=k / m, ci_low=low, ci_high=high, k=k, m=m, interval="exact-binomial")
        else:
            stats = np.array([[float(np.mean(v))] for _, v in sorted(per_example.items())], dtype=np.float64)
            estimate = bootstrap(
                stats, _mean, resamples=settings.resamples, confidence=settings.confidence,
                seed=derived_seed(settings.seed, task, name, group, measure),
                aggregate_resamples=lambda s, idx: s[idx, 0].mean(axis=1),
            )  # fmt: skip
            entry.update(value=estimate.value, ci_low=estimate.ci_low, ci_high=estimate.ci_high, interval="bootstrap")
        entries.append(entry)
    describe = getattr(audit, "describe", None)
    info = describe() if callable(describe) else None
    if info:
        for entry in entries:
            entry["info"] = info
    return entries, lines
