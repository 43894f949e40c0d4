"""The conformance check: does a plugin honour the contract it registered under?

Run it from a plugin's own tests::

    from nlpbench.testing import assert_conformant
    import my_plugin.plugin

    def test_conformance():
        assert_conformant(my_plugin.plugin)

or on the command line, on an installed plugin or a folder: ``nlpbench plugin check [PATH]``
(:func:`check_plugin`).
"""

from __future__ import annotations

import functools
import importlib.metadata
import inspect
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nlpbench.contracts.components import CAPABILITIES, MetricExample
from nlpbench.contracts.errors import one_line
from nlpbench.contracts.hookspecs import COMPONENT_HOOKS, PROJECT
from nlpbench.contracts.options import CONFIG_OPTIONS, Options
from nlpbench.plugins.host import CORE_PLUGIN, ENTRY_POINT_GROUP, PluginHost, PluginInfo
from nlpbench.plugins.registry import Registered
from nlpbench.running.scoring import metric_stats, uses_probabilities
from nlpbench.testing.imports import internal_imports
from nlpbench.testing.locate import PluginSource, imported, locate, source_of

#: The metrics that ship with nlpbench, each with the plugin that registers it and the
#: aliases its docs give: another plugin that takes one of these names, as an id or an
#: alias, would clash with it wherever both are installed (or, where the shipped one is
#: not, make a suite mean something else by it). A test holds this to what the plugins
#: register.
SHIPPED_METRICS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    **dict.fromkeys(
        [
            "accuracy",
            "precision",
            "recall",
            "macro-f1",
            "mcc",
            "squad-f1",
            "bleu",
            "chrf",
            "ter",
            "rouge-1",
            "rouge-2",
            "rouge-l",
            "rouge-lsum",
            "perplexity",
            "word-perplexity",
            "byte-perplexity",
            "bits-per-byte",
            "brier",
            "ece",
        ],
        ("metrics", ()),
    ),
    "squad-em": ("metrics", ("exact-match",)),
    "acc": ("tasks", ()),
    "acc_norm": ("tasks", ("acc-norm",)),
    "acc_mutual_info": ("tasks", ("acc-mutual-info",)),
    "mc2": ("tasks", ()),
    "em": ("tasks", ()),
    "target-perplexity": ("tasks", ()),
}

_HOOK_NAMES = frozenset({*COMPONENT_HOOKS.values(), "register_task_files", "register_commands"})
_IMPL_MARKER = f"{PROJECT}_impl"


def check_conformance(plugin: Any, *, installed: bool = True) -> list[str]:
    """Every way ``plugin`` (a module or object with hook implementations) breaks the
    contract, as readable sentences; an empty list when it conforms.

    Beyond each component's protocol it flags ``register_*`` functions without
    ``@hookimpl`` (pluggy ignores them), instances registered where a class belongs,
    an ``options`` attribute that is not a subclass of :class:`~nlpbench.Options`,
    names and aliases taken by a metric that ships with nlpbench or, with ``installed``,
    by any other installed plugin, and imports of nlpbench internals in the plugin's
    package (when ``plugin`` is a module)."""
    return _conformance(plugin, installed=installed)[0]


def _conformance(plugin: Any, *, installed: bool) -> tuple[list[str], PluginInfo]:
    """The problems :func:`check_conformance` finds, and the plugin as loaded."""
    unmarked = _unmarked_hooks(plugin)
    source = source_of(plugin)
    problems = [*unmarked, *(internal_imports(source) if source is not None else [])]
    host = PluginHost(entry_points=False, plugins=[plugin], builtins=False, strict=False, disabled=())
    info = host.plugins[0]
    if info.status != "ok":
        return [*problems, f"plugin failed to load: {info.error}"], info
    if not any(info.components.values()) and not unmarked:  # else those say why
        problems.append("plugin registers nothing")
    problems += _taken_names(host, info.name, plugin, installed)
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
            instance = _instance_problem(item.component)
            if instance:
                problems.append(f"{where}: {instance}")
                continue
            problems += [f"{where}: {p}" for p in [*_options_problems(item), *checks[kind](item)]]
    return problems, info


def assert_conformant(plugin: Any, *, installed: bool = True) -> None:
    """AssertionError listing every problem :func:`check_conformance` finds."""
    problems = check_conformance(plugin, installed=installed)
    assert not problems, "plugin does not conform:\n- " + "\n- ".join(problems)


@dataclass
class PluginCheck:
    """What ``nlpbench plugin check`` found: the plugins it checked and their problems."""

    what: str
    checked: list[PluginSource] = field(default_factory=list)
    #: problems, one sentence each; with several plugins each starts with its name
    problems: list[str] = field(default_factory=list)
    #: per plugin checked, what it registered (kind → ids)
    registered: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def check_plugin(target: str) -> PluginCheck:
    """The conformance check of a plugin given by name or path (see
    :func:`nlpbench.testing.locate.locate`), imported from where it lies without
    installing it. ConfigError when ``target`` names no plugin."""
    located = locate(target)
    report = PluginCheck(located.what, list(located.plugins), list(located.problems))
    prefix = len(located.plugins) > 1
    for plugin in located.plugins:
        problems: list[str] = []
        with ExitStack() as stack:
            try:
                obj = stack.enter_context(imported(plugin))
            except Exception as error:  # the plugin's own import failed
                problems.append(f"plugin failed to load: failed to import {plugin.entry_point}: {one_line(error)}")
                problems += internal_imports(plugin.source) if plugin.source is not None else []
            else:
                if plugin.source is not None and source_of(obj) is None:  # an object, not a module
                    problems += internal_imports(plugin.source)
                found, info = _conformance(obj, installed=True)
                problems += found
                report.registered[plugin.name] = dict(info.components)
        report.problems += [f"{plugin.name}: {p}" if prefix else p for p in problems]
    return report


def _unmarked_hooks(plugin: Any) -> list[str]:
    """``register_*`` functions pluggy will ignore because they lack ``@hookimpl``."""
    problems = []
    own_module = getattr(plugin, "__name__", None) if inspect.ismodule(plugin) else None
    for name in sorted(dir(plugin)):
        if not name.startswith("register_"):
            continue
        value = getattr(plugin, name, None)
        if not callable(value) or inspect.isclass(value) or hasattr(value, _IMPL_MARKER):
            continue
        # a helper imported from elsewhere is not meant as a hook, unless it is named like one
        if own_module is not None and name not in _HOOK_NAMES and getattr(value, "__module__", None) != own_module:
            continue
        hint = "" if name in _HOOK_NAMES else f" (and '{name}' is not a hook either: see docs/hooks.md)"
        problems.append(f"{name}() has no @hookimpl, so pluggy ignores it: decorate it with `@nlpbench.hookimpl`{hint}")
    return problems


def _instance_problem(component: Any) -> str | None:
    """Why ``component`` is not a class or factory the core can instantiate, or None."""
    if inspect.isclass(component) or inspect.isroutine(component) or isinstance(component, functools.partial):
        return None
    kind = type(component).__name__
    return (
        f"is an instance of {kind}, not a class: register the class (`register({kind}, ...)`); "
        "the core instantiates it when a run needs it"
    )


def _taken_names(host: PluginHost, plugin_name: str, plugin: Any, installed: bool) -> list[str]:
    """Names and aliases of ``host``'s components that a shipped metric or (with
    ``installed``) another installed plugin already holds."""
    others = _installed_host(plugin_name, plugin) if installed else None
    problems = []
    for kind, registry in host.registries.items():
        for item in registry:
            for name in (item.name, *item.aliases):
                what = f"{registry.noun} '{item.name}'" + (f": its alias '{name}'" if name != item.name else "")
                taken = others.registries[kind].owner(name) if others is not None else None
                if taken is not None:
                    held = (
                        f"its {registry.noun} '{taken.name}'"
                        if name == taken.name
                        else (f"an alias of its {registry.noun} '{taken.name}'")
                    )
                    owner = (
                        "nlpbench itself" if taken.plugin == CORE_PLUGIN else f"the installed plugin '{taken.plugin}'"
                    )
                    problems.append(
                        f"{what} is taken by {owner} ({held}): the two would clash wherever both are "
                        "installed; choose another name"
                    )
                    continue
                shipped = _shipped_owner(name) if kind == "metrics" else None
                if shipped is not None and shipped[0] != plugin_name:
                    owner, metric = shipped
                    given = f"the metric '{metric}'" if name == metric else f"an alias of the metric '{metric}'"
                    problems.append(
                        f"{what} shadows {given}, which ships with nlpbench (plugin nlpbench-{owner}): "
                        "suites that name it would mean another metric; choose another name"
                    )
    return problems


def _shipped_owner(name: str) -> tuple[str, str] | None:
    """(plugin, metric id) of the shipped metric that holds ``name`` as its id or an alias."""
    for metric, (owner, aliases) in SHIPPED_METRICS.items():
        if name == metric or name in aliases:
            return owner, metric
    return None


def _installed_host(plugin_name: str, plugin: Any) -> PluginHost:
    """The core's built-ins and every installed plugin except ``plugin`` itself (by its
    entry-point name or module)."""
    module = getattr(plugin, "__name__", None)
    mine = {plugin_name}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == plugin_name or ep.value.partition(":")[0].strip() == module:
            mine.add(ep.name)
    return PluginHost(entry_points=True, plugins=(), builtins=True, strict=False, disabled=mine)


def _options_problems(item: Registered) -> list[str]:
    """An ``options`` (or a model type's ``config_options``) that is not an
    :class:`~nlpbench.Options` subclass: anything else (a dict, a plain pydantic model) is
    either ignored or lets a misspelt option through."""
    problems = []
    for attribute in ("options", CONFIG_OPTIONS):
        if not hasattr(item.component, attribute):
            continue  # optional: undeclared, the core checks nothing and `list` shows null
        schema = getattr(item.component, attribute)
        if isinstance(schema, type) and issubclass(schema, Options):
            continue
        shown = schema.__name__ if isinstance(schema, type) else f"an instance of {type(schema).__name__}"
        problems.append(
            f"`{attribute}` must be a subclass of nlpbench.Options (declare `class …Options(Options)`, "
            f"empty when it takes none), not {shown}"
        )
    return problems


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
    """One of four kinds: it perturbs a cell's examples (``perturb``, ``measure``), brings
    its own (``standalone``: ``examples``, ``build_requests``, ``process_answers``), or
    breaks a cell's predictions down by group (``partition``); a data-only audit
    (``data_only``) checks a task's data and asks no model (``audit_data``)."""
    problems = []
    component = item.component
    if getattr(component, "data_only", False):
        return [] if callable(getattr(component, "audit_data", None)) else ["has no audit_data() method"]
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
