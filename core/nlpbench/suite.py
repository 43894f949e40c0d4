"""The suite file: loaded safely, validated against its schema, turned into specs.

Every error is one line: ``FILE:LINE: FIELD: what is wrong``, with a suggestion for
misspelt keys and names.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.requirements import InvalidRequirement, Requirement

from .components import FileTask, ModelSpec, TaskSpec
from .errors import ConfigError, NlpbenchError
from .suggest import did_you_mean
from .taskfiles import (
    ENTRY_KEYS,
    TaskGroup,
    absolute_paths,
    field_line,
    member_selection,
    merge,
    merge_data,
    read_task_reference,
)
from .yamlfile import LocatedDict, line_of, load_yaml

if TYPE_CHECKING:
    from .plugins import PluginHost

DEFAULT_SEED = 1234
DEFAULT_RESAMPLES = 1000
DEFAULT_CONFIDENCE = 0.95
#: results.json is always written (the json reporter leaves an identical file alone).
DEFAULT_REPORTERS = ("json", "html")

#: A message that begins with the file and line it is about (``tasks/arc.yaml:9: ...``).
LOCATED = re.compile(r"^\S+\.ya?ml:\d+: ")

#: Suite names become folder names (runs/<name>), so they stay plain.
SUITE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

SUITE_KEYS = (
    "name",
    "description",
    "seed",
    "requires",
    "models",
    "tasks",
    "audits",
    "reporters",
    "bootstrap",
    "comparisons",
)
MODEL_KEYS = ("name", "type", "path", "hub", "revision", "config", "params", "trust_remote_code")
TASK_KEYS = ("name", "type", "data", "limit", "sample", "metrics", "models", "params")
AUDIT_KEYS = ("type", "tasks", "models", "params")
BOOTSTRAP_KEYS = ("resamples", "confidence")
COMPARISON_KEYS = ("correction", "alpha")
CORRECTIONS = ("holm", "bh", "none")


@dataclass(frozen=True)
class ComponentRef:
    """A metric, audit or reporter named in a suite, with its options."""

    name: str
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditSpec:
    """One ``audits:`` entry."""

    type: str
    tasks: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Suite:
    """A validated suite."""

    name: str
    path: Path
    seed: int
    hash: str
    models: tuple[ModelSpec, ...]
    tasks: tuple[TaskSpec, ...]
    #: Groups named with ``task:`` (MMLU's subjects): results aggregate their members.
    groups: tuple[TaskGroup, ...] = ()
    audits: tuple[AuditSpec, ...] = ()
    reporters: tuple[ComponentRef, ...] = tuple(ComponentRef(r) for r in DEFAULT_REPORTERS)
    requires: tuple[str, ...] = ()
    resamples: int = DEFAULT_RESAMPLES
    confidence: float = DEFAULT_CONFIDENCE
    description: str = ""
    #: How paired comparisons correct for the family of tests: holm, bh or none.
    correction: str = "holm"
    alpha: float = 0.05

    def with_overrides(self, *, limit: int | None = None, device: str | None = None) -> Suite:
        """The suite as the command line adjusts it (``--limit``, ``--device``)."""
        tasks = self.tasks
        if limit is not None:
            tasks = tuple(replace(t, limit=min(limit, t.limit or limit)) for t in tasks)
        models = self.models
        if device is not None:
            models = tuple(replace(m, params={**m.params, "device": device}) for m in models)
        return replace(self, tasks=tasks, models=models)


class _Checker:
    """Raises one-line errors that name the file, the line and the field."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, container: Any, key: str | int | None, where: str, message: str) -> ConfigError:
        line = line_of(container, key)
        location = f"{self.path}:{line}" if line else str(self.path)
        return ConfigError(f"{location}: {where}: {message}" if where else f"{location}: {message}")

    def mapping(self, value: Any, parent: Any, key: str | int | None, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(parent, key, where, f"must be a mapping, not {_kind(value)}")
        return value

    def keys(self, value: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
        for key in value:
            if key not in allowed:
                hint = did_you_mean(key, allowed) or f" (allowed: {', '.join(allowed)})"
                raise self.fail(value, key, _join(where, key), f"unknown key{hint}")

    def string(self, value: Mapping[str, Any], key: str, where: str, required: bool = False) -> str | None:
        if key not in value:
            if required:
                raise self.fail(value, None, _join(where, key), "is required")
            return None
        item = value[key]
        if not isinstance(item, str) or not item.strip():
            raise self.fail(value, key, _join(where, key), f"must be a non-empty string, not {_kind(item)}")
        return item

    def integer(self, value: Mapping[str, Any], key: str, where: str, minimum: int) -> int | None:
        if key not in value:
            return None
        item = value[key]
        if isinstance(item, bool) or not isinstance(item, int):
            raise self.fail(value, key, _join(where, key), f"must be an integer, not {_kind(item)}")
        if item < minimum:
            raise self.fail(value, key, _join(where, key), f"must be at least {minimum}, not {item}")
        return item

    def sub_mapping(self, value: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        if key not in value or value[key] is None:
            return {}
        return self.mapping(value[key], value, key, _join(where, key))

    def string_list(self, value: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        if key not in value or value[key] is None:
            return ()
        items = value[key]
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list):
            raise self.fail(value, key, _join(where, key), f"must be a list of strings, not {_kind(items)}")
        for index, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(items, index, f"{_join(where, key)}[{index}]", f"must be a string, not {_kind(item)}")
        return tuple(items)

    def refs(self, value: Mapping[str, Any], key: str, where: str) -> tuple[ComponentRef, ...] | None:
        """A list whose items are names or ``{name: ..., option: ...}`` mappings."""
        if key not in value or value[key] is None:
            return None
        items = value[key]
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list):
            raise self.fail(value, key, _join(where, key), f"must be a list, not {_kind(items)}")
        refs = []
        for index, item in enumerate(items):
            item_where = f"{_join(where, key)}[{index}]"
            if isinstance(item, str) and item.strip():
                refs.append(ComponentRef(item))
            elif isinstance(item, Mapping):
                name = self.string(item, "name", item_where, required=True)
                assert name is not None
                refs.append(ComponentRef(name, {k: v for k, v in item.items() if k != "name"}))
            else:
                raise self.fail(items, index, item_where, f"must be a name or a mapping with 'name', not {_kind(item)}")
        return tuple(refs)


def _join(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        dict: "a mapping",
        LocatedDict: "a mapping",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
    }.get(type(value), "a list" if isinstance(value, list) else type(value).__name__)


def _plain(value: Any) -> Any:
    """Plain JSON-able copy of a YAML value, for hashing."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def suite_hash(document: Any) -> str:
    canonical = json.dumps(_plain(document), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_requires(requires: Sequence[str], path: Path, document: Any) -> None:
    """ConfigError naming the pip command that fixes the first unmet requirement."""
    items = document.get("requires") if isinstance(document, Mapping) else None
    for index, text in enumerate(requires):
        line = line_of(items, index) or line_of(document, "requires")
        where = f"{path}:{line}: requires[{index}]"
        try:
            requirement = Requirement(text)
        except InvalidRequirement as error:
            raise ConfigError(f"{where}: '{text}' is not a valid requirement: {' '.join(str(error).split())}") from None
        try:
            installed = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            raise ConfigError(f"{where}: {requirement.name} is not installed; to fix: pip install '{text}'") from None
        if requirement.specifier and not requirement.specifier.contains(installed, prereleases=True):
            raise ConfigError(
                f"{where}: {requirement.name} {installed} is installed but the suite needs "
                f"'{text}'; to fix: pip install --upgrade '{text}'"
            )


def load_suite(path: str | Path, host: PluginHost | None = None) -> Suite:
    """Load and validate the suite at ``path``.

    With a ``host``, names are checked against what the plugins registered, and each
    model and task type may check its own entry (an optional ``check_spec`` classmethod).
    """
    path = Path(path)
    document = load_yaml(path)
    check = _Checker(path)
    if document is None:
        raise ConfigError(f"{path}: the suite is empty")
    suite_map = check.mapping(document, document, None, "")
    check.keys(suite_map, SUITE_KEYS, "")
    base_dir = path.resolve().parent

    requires = check.string_list(suite_map, "requires", "")
    check_requires(requires, path, suite_map)

    name = check.string(suite_map, "name", "", required=True)
    assert name is not None
    if not SUITE_NAME.match(name):
        raise check.fail(
            suite_map, "name", "name", f"'{name}' cannot name a folder: use letters, digits, '.', '_' and '-'"
        )
    description = check.string(suite_map, "description", "") or ""
    seed = suite_map.get("seed", DEFAULT_SEED)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise check.fail(suite_map, "seed", "seed", f"must be an integer, not {_kind(seed)}")

    bootstrap = check.sub_mapping(suite_map, "bootstrap", "")
    check.keys(bootstrap, BOOTSTRAP_KEYS, "bootstrap")
    resamples = check.integer(bootstrap, "resamples", "bootstrap", minimum=0)
    confidence = bootstrap.get("confidence", DEFAULT_CONFIDENCE)
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise check.fail(bootstrap, "confidence", "bootstrap.confidence", "must be a number between 0 and 1")

    comparing = check.sub_mapping(suite_map, "comparisons", "")
    check.keys(comparing, COMPARISON_KEYS, "comparisons")
    correction = comparing.get("correction", "holm")
    if correction not in CORRECTIONS:
        raise check.fail(
            comparing,
            "correction",
            "comparisons.correction",
            f"must be one of {', '.join(CORRECTIONS)}, not {correction!r}",
        )
    alpha = comparing.get("alpha", 0.05)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise check.fail(comparing, "alpha", "comparisons.alpha", "must be a number between 0 and 1")

    models = _models(check, suite_map, base_dir, seed)
    model_names = [m.name for m in models]
    tasks, groups, origins = _tasks(check, suite_map, base_dir, seed, model_names, host)
    audits = _audits(check, suite_map, [t.name for t in tasks], model_names)
    reporters = check.refs(suite_map, "reporters", "")

    suite = Suite(
        name=name,
        path=path,
        seed=seed,
        hash=suite_hash(document),
        models=tuple(models),
        tasks=tuple(tasks),
        groups=tuple(groups),
        audits=tuple(audits),
        reporters=reporters if reporters is not None else tuple(ComponentRef(r) for r in DEFAULT_REPORTERS),
        requires=requires,
        resamples=DEFAULT_RESAMPLES if resamples is None else resamples,
        confidence=float(confidence),
        description=description,
        correction=str(correction),
        alpha=float(alpha),
    )
    if host is not None:
        _check_names(check, suite_map, suite, host, origins)
    return suite


def _entries(check: _Checker, suite_map: Mapping[str, Any], key: str, required: bool) -> list[Any]:
    if key not in suite_map or suite_map[key] is None:
        if required:
            raise check.fail(suite_map, None, key, "is required: list at least one")
        return []
    entries = suite_map[key]
    if not isinstance(entries, list):
        raise check.fail(suite_map, key, key, f"must be a list, not {_kind(entries)}")
    if required and not entries:
        raise check.fail(suite_map, key, key, "is empty: list at least one")
    return entries


def _unique(check: _Checker, entries: list[Any], index: int, kind: str, name: str, seen: set[str]) -> None:
    if name in seen:
        raise check.fail(entries[index], "name", f"{kind}[{index}].name", f"'{name}' is used twice")
    seen.add(name)


def _models(check: _Checker, suite_map: Mapping[str, Any], base_dir: Path, seed: int) -> list[ModelSpec]:
    entries = _entries(check, suite_map, "models", required=True)
    models, seen = [], set()  # type: ignore[var-annotated]
    for index, raw in enumerate(entries):
        where = f"models[{index}]"
        entry = check.mapping(raw, entries, index, where)
        check.keys(entry, MODEL_KEYS, where)
        name = check.string(entry, "name", where, required=True)
        model_type = check.string(entry, "type", where, required=True)
        assert name is not None and model_type is not None
        _unique(check, entries, index, "models", name, seen)
        sources = [k for k in ("path", "hub", "config") if entry.get(k) is not None]
        if len(sources) > 1:
            raise check.fail(entry, sources[1], where, f"give one of path, hub or config, not {' and '.join(sources)}")
        path = check.string(entry, "path", where)
        hub = check.string(entry, "hub", where)
        revision = check.string(entry, "revision", where)
        if revision is not None and hub is None:
            raise check.fail(entry, "revision", f"{where}.revision", "only applies with hub")
        config = check.sub_mapping(entry, "config", where) if "config" in entry else None
        trust = entry.get("trust_remote_code", False)
        if not isinstance(trust, bool):
            raise check.fail(entry, "trust_remote_code", f"{where}.trust_remote_code", "must be true or false")
        resolved = None
        if path is not None:
            candidate = Path(path).expanduser()
            resolved = candidate if candidate.is_absolute() else base_dir / candidate
            if not resolved.exists():
                raise check.fail(entry, "path", f"{where}.path", f"{path}: no such file or folder")
        models.append(
            ModelSpec(
                name=name,
                type=model_type,
                path=resolved,
                hub=hub,
                revision=revision,
                config=config,
                params=dict(check.sub_mapping(entry, "params", where)),
                trust_remote_code=trust,
                base_dir=base_dir,
                seed=seed,
            )
        )
    return models


@dataclass(frozen=True)
class _TaskOrigin:
    """Where a task came from: the suite's entry, and the task file's own entry for one
    named with ``task:`` (so an error can name the file's line)."""

    entry_index: int
    file_task: FileTask | None = None


def _tasks(
    check: _Checker,
    suite_map: Mapping[str, Any],
    base_dir: Path,
    seed: int,
    model_names: list[str],
    host: PluginHost | None,
) -> tuple[list[TaskSpec], list[TaskGroup], list[_TaskOrigin]]:
    entries = _entries(check, suite_map, "tasks", required=True)
    tasks: list[TaskSpec] = []
    groups: list[TaskGroup] = []
    origins: list[_TaskOrigin] = []
    seen: set[str] = set()
    for index, raw in enumerate(entries):
        where = f"tasks[{index}]"
        entry = check.mapping(raw, entries, index, where)
        takes = _model_names(check, entry, where, model_names)
        if "task" in entry:
            specs, group, file_tasks = _file_tasks(check, entry, where, base_dir, seed, takes, host)
            for defined in [spec.name for spec in specs] + ([group.name] if group is not None else []):
                if defined in seen:
                    raise check.fail(entry, "task", where, f"'{defined}' is defined twice: name the entry")
                seen.add(defined)
            tasks += specs
            origins += [_TaskOrigin(index, file_task) for file_task in file_tasks]
            if group is not None:
                groups.append(group)
            continue
        check.keys(entry, TASK_KEYS, where)
        name = check.string(entry, "name", where, required=True)
        task_type = check.string(entry, "type", where)
        if task_type is None:
            raise check.fail(
                entry, None, f"{where}.type", "is required (a task type), or give task: (a library task or task file)"
            )
        assert name is not None
        _unique(check, entries, index, "tasks", name, seen)
        data = check.sub_mapping(entry, "data", where)
        data_path = data.get("path")
        if isinstance(data_path, str):
            candidate = Path(data_path).expanduser()
            resolved = candidate if candidate.is_absolute() else base_dir / candidate
            if not resolved.exists():
                raise check.fail(data, "path", f"{where}.data.path", f"{data_path}: no such file")
        metrics = check.refs(entry, "metrics", where) or ()
        origins.append(_TaskOrigin(index))
        tasks.append(
            TaskSpec(
                name=name,
                type=task_type,
                data=dict(data),
                limit=check.integer(entry, "limit", where, minimum=1),
                sample=check.integer(entry, "sample", where, minimum=1),
                metrics=tuple(m.name if not m.options else {"name": m.name, **m.options} for m in metrics),
                models=takes,
                params=dict(check.sub_mapping(entry, "params", where)),
                base_dir=base_dir,
                seed=seed,
            )
        )
    return tasks, groups, origins


def _model_names(check: _Checker, entry: Mapping[str, Any], where: str, model_names: list[str]) -> tuple[str, ...]:
    """The entry's ``models:``, each a model of the suite."""
    takes = check.string_list(entry, "models", where)
    for model_index, model_name in enumerate(takes):
        if model_name not in model_names:
            raise check.fail(
                entry["models"],
                model_index,
                f"{where}.models[{model_index}]",
                f"no model is called '{model_name}'{did_you_mean(model_name, model_names)}",
            )
    return takes


def _file_tasks(
    check: _Checker,
    entry: Mapping[str, Any],
    where: str,
    base_dir: Path,
    seed: int,
    takes: tuple[str, ...],
    host: PluginHost | None,
) -> tuple[list[TaskSpec], TaskGroup | None, list[FileTask]]:
    """The tasks a ``task: NAME_OR_PATH`` entry names (one, or a group's members), with the
    entry's overrides; see :mod:`nlpbench.taskfiles`."""
    if "type" in entry:
        raise check.fail(
            entry, "type", where, "give type (a task type) or task (a library task or task file), not both"
        )
    check.keys(entry, ENTRY_KEYS, where)
    reference = check.string(entry, "task", where, required=True)
    assert reference is not None
    if host is None:
        raise check.fail(entry, "task", f"{where}.task", "naming a library task or task file needs the plugins loaded")
    trust = entry.get("trust_task_code", False)
    if not isinstance(trust, bool):
        raise check.fail(entry, "trust_task_code", f"{where}.trust_task_code", "must be true or false")
    try:
        contents = read_task_reference(reference, base_dir, host, {"trust_task_code": trust})
    except ConfigError as error:
        raise check.fail(entry, "task", f"{where}.task", str(error)) from None
    name = check.string(entry, "name", where) or contents.name
    data_override = absolute_paths(check.sub_mapping(entry, "data", where), base_dir)
    params_override = check.sub_mapping(entry, "params", where)
    refs = check.refs(entry, "metrics", where)
    limit = check.integer(entry, "limit", where, minimum=1)
    sample = check.integer(entry, "sample", where, minimum=1)
    if contents.group:
        try:
            chosen = member_selection(contents, entry.get("members"))
        except ValueError as error:
            raise check.fail(entry, "members", f"{where}.members", str(error)) from None
    elif "members" in entry:
        raise check.fail(
            entry, "members", f"{where}.members", f"'{reference}' is a task, not a group: it has no members"
        )
    specs: list[TaskSpec] = []
    file_tasks: list[FileTask] = []
    for task in contents.tasks:
        if contents.group and task.name not in chosen:
            continue
        own = chosen[task.name] if contents.group else {}
        member_where = f"{where}.members.{task.name}"
        check.keys(own, ("data", "params", "metrics", "limit", "sample"), member_where)
        data = merge_data(task.data, data_override)
        data = merge_data(data, absolute_paths(check.sub_mapping(own, "data", member_where), base_dir))
        params = merge(merge(task.params, params_override), check.sub_mapping(own, "params", member_where))
        metrics = check.refs(own, "metrics", member_where) or refs
        specs.append(
            TaskSpec(
                name=f"{name}/{task.name}" if contents.group else name,
                type=task.type,
                data=data,
                limit=check.integer(own, "limit", member_where, minimum=1) or limit,
                sample=check.integer(own, "sample", member_where, minimum=1) or sample,
                metrics=(
                    tuple(m.name if not m.options else {"name": m.name, **m.options} for m in metrics)
                    if metrics is not None
                    else task.metrics
                ),
                models=takes,
                params=params,
                base_dir=task.path.parent if task.path is not None else base_dir,
                seed=seed,
                source=str(task.path or contents.path),
                group=name if contents.group else None,
            )
        )
        file_tasks.append(task)
    group = None
    if contents.group:
        group = TaskGroup(name, tuple(spec.name for spec in specs), contents.description, str(contents.path))
    return specs, group, file_tasks


def _audits(
    check: _Checker, suite_map: Mapping[str, Any], task_names: list[str], model_names: list[str]
) -> list[AuditSpec]:
    entries = _entries(check, suite_map, "audits", required=False)
    audits = []
    for index, raw in enumerate(entries):
        where = f"audits[{index}]"
        entry = check.mapping(raw, entries, index, where)
        check.keys(entry, AUDIT_KEYS, where)
        audit_type = check.string(entry, "type", where, required=True)
        assert audit_type is not None
        for key, known, noun in (("tasks", task_names, "task"), ("models", model_names, "model")):
            for item_index, item in enumerate(check.string_list(entry, key, where)):
                if item not in known:
                    raise check.fail(
                        entry[key],
                        item_index,
                        f"{where}.{key}[{item_index}]",
                        f"no {noun} is called '{item}'{did_you_mean(item, known)}",
                    )
        audits.append(
            AuditSpec(
                type=audit_type,
                tasks=check.string_list(entry, "tasks", where),
                models=check.string_list(entry, "models", where),
                params=dict(check.sub_mapping(entry, "params", where)),
            )
        )
    return audits


def _check_names(
    check: _Checker, suite_map: Mapping[str, Any], suite: Suite, host: PluginHost, origins: Sequence[_TaskOrigin]
) -> None:
    """Every type, metric, audit and reporter the suite names must be registered."""
    models = suite_map["models"]
    for index, spec in enumerate(suite.models):
        entry = models[index]
        if spec.type not in host.models:
            raise check.fail(entry, "type", f"models[{index}].type", host.models.unknown_message(spec.type))
        _check_spec(check, host.models.get(spec.type).component, spec, entry, f"models[{index}]")
    tasks = suite_map["tasks"]
    for task, origin in zip(suite.tasks, origins, strict=True):
        index = origin.entry_index
        entry = tasks[index]
        if origin.file_task is not None:
            _check_file_task(check, entry, f"tasks[{index}]", task, origin.file_task, host)
            continue
        if task.type not in host.tasks:
            raise check.fail(entry, "type", f"tasks[{index}].type", host.tasks.unknown_message(task.type))
        task_class = host.tasks.get(task.type).component
        _check_spec(check, task_class, task, entry, f"tasks[{index}]")  # first: the defaults below read the entry
        metric_names = [m if isinstance(m, str) else m["name"] for m in task.metrics]
        if not metric_names:
            metric_names = list(_default_metrics(task_class, task))
        for metric_index, metric in enumerate(metric_names):
            if metric not in host.metrics:
                container = entry.get("metrics") if task.metrics else entry
                key: Any = metric_index if task.metrics else "type"
                raise check.fail(
                    container, key, f"tasks[{index}].metrics[{metric_index}]", host.metrics.unknown_message(metric)
                )
    for index, audit in enumerate(suite.audits):
        entry = suite_map["audits"][index]
        if audit.type not in host.audits:
            raise check.fail(entry, "type", f"audits[{index}].type", host.audits.unknown_message(audit.type))
    reporters = suite_map.get("reporters") or []
    for index, ref in enumerate(suite.reporters):
        if ref.name not in host.reporters:
            raise check.fail(reporters, index, f"reporters[{index}]", host.reporters.unknown_message(ref.name))


def _check_file_task(
    check: _Checker, entry: Mapping[str, Any], where: str, task: TaskSpec, file_task: FileTask, host: PluginHost
) -> None:
    """A task named with ``task:``: its type and metrics registered and its entry valid;
    an error names the task file's line and field, then the suite entry it came through."""
    path = file_task.path

    def fail(message: str) -> ConfigError:
        if LOCATED.match(message):  # the message names its file and line already (an lm-eval file's key)
            return check.fail(entry, "task", where, f"{task.name}: {message}")
        line = field_line(file_task.document, message)
        location = f"{path}:{line}" if line else str(path)
        return check.fail(entry, "task", where, f"{task.name}: {location}: {message}")

    if task.type not in host.tasks:
        raise fail(f"type: {host.tasks.unknown_message(task.type)}")
    task_class = host.tasks.get(task.type).component
    checker = getattr(task_class, "check_spec", None)
    if callable(checker):  # first: the defaults below read the entry
        try:
            checker(task)
        except NlpbenchError as error:
            raise fail(str(error)) from None
    names = [m if isinstance(m, str) else m.get("name") for m in task.metrics] or list(
        _default_metrics(task_class, task)
    )
    for metric_index, metric in enumerate(names):
        if not isinstance(metric, str) or metric not in host.metrics:
            message = host.metrics.unknown_message(str(metric))
            if "metrics" in entry:
                raise check.fail(entry["metrics"], metric_index, f"{where}.metrics[{metric_index}]", message)
            raise fail(f"metrics[{metric_index}]: {message}")


def _default_metrics(task_class: Any, task: TaskSpec) -> tuple[str, ...]:
    from .planning import declared_default_metrics  # planning imports this module

    return declared_default_metrics(task_class, task)


def _check_spec(check: _Checker, component: Any, spec: Any, entry: Any, where: str) -> None:
    """Let a model or task type check its own entry (optional ``check_spec`` classmethod)."""
    checker = getattr(component, "check_spec", None)
    if checker is None:
        return
    try:
        checker(spec)
    except NlpbenchError as error:
        raise check.fail(entry, None, where, str(error)) from None
