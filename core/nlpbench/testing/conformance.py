"""The conformance check: does a plugin honour the contract it registered under?

Run it from a plugin's own tests::

    from nlpbench.testing import assert_conformant
    import my_plugin.plugin

    def test_conformance():
        assert_conformant(my_plugin.plugin)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from ..components import CAPABILITIES, MetricExample
from ..plugins import PluginHost
from ..registry import Registered
from ..scoring import metric_stats, uses_probabilities


def check_conformance(plugin: Any) -> list[str]:
    """Every way ``plugin`` (a module or object with hook implementations) breaks the
    contract, as readable sentences; an empty list when it conforms."""
    host = PluginHost(entry_points=False, plugins=[plugin], builtins=False, strict=False, disabled=())
    info = host.plugins[0]
    if info.status != "ok":
        return [f"plugin failed to load: {info.error}"]
    problems: list[str] = []
    if not any(info.components.values()):
        problems.append("plugin registers nothing")
    checks: dict[str, Callable[[Registered], list[str]]] = {
        "models": _check_model,
        "tasks": _check_task,
        "metrics": _check_metric,
        "audits": _check_audit,
        "reporters": _check_reporter,
    }
    for kind, registry in host.registries.items():
        for item in registry:
            where = f"{registry.noun} '{item.name}'"
            if not item.description:
                problems.append(f"{where}: has no docstring (its first line is what `nlpbench list` shows)")
            if not callable(item.component):
                problems.append(f"{where}: is not a class or factory")
                continue
            problems += [f"{where}: {p}" for p in checks[kind](item)]
    return problems


def assert_conformant(plugin: Any) -> None:
    """AssertionError listing every problem :func:`check_conformance` finds."""
    problems = check_conformance(plugin)
    assert not problems, "plugin does not conform:\n- " + "\n- ".join(problems)


def _check_model(item: Registered) -> list[str]:
    capabilities = getattr(item.component, "capabilities", None)
    if not isinstance(capabilities, (set, frozenset)) or not capabilities:
        return ["must declare `capabilities`, a non-empty frozenset"]
    problems = [
        f"declares unknown capability '{c}' (known: {', '.join(CAPABILITIES)})"
        for c in sorted(capabilities)
        if c not in CAPABILITIES
    ]
    for capability in sorted(set(capabilities) & set(CAPABILITIES)):
        if not callable(getattr(item.component, capability, None)):
            problems.append(f"declares '{capability}' but has no {capability}() method")
    for capability in CAPABILITIES:
        if capability not in capabilities and callable(getattr(item.component, capability, None)):
            problems.append(f"has a {capability}() method but does not declare the capability")
    finetunable = getattr(item.component, "finetunable", None)
    if finetunable is not None:
        if not isinstance(finetunable, (set, frozenset)) or not set(finetunable) <= set(capabilities):
            problems.append("`finetunable` must be a frozenset of capabilities the model type declares")
        if not callable(getattr(item.component, "finetune", None)):
            problems.append("declares `finetunable` but has no finetune() classmethod")
    return problems


def _check_task(item: Registered) -> list[str]:
    component = item.component
    problems = []
    strategies = getattr(component, "strategies", None)
    if not isinstance(strategies, tuple) or not strategies:
        problems.append("must declare `strategies`, a non-empty tuple of capabilities in order of preference")
    else:
        problems += [f"strategy '{s}' is not a capability" for s in strategies if s not in CAPABILITIES]
    metrics = getattr(component, "default_metrics", None)
    if not isinstance(metrics, tuple) or not all(isinstance(m, str) for m in metrics):
        problems.append("must declare `default_metrics`, a tuple of metric names")
    for method in ("examples", "build_requests", "process_answers"):
        if not callable(getattr(component, method, None)):
            problems.append(f"has no {method}() method")
    return problems


def _check_metric(item: Registered) -> list[str]:
    component = item.component
    problems = []
    if not isinstance(getattr(component, "higher_is_better", None), bool):
        problems.append("must declare `higher_is_better` (True or False)")
    scale = getattr(component, "scale", None)
    if not (
        isinstance(scale, tuple)
        and len(scale) == 2
        and all(isinstance(v, (int, float)) for v in scale)
        and scale[0] < scale[1]
    ):
        problems.append("must declare `scale`, a (low, high) tuple such as (0, 1) or (0, 100)")
        scale = None
    example = getattr(component, "example", None)
    if not isinstance(example, MetricExample):
        return [*problems, "must give `example`, a MetricExample the conformance check and its card run"]
    if uses_probabilities(component) and len(example.probabilities) != len(example.predictions):
        return [
            *problems,
            "uses probabilities, so its `example` must give one mapping per prediction in `probabilities`",
        ]
    try:
        first, second = component(), component()
        predictions, references = list(example.predictions), [list(r) for r in example.references]
        probabilities = list(example.probabilities) or None
        stats = metric_stats(first, item.name, predictions, references, probabilities)
        again = metric_stats(second, item.name, predictions, references, probabilities)
        value = float(first.aggregate(stats))
        value_again = float(second.aggregate(again))
    except Exception as error:
        return [*problems, f"fails on its own example: {type(error).__name__}: {error}"]
    if stats.ndim not in (1, 2) or len(stats) != len(example.predictions):
        problems.append(f"stats() must return one row per example, got shape {stats.shape}")
    if not np.array_equal(stats, again) or value != value_again:
        problems.append("is not deterministic: two computations on the same input differ")
    if scale is not None and not scale[0] <= value <= scale[1]:
        problems.append(f"scores {value} on its example, outside its declared scale {scale}")
    if example.value is not None and not np.isclose(value, example.value, rtol=1e-9, atol=1e-9):
        problems.append(f"scores {value} on its example, which says {example.value}")
    fast = getattr(first, "aggregate_resamples", None)
    if callable(fast) and stats.ndim == 2 and len(stats):
        rng = np.random.default_rng(0)
        indices = rng.integers(0, len(stats), size=(5, len(stats)))
        slow = np.array([first.aggregate(stats[row]) for row in indices])
        if not np.allclose(np.asarray(fast(stats, indices)), slow, equal_nan=True):
            problems.append("aggregate_resamples() disagrees with aggregate() on the same resamples")
    return problems


def _check_audit(item: Registered) -> list[str]:
    """One of three kinds: it perturbs a cell's examples (``perturb``, ``measure``), brings
    its own (``standalone``: ``examples``, ``build_requests``, ``process_answers``), or
    breaks a cell's predictions down by group (``partition``)."""
    problems = []
    component = item.component
    measures = getattr(component, "measures", None)
    # a standalone audit may measure only across its examples, in extra_entries
    across = getattr(component, "standalone", False) and callable(getattr(component, "extra_entries", None))
    if not isinstance(measures, tuple) or not (measures or across):
        problems.append("must declare `measures`, a non-empty tuple of names")
    if getattr(component, "standalone", False):
        methods: tuple[str, ...] = ("examples", "build_requests", "process_answers")
        strategies = getattr(component, "strategies", None)
        if not isinstance(strategies, tuple) or not strategies:
            problems.append("a standalone audit must declare `strategies`, a non-empty tuple of capabilities")
    elif callable(getattr(component, "partition", None)):
        methods = ("partition",)
    else:
        methods = ("perturb", "measure")
    for method in methods:
        if not callable(getattr(component, method, None)):
            problems.append(f"has no {method}() method")
    return problems


def _check_reporter(item: Registered) -> list[str]:
    write = getattr(item.component, "write", None)
    if not callable(write):
        return ["has no write(results, out_dir) method"]
    parameters = list(inspect.signature(write).parameters)
    if len([p for p in parameters if p != "self"]) < 2:
        return ["write() must take (results, out_dir)"]
    return []
