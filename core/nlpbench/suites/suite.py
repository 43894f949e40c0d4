"""The suite file: loaded safely, validated against its schema, turned into specs.

Every error is one line: ``FILE:LINE: FIELD: what is wrong``, with a suggestion for
misspelt keys and names. Every entry (the top-level keys, each model, task, metric of a
task, audit and reporter) is checked on its own, so one reading reports every mistake
(:class:`~nlpbench.contracts.options.ConfigErrors`); an entry already at fault is not checked
further, so its mistake is not echoed by nonsense about what follows from it. With the
plugins at hand each component's options are checked against its schema (see
:mod:`nlpbench.contracts.options`), then by its type's own ``check_spec``.
"""

from __future__ import annotations

import errno
import hashlib
import importlib.metadata
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from packaging.requirements import InvalidRequirement, Requirement

from nlpbench.contracts.attributions import AttributionOptions
from nlpbench.contracts.components import FileTask, ModelSpec, TaskSpec
from nlpbench.contracts.errors import ConfigError, NlpbenchError, one_line
from nlpbench.contracts.options import ConfigErrors, OptionProblem, option_issues, options_schema_of, problems_of
from nlpbench.plugins.suggest import closest, did_you_mean
from nlpbench.results.run_files import run_file_clashes
from nlpbench.running.failures import traceback_text
from nlpbench.suites.executing import ExecutorSpec, executor_entry, replicas_of, resources_of
from nlpbench.suites.paths import unusable, user_path
from nlpbench.suites.strategies import strategy_problem
from nlpbench.suites.taskfiles import (
    ENTRY_KEYS,
    TaskGroup,
    absolute_paths,
    field_line,
    member_selection,
    merge,
    merge_data,
    read_task_reference,
)
from nlpbench.suites.yamlfile import LocatedDict, line_of, load_yaml

if TYPE_CHECKING:
    from nlpbench.plugins.host import PluginHost

DEFAULT_SEED = 1234
DEFAULT_RESAMPLES = 1000
DEFAULT_CONFIDENCE = 0.95
#: More resamples than this change an interval by less than its own rounding, and cost
#: minutes per metric; a typo (``10**12``) should not hang a run.
MAX_RESAMPLES = 100_000
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
    "executor",
)
MODEL_KEYS = (
    "name",
    "type",
    "path",
    "hub",
    "revision",
    "config",
    "params",
    "trust_remote_code",
    "replicas",
    "resources",
)
TASK_KEYS = ("name", "type", "data", "limit", "sample", "metrics", "models", "params", "strategy", "attributions")
AUDIT_KEYS = ("type", "tasks", "models", "params")
BOOTSTRAP_KEYS = ("resamples", "confidence")
COMPARISON_KEYS = ("correction", "alpha", "family")
CORRECTIONS = ("holm", "bh", "none")
#: What a family of comparisons corrected together spans (nlpbench.statistics.significance.FAMILIES).
FAMILIES = ("metric", "task", "run")
#: What a suite's metric entry takes beside the metric's own options: the label its
#: score goes by (to score one metric twice with different options).
METRIC_LABEL_KEY = "as"

T = TypeVar("T")


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
    #: The p-values corrected together: one task and metric (``metric``), one task, or the run.
    family: str = "metric"
    #: Where the models run (``executor:``; ``nlpbench run --executor`` wins over it).
    executor: ExecutorSpec = field(default_factory=ExecutorSpec)

    def with_overrides(
        self, *, limit: int | None = None, device: str | None = None, host: PluginHost | None = None
    ) -> Suite:
        """The suite as the command line adjusts it (``--limit``, ``--device``). With the
        plugins at hand, ``device`` goes only to the models whose type takes it (its
        option schema has ``device``, or it declares none): a baseline runs nowhere."""
        tasks = self.tasks
        if limit is not None:
            tasks = tuple(replace(t, limit=min(limit, t.limit or limit)) for t in tasks)
        models = self.models
        if device is not None:
            models = tuple(
                replace(m, params={**m.params, "device": device}) if _takes_device(m, host) else m for m in models
            )
        return replace(self, tasks=tasks, models=models)


def _takes_device(model: ModelSpec, host: PluginHost | None) -> bool:
    if host is None or model.type not in host.models:
        return True
    schema = options_schema_of(host.models.get(model.type).component)
    return schema is None or "device" in schema.model_fields


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

    def at(self, container: Any, path: Sequence[str | int], fallback: int, text: str) -> str:
        """``text`` located at the line of ``path`` inside ``container`` (as deep as the
        YAML reaches), else at line ``fallback``."""
        line, node = fallback, container
        for part in path:
            inside = isinstance(node, Mapping) and part in node
            if not inside and not (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
                break
            line = line_of(node, part) or line
            node = node[part]
        return f"{self.path}:{line}: {text}" if line else f"{self.path}: {text}"

    def keys(self, value: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
        """ConfigErrors naming every key of ``value`` not in ``allowed``."""
        unknown = []
        for key in value:
            if key not in allowed:
                hint = did_you_mean(key, allowed) or f" (allowed: {', '.join(allowed)})"
                unknown.append(self.fail(value, key, _join(where, key), f"unknown key{hint}"))
        if unknown:
            raise ConfigErrors([str(error) for error in unknown])

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
        """A list whose items are names or ``{name: ..., option: ...}`` mappings; every item
        at fault raised together (:func:`_refs` reads them)."""
        found = _Problems()
        listed = _refs(self, found, value, key, where)
        if found.messages:
            raise ConfigErrors(found.messages, found.tracebacks)
        return None if listed is None else tuple(ref for _, ref, _ in listed)


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


class _Problems:
    """Every problem found so far, in the order found, each once (a group's members share
    their entry's mistakes)."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        #: how many times a problem was found (repeats too): whether an entry added any
        self.reported = 0
        #: the tracebacks of plugin bugs behind some of the problems (for ``--debug``)
        self.tracebacks: list[str] = []

    def add(self, error: ConfigError) -> None:
        self.reported += 1
        for message in problems_of(error):
            if message not in self.messages:
                self.messages.append(message)
        self.tracebacks += [text for text in getattr(error, "tracebacks", ()) if text not in self.tracebacks]

    def attempt(self, step: Callable[..., T], *args: Any) -> T | None:
        """``step(*args)``, or None with its ConfigError recorded."""
        try:
            return step(*args)
        except ConfigError as error:
            self.add(error)
            return None


@dataclass(frozen=True)
class SuiteCheck:
    """What reading a suite found: the suite as far as it could be read (the models,
    tasks, audits and reporters that could not be are left out) and every problem, one
    line each. :func:`load_suite` raises on the problems; ``nlpbench validate`` goes on
    to check the data of the tasks without problems (those not in ``faulty_tasks``)."""

    suite: Suite
    problems: tuple[str, ...]
    #: task name → the suite entry it came from, as messages name it (``suite.yaml:12: tasks[3]``)
    task_entries: Mapping[str, str] = field(default_factory=dict)
    #: the tasks of ``suite`` that have problems of their own (their data is not worth reading)
    faulty_tasks: frozenset[str] = frozenset()
    #: audit entries of ``suite.audits``, as messages name them (``suite.yaml:30: audits[1]``)
    audit_entries: tuple[str, ...] = ()
    #: reporter entries of ``suite.reporters``, as messages name them
    reporter_entries: tuple[str, ...] = ()
    #: the full tracebacks of plugin bugs said among the problems (``nlpbench --debug`` prints them)
    tracebacks: tuple[str, ...] = ()


def check_requires(requires: Sequence[str], path: Path, document: Any) -> None:
    """ConfigErrors naming the pip command that fixes each unmet requirement."""
    items = document.get("requires") if isinstance(document, Mapping) else None
    problems = []
    for index, text in enumerate(requires):
        line = line_of(items, index) or line_of(document, "requires")
        where = f"{path}:{line}: requires[{index}]"
        try:
            requirement = Requirement(text)
        except InvalidRequirement as error:
            problems.append(f"{where}: '{text}' is not a valid requirement: {' '.join(str(error).split())}")
            continue
        try:
            installed = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            problems.append(f"{where}: {requirement.name} is not installed; to fix: pip install '{text}'")
            continue
        if requirement.specifier and not requirement.specifier.contains(installed, prereleases=True):
            problems.append(
                f"{where}: {requirement.name} {installed} is installed but the suite needs "
                f"'{text}'; to fix: pip install --upgrade '{text}'"
            )
    if problems:
        raise ConfigErrors(problems)


def load_suite(
    path: str | Path, host: PluginHost | None = None, *, document: Any = None, base_dir: Path | None = None
) -> Suite:
    """Load and validate the suite at ``path``; :class:`ConfigErrors` listing every problem.

    With a ``host``, names are checked against what the plugins registered, each
    component's options against its schema, and each model and task type may check its
    own entry (an optional ``check_spec`` classmethod). ``document`` and ``base_dir``:
    a suite already read, as :func:`check_suite` takes it.
    """
    checked = check_suite(path, host, document=document, base_dir=base_dir)
    if checked.problems:
        raise ConfigErrors(checked.problems, checked.tracebacks)
    return checked.suite


def check_suite(
    path: str | Path, host: PluginHost | None = None, *, document: Any = None, base_dir: Path | None = None
) -> SuiteCheck:
    """Read the suite at ``path`` and find every problem of it (see :class:`SuiteCheck`).

    Raises ConfigError only when there is nothing to check: no such file, invalid YAML,
    not a mapping, or an unmet ``requires`` (the plugins it needs are missing, so what
    they would check cannot be). Given a ``document`` (a suite already read, from a
    YAML string or a mapping: ``nlpbench.evaluate``), ``path`` only names it in messages
    (``<string>``) and relative paths resolve against ``base_dir`` (default: the
    current folder)."""
    path = Path(path)
    if document is None:
        document = load_yaml(path)
    elif base_dir is None:
        base_dir = Path.cwd()
    check = _Checker(path)
    if document is None:
        raise ConfigError(f"{path}: the suite is empty")
    suite_map = check.mapping(document, document, None, "")
    found = _Problems()
    found.attempt(lambda: check.keys(suite_map, SUITE_KEYS, ""))
    # a misspelt key is said once: not again as the key it meant being missing
    meant = {closest(str(key), SUITE_KEYS) for key in suite_map if key not in SUITE_KEYS} - set(suite_map)
    base_dir = path.resolve().parent if base_dir is None else base_dir.resolve()

    requires = check.string_list(suite_map, "requires", "")
    check_requires(requires, path, suite_map)

    name = None if "name" in meant else found.attempt(lambda: _suite_name(check, suite_map))
    description = found.attempt(lambda: check.string(suite_map, "description", "")) or ""
    seed = found.attempt(lambda: _seed(check, suite_map))
    seed = DEFAULT_SEED if seed is None else seed
    resamples, confidence = found.attempt(lambda: _bootstrap(check, suite_map)) or (
        DEFAULT_RESAMPLES,
        DEFAULT_CONFIDENCE,
    )
    correction, alpha, family = found.attempt(lambda: _comparisons(check, suite_map)) or ("holm", 0.05, "metric")
    executor = found.attempt(lambda: executor_entry(check, suite_map)) or ExecutorSpec()

    models, model_names = _models(check, found, suite_map, base_dir, seed, host, "models" not in meant)
    tasks, groups, task_entries, task_names, faulty = _tasks(
        check, found, suite_map, base_dir, seed, model_names, host, "tasks" not in meant
    )
    audits, audit_entries = _audits(check, found, suite_map, task_names, model_names, host)
    reporters, reporter_entries = _reporters(check, found, suite_map, host)

    suite = Suite(
        name=name or path.stem,
        path=path,
        seed=seed,
        hash=suite_hash(document),
        models=tuple(models),
        tasks=tuple(tasks),
        groups=tuple(groups),
        audits=tuple(audits),
        reporters=reporters,
        requires=requires,
        resamples=resamples,
        confidence=confidence,
        description=description,
        correction=correction,
        alpha=alpha,
        family=family,
        executor=executor,
    )
    return SuiteCheck(
        suite,
        tuple(found.messages),
        task_entries,
        frozenset(faulty),
        audit_entries,
        reporter_entries,
        tuple(found.tracebacks),
    )


# -- the top-level keys ------------------------------------------------------------------


def _suite_name(check: _Checker, suite_map: Mapping[str, Any]) -> str:
    name = check.string(suite_map, "name", "", required=True)
    assert name is not None
    if not SUITE_NAME.match(name):
        raise check.fail(
            suite_map, "name", "name", f"'{name}' cannot name a folder: use letters, digits, '.', '_' and '-'"
        )
    return name


def _seed(check: _Checker, suite_map: Mapping[str, Any]) -> int:
    seed = suite_map.get("seed", DEFAULT_SEED)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise check.fail(suite_map, "seed", "seed", f"must be an integer, not {_kind(seed)}")
    return seed


def _bootstrap(check: _Checker, suite_map: Mapping[str, Any]) -> tuple[int, float]:
    bootstrap = check.sub_mapping(suite_map, "bootstrap", "")
    check.keys(bootstrap, BOOTSTRAP_KEYS, "bootstrap")
    resamples = check.integer(bootstrap, "resamples", "bootstrap", minimum=0)
    if resamples is not None and resamples > MAX_RESAMPLES:
        raise check.fail(
            bootstrap,
            "resamples",
            "bootstrap.resamples",
            f"must be at most {MAX_RESAMPLES}, not {resamples} (0: no confidence intervals)",
        )
    confidence = bootstrap.get("confidence", DEFAULT_CONFIDENCE)
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise check.fail(bootstrap, "confidence", "bootstrap.confidence", "must be a number between 0 and 1")
    return DEFAULT_RESAMPLES if resamples is None else resamples, float(confidence)


def _comparisons(check: _Checker, suite_map: Mapping[str, Any]) -> tuple[str, float, str]:
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
    family = comparing.get("family", "metric")
    if family not in FAMILIES:
        raise check.fail(
            comparing, "family", "comparisons.family", f"must be one of {', '.join(FAMILIES)}, not {family!r}"
        )
    return str(correction), float(alpha), str(family)


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


def _declared_names(entries: list[Any], key: str = "name") -> list[str] | None:
    """The names the entries give, whether or not they are valid otherwise; None when
    some entry gives none that can be read (then references to names are not checked:
    the missing one might be the one referred to)."""
    names = []
    for entry in entries:
        name = entry.get(key) if isinstance(entry, Mapping) else None
        if not isinstance(name, str):
            return None
        names.append(name)
    return names


# -- models ------------------------------------------------------------------------------


def _models(
    check: _Checker,
    found: _Problems,
    suite_map: Mapping[str, Any],
    base_dir: Path,
    seed: int,
    host: PluginHost | None,
    required: bool = True,
) -> tuple[list[ModelSpec], list[str] | None]:
    """The valid model entries, and the names every entry declares (None: unknown)."""
    entries = found.attempt(lambda: _entries(check, suite_map, "models", required=required))
    if not entries and not required:
        return [], None
    if entries is None:
        return [], None
    declared = _declared_names(entries)
    models: list[ModelSpec] = []
    for index, raw in enumerate(entries):
        spec = found.attempt(_model, check, entries, index, raw, base_dir, seed, host)
        if spec is not None:
            models.append(spec)
    return models, declared


def _model(
    check: _Checker, entries: list[Any], index: int, raw: Any, base_dir: Path, seed: int, host: PluginHost | None
) -> ModelSpec:
    where = f"models[{index}]"
    entry = check.mapping(raw, entries, index, where)
    check.keys(entry, MODEL_KEYS, where)
    name = check.string(entry, "name", where, required=True)
    model_type = check.string(entry, "type", where, required=True)
    assert name is not None and model_type is not None
    _unique(check, entries, index, "models", name)
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
        resolved = _existing(check, entry, "path", f"{where}.path", base_dir, "no such file or folder")
    params = check.sub_mapping(entry, "params", where)
    replicas = replicas_of(check, entry, where)
    resources = resources_of(check, entry, where)
    spec = ModelSpec(
        name=name,
        type=model_type,
        path=resolved,
        hub=hub,
        revision=revision,
        config=config,
        params=dict(params),
        trust_remote_code=trust,
        base_dir=base_dir,
        seed=seed,
        replicas=replicas,
        resources=resources,
    )
    if host is not None:
        if model_type not in host.models:
            raise check.fail(entry, "type", f"{where}.type", host.models.unknown_message(model_type))
        model_class = host.models.get(model_type).component
        _check_options(check, model_class, params, f"{where}.params", entry.get("params"), line_of(entry, "params"))
        _check_spec(check, model_class, spec, entry, where)
    return spec


def _existing(check: _Checker, entry: Mapping[str, Any], key: str, where: str, base_dir: Path, missing: str) -> Path:
    """The path ``entry[key]`` names, resolved against the suite's folder; ConfigError
    when nothing is there (``missing`` says what was expected) or when the file system
    cannot look it up (a name too long for it): either is the user's to fix."""
    given = entry[key]
    resolved = user_path(given, base_dir)
    problem = unusable(resolved) or (None if resolved.exists() else missing)
    if problem is not None:
        raise check.fail(entry, key, where, f"{given}: {problem}")
    return resolved


def _unique(check: _Checker, entries: list[Any], index: int, kind: str, name: str) -> None:
    """ConfigError when an earlier entry has the name ``name``."""
    for earlier in entries[:index]:
        if isinstance(earlier, Mapping) and earlier.get("name") == name:
            raise check.fail(entries[index], "name", f"{kind}[{index}].name", f"'{name}' is used twice")


# -- tasks -------------------------------------------------------------------------------


def _tasks(
    check: _Checker,
    found: _Problems,
    suite_map: Mapping[str, Any],
    base_dir: Path,
    seed: int,
    model_names: list[str] | None,
    host: PluginHost | None,
    required: bool = True,
) -> tuple[list[TaskSpec], list[TaskGroup], dict[str, str], list[str] | None, set[str]]:
    """The tasks and groups read; where each task came from; the task names every entry
    declares (None when an entry at fault hides its names); and the tasks read whose
    entries have problems all the same (an unknown metric, bad params)."""
    entries = found.attempt(lambda: _entries(check, suite_map, "tasks", required=required))
    if entries is None or (not entries and not required):
        return [], [], {}, None, set()
    tasks: list[TaskSpec] = []
    groups: list[TaskGroup] = []
    origins: dict[str, str] = {}
    declared: list[str] | None = []
    seen: set[str] = set()
    faulty: set[str] = set()
    for index, raw in enumerate(entries):
        before = found.reported
        read = found.attempt(_task_entry, check, found, entries, index, raw, base_dir, seed, model_names, host)
        if read is None:
            name = raw.get("name") if isinstance(raw, Mapping) else None
            if declared is not None and isinstance(name, str) and "task" not in raw:
                declared.append(name)
            else:
                declared = None
            continue
        specs, group = read
        defined = [spec.name for spec in specs] + ([group.name] if group is not None else [])
        twice = [name for name in defined if name in seen]
        if twice:
            key = "task" if "task" in raw else "name"
            message = (
                f"'{twice[0]}' is defined twice: name the entry" if key == "task" else f"'{twice[0]}' is used twice"
            )
            found.add(check.fail(raw, key, f"tasks[{index}]" if key == "task" else f"tasks[{index}].name", message))
            continue
        seen.update(defined)
        if declared is not None:
            declared += defined
        tasks += specs
        groups += [group] if group is not None else []
        location = line_of(entries, index)
        origins.update({spec.name: f"{check.path}:{location}: tasks[{index}]" for spec in specs})
        if found.reported > before:
            faulty.update(spec.name for spec in specs)
    return tasks, groups, origins, declared, faulty


def _task_entry(
    check: _Checker,
    found: _Problems,
    entries: list[Any],
    index: int,
    raw: Any,
    base_dir: Path,
    seed: int,
    model_names: list[str] | None,
    host: PluginHost | None,
) -> tuple[list[TaskSpec], TaskGroup | None]:
    """The tasks of one ``tasks:`` entry (a group's members, for ``task:`` naming one)."""
    where = f"tasks[{index}]"
    entry = check.mapping(raw, entries, index, where)
    takes = _model_names(check, entry, where, model_names)
    if "task" in entry:
        specs, group, file_tasks = _file_tasks(check, entry, where, base_dir, seed, takes, host)
        if host is not None:
            for spec, file_task in zip(specs, file_tasks, strict=True):
                _check_file_task(check, found, entry, where, spec, file_task, host)
        return specs, group
    check.keys(entry, TASK_KEYS, where)
    name = check.string(entry, "name", where, required=True)
    task_type = check.string(entry, "type", where)
    if task_type is None:
        raise check.fail(
            entry, None, f"{where}.type", "is required (a task type), or give task: (a library task or task file)"
        )
    assert name is not None
    data = check.sub_mapping(entry, "data", where)
    if isinstance(data.get("path"), str):
        _existing(check, data, "path", f"{where}.data.path", base_dir, "no such file")
    params = check.sub_mapping(entry, "params", where)
    limit = check.integer(entry, "limit", where, minimum=1)
    sample = check.integer(entry, "sample", where, minimum=1)
    strategy = check.string(entry, "strategy", where)
    attributions = _attribution_options(check, entry, where)
    metrics = _refs(check, found, entry, "metrics", where)
    spec = TaskSpec(
        name=name,
        type=task_type,
        data=dict(data),
        limit=limit,
        sample=sample,
        metrics=tuple(_metric_entry(ref) for _, ref, _ in metrics or ()),
        models=takes,
        params=dict(params),
        base_dir=base_dir,
        seed=seed,
        strategy=strategy,
        attributions=attributions,
    )
    if host is not None:
        _check_task(check, found, entry, where, spec, metrics, host)
    return [spec], None


def _attribution_options(check: _Checker, entry: Mapping[str, Any], where: str) -> AttributionOptions | None:
    """The entry's ``attributions:`` checked against its schema (every problem one line,
    at its key's line), or None when it has none."""
    given = entry.get("attributions")
    if given is None:
        return None
    issues = option_issues(AttributionOptions, given)
    if issues:
        fallback = line_of(entry, "attributions")
        raise ConfigErrors([check.at(given, i.path, fallback, i.line(f"{where}.attributions")) for i in issues])
    return AttributionOptions.model_validate(dict(given))


def _metric_entry(ref: ComponentRef) -> str | dict[str, Any]:
    """A metric as TaskSpec.metrics holds it: its name, or a mapping with its options."""
    return ref.name if not ref.options else {"name": ref.name, **ref.options}


def _check_task(
    check: _Checker,
    found: _Problems,
    entry: Mapping[str, Any],
    where: str,
    spec: TaskSpec,
    metrics: list[tuple[int, ComponentRef, Any]] | None,
    host: PluginHost,
) -> None:
    """A task entry against the plugins: its type, params and metrics. The metrics are
    checked even when the type is at fault (they are entries of their own)."""
    if metrics is not None:
        _check_metrics(check, found, metrics, f"{where}.metrics", entry.get("metrics"), None, host)
    if spec.type not in host.tasks:
        found.add(check.fail(entry, "type", f"{where}.type", host.tasks.unknown_message(spec.type)))
        return
    task_class = host.tasks.get(spec.type).component
    params = entry.get("params")
    try:
        _check_options(check, task_class, spec.params, f"{where}.params", params, line_of(entry, "params"))
        _check_spec(check, task_class, spec, entry, where)
    except ConfigError as error:
        found.add(error)
        return
    wrong_strategy = strategy_problem(task_class, spec)
    if wrong_strategy is not None:
        found.add(check.fail(entry, "strategy", f"{where}.strategy", wrong_strategy))
    if metrics is None:  # the task's own defaults (which may depend on its params: checked first)
        try:
            names = _default_metrics(task_class, spec)
        except ConfigError as error:
            found.add(_keeping(error, check.fail(entry, "type", where, str(error))))
            return
        defaults = [(i, ComponentRef(name), None) for i, name in enumerate(names)]
        _check_metrics(check, found, defaults, f"{where}.metrics", entry, "type", host)


def _check_metrics(
    check: _Checker,
    found: _Problems,
    metrics: Sequence[tuple[int, ComponentRef, Any]],
    where: str,
    container: Any,
    key: str | None,
    host: PluginHost,
    located: Callable[[str], str] | None = None,
) -> None:
    """Each metric registered, its options valid, and no label scored twice.

    ``container`` holds the items (or, with ``key``, is where a default metric is
    reported); ``located`` turns a message into one that names its place (a task file's)."""
    labels: dict[str, int] = {}
    for index, ref, item in metrics:
        item_where = f"{where}[{index}]"

        def fail(message: str, path: Sequence[str | int] = (), index: int = index, item: Any = item) -> str:
            if located is not None:
                return located(message)
            line = line_of(container, key if key is not None else index)
            return check.at(item if isinstance(item, Mapping) else None, path, line, message)

        if ref.name not in host.metrics:
            found.add(ConfigError(fail(f"{item_where}: {host.metrics.unknown_message(ref.name)}")))
            continue
        registered = host.metrics.get(ref.name)
        named = f"{item_where} ({ref.name})"
        label = ref.options.get(METRIC_LABEL_KEY, registered.name)
        if not isinstance(label, str) or not label.strip():
            found.add(
                ConfigError(
                    fail(f"{named}.{METRIC_LABEL_KEY}: must be a non-empty name for the score, not {label!r}", ("as",))
                )
            )
            continue
        options = {k: v for k, v in ref.options.items() if k != METRIC_LABEL_KEY}
        try:
            issues = _issues(registered.component, options)
        except ConfigError as error:
            found.add(_keeping(error, ConfigError(fail(f"{named}: {error}"))))
            continue
        if issues:
            found.add(ConfigErrors([fail(issue.line(named), issue.path) for issue in issues]))
            continue
        if label in labels:
            found.add(
                ConfigError(
                    fail(
                        f"{named}: '{label}' is listed twice (also {where}[{labels[label]}]): "
                        f"give one of them `{METRIC_LABEL_KEY}:` another name"
                    )
                )
            )
            continue
        labels[label] = index


def _refs(
    check: _Checker, found: _Problems, value: Mapping[str, Any], key: str, where: str
) -> list[tuple[int, ComponentRef, Any]] | None:
    """The items of a list of names or ``{name: ..., option: ...}`` mappings, each with its
    index and YAML item; an item at fault is recorded and left out. None when ``key`` is absent."""
    if key not in value or value[key] is None:
        return None
    items = value[key]
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list):
        raise check.fail(value, key, _join(where, key), f"must be a list, not {_kind(items)}")
    refs = []
    for index, item in enumerate(items):
        item_where = f"{_join(where, key)}[{index}]"

        def read(item: Any = item, item_where: str = item_where, index: int = index) -> ComponentRef:
            if isinstance(item, str) and item.strip():
                return ComponentRef(item)
            if isinstance(item, Mapping):
                name = check.string(item, "name", item_where, required=True)
                assert name is not None
                return ComponentRef(name, {k: v for k, v in item.items() if k != "name"})
            raise check.fail(items, index, item_where, f"must be a name or a mapping with 'name', not {_kind(item)}")

        ref = found.attempt(read)
        if ref is not None:
            refs.append((index, ref, item))
    return refs


def _model_names(
    check: _Checker, entry: Mapping[str, Any], where: str, model_names: list[str] | None
) -> tuple[str, ...]:
    """The entry's ``models:``, each a model of the suite (unchecked when the models are
    at fault, so as not to blame the task for them)."""
    takes = check.string_list(entry, "models", where)
    if model_names is None:
        return takes
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
    entry's overrides; see :mod:`nlpbench.suites.taskfiles`."""
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
    strategy = check.string(entry, "strategy", where)
    attributions = _attribution_options(check, entry, where)
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
                metrics=tuple(_metric_entry(m) for m in metrics) if metrics is not None else task.metrics,
                models=takes,
                params=params,
                base_dir=task.path.parent if task.path is not None else base_dir,
                seed=seed,
                source=str(task.path or contents.path),
                group=name if contents.group else None,
                strategy=strategy,
                attributions=attributions,
            )
        )
        file_tasks.append(task)
    group = None
    if contents.group:
        group = TaskGroup(name, tuple(spec.name for spec in specs), contents.description, str(contents.path))
    return specs, group, file_tasks


def _check_file_task(
    check: _Checker,
    found: _Problems,
    entry: Mapping[str, Any],
    where: str,
    task: TaskSpec,
    file_task: FileTask,
    host: PluginHost,
) -> None:
    """A task named with ``task:``: its type and metrics registered, its params and
    metrics' options valid and its entry as its type wants it; an error names the task
    file's line and field, then the suite entry it came through."""
    path = file_task.path

    def located(message: str) -> str:
        if LOCATED.match(message):  # the message names its file and line already (an lm-eval file's key)
            return str(check.fail(entry, "task", where, f"{task.name}: {message}"))
        line = field_line(file_task.document, message)
        location = f"{path}:{line}" if line else str(path)
        return str(check.fail(entry, "task", where, f"{task.name}: {location}: {message}"))

    if task.type not in host.tasks:
        found.add(ConfigError(located(f"type: {host.tasks.unknown_message(task.type)}")))
        return
    task_class = host.tasks.get(task.type).component
    try:
        issues = _issues(task_class, task.params)
    except ConfigError as error:
        found.add(_keeping(error, ConfigError(located(f"params: {error}"))))
        return
    if issues:
        found.add(ConfigErrors([located(issue.line("params")) for issue in issues]))
        return
    checker = getattr(task_class, "check_spec", None)
    if callable(checker):  # first: the defaults below read the entry
        said = _spec_problems(checker, task)
        if said is not None:
            found.add(ConfigErrors([located(message) for message in said.messages], said.tracebacks))
            return
    wrong_strategy = strategy_problem(task_class, task)
    if wrong_strategy is not None:  # the suite's line: the entry, not the file, says strategy
        found.add(check.fail(entry, "strategy", f"{where}.strategy", f"{task.name}: {wrong_strategy}"))
    try:
        metrics = task.metrics or _default_metrics(task_class, task)
    except ConfigError as error:
        found.add(_keeping(error, ConfigError(located(f"metrics: {error}"))))
        return
    refs = [
        (index, ComponentRef(m) if isinstance(m, str) else ComponentRef(str(m.get("name")), dict(m)), m)
        for index, m in enumerate(metrics)
    ]
    refs = [(i, replace(ref, options={k: v for k, v in ref.options.items() if k != "name"}), m) for i, ref, m in refs]
    if "metrics" in entry and isinstance(entry["metrics"], list):
        items = entry["metrics"]
        refs = [(i, ref, items[i] if i < len(items) else m) for i, ref, m in refs]
        _check_metrics(check, found, refs, f"{where}.metrics", items, None, host)
    else:
        _check_metrics(check, found, refs, "metrics", None, None, host, located=located)


def _default_metrics(task_class: Any, task: TaskSpec) -> tuple[str, ...]:
    """The metrics the task type scores ``task`` with by default; ConfigError when its
    ``default_metrics_for`` raises (a bug in its plugin)."""
    from nlpbench.suites.planning import declared_default_metrics  # planning imports this module

    try:
        return declared_default_metrics(task_class, task)
    except NlpbenchError:
        raise
    except Exception as error:
        raise ConfigErrors(
            [f"default_metrics_for() raised {one_line(error)} (a bug in the plugin)"], [traceback_text(error)]
        ) from error


# -- audits and reporters --------------------------------------------------------------


def _audits(
    check: _Checker,
    found: _Problems,
    suite_map: Mapping[str, Any],
    task_names: list[str] | None,
    model_names: list[str] | None,
    host: PluginHost | None,
) -> tuple[list[AuditSpec], tuple[str, ...]]:
    entries = found.attempt(lambda: _entries(check, suite_map, "audits", required=False)) or []
    audits: list[AuditSpec] = []
    where_of: list[str] = []
    for index, raw in enumerate(entries):
        spec = found.attempt(_audit, check, entries, index, raw, task_names, model_names, host)
        if spec is not None:
            audits.append(spec)
            where_of.append(f"{check.path}:{line_of(entries, index)}: audits[{index}] ({spec.type})")
    return audits, tuple(where_of)


def _audit(
    check: _Checker,
    entries: list[Any],
    index: int,
    raw: Any,
    task_names: list[str] | None,
    model_names: list[str] | None,
    host: PluginHost | None,
) -> AuditSpec:
    where = f"audits[{index}]"
    entry = check.mapping(raw, entries, index, where)
    check.keys(entry, AUDIT_KEYS, where)
    audit_type = check.string(entry, "type", where, required=True)
    assert audit_type is not None
    for key, known, noun in (("tasks", task_names, "task"), ("models", model_names, "model")):
        for item_index, item in enumerate(check.string_list(entry, key, where)):
            if known is not None and item not in known:
                raise check.fail(
                    entry[key],
                    item_index,
                    f"{where}.{key}[{item_index}]",
                    f"no {noun} is called '{item}'{did_you_mean(item, known)}",
                )
    params = check.sub_mapping(entry, "params", where)
    if host is not None:
        if audit_type not in host.audits:
            raise check.fail(entry, "type", f"{where}.type", host.audits.unknown_message(audit_type))
        audit_class = host.audits.get(audit_type).component
        _check_options(check, audit_class, params, f"{where}.params", entry.get("params"), line_of(entry, "params"))
    return AuditSpec(
        type=audit_type,
        tasks=check.string_list(entry, "tasks", where),
        models=check.string_list(entry, "models", where),
        params=dict(params),
    )


def _reporters(
    check: _Checker, found: _Problems, suite_map: Mapping[str, Any], host: PluginHost | None
) -> tuple[tuple[ComponentRef, ...], tuple[str, ...]]:
    """The valid reporters (the defaults when the suite names none)."""
    refs = found.attempt(lambda: _refs(check, found, suite_map, "reporters", ""))
    if refs is None:
        if "reporters" in suite_map and suite_map["reporters"] is not None:
            return (), ()
        return tuple(ComponentRef(r) for r in DEFAULT_REPORTERS), tuple(
            f"{check.path}: reporters (default: {r})" for r in DEFAULT_REPORTERS
        )
    items = suite_map["reporters"]
    reporters: list[ComponentRef] = []
    where_of: list[str] = []
    writing: list[tuple[str, str, Any, Mapping[str, Any]]] = []
    lines: list[int] = []
    for index, ref, item in refs:
        line = line_of(items, index)
        where = f"reporters[{index}]"
        if host is not None:
            if ref.name not in host.reporters:
                found.add(check.fail(items, index, where, host.reporters.unknown_message(ref.name)))
                continue
            registered = host.reporters.get(ref.name)
            named = f"{where} ({ref.name})"
            try:
                issues = _issues(registered.component, ref.options)
            except ConfigError as error:
                found.add(_keeping(error, check.fail(items, index, named, str(error))))
                continue
            if issues:
                found.add(ConfigErrors([check.at(item, issue.path, line, issue.line(named)) for issue in issues]))
                continue
        reporters.append(ref)
        where_of.append(f"{check.path}:{line}: {where} ({ref.name})")
        if host is not None:
            writing.append((f"{where} ({ref.name})", ref.name, host.reporters.get(ref.name).component, ref.options))
            lines.append(line)
    # two reporters on one file, or a reporter over the results or the store: one would be lost
    for index, problem in run_file_clashes(writing):
        found.add(ConfigError(f"{check.path}:{lines[index]}: {problem}"))
    return tuple(reporters), tuple(where_of)


# -- what plugins check ------------------------------------------------------------------


def _issues(component: Any, given: Any) -> list[OptionProblem]:
    """The problems of ``given`` against the component's option schema (none without one).
    A schema's validator that raises something pydantic does not catch is a bug in its
    plugin: ConfigError saying so, so that the rest of the suite is still checked."""
    schema = options_schema_of(component)
    if schema is None:
        return []
    try:
        return option_issues(schema, given)
    except Exception as error:
        raise ConfigErrors(
            [f"checking the options raised {one_line(error)} (a bug in the plugin)"], [traceback_text(error)]
        ) from error


def _check_options(
    check: _Checker, component: Any, given: Mapping[str, Any], where: str, located: Any, fallback: int
) -> None:
    """ConfigErrors listing every problem of ``given`` against the component's option
    schema, each at its key's line (``located`` is the YAML mapping they came from)."""
    try:
        issues = _issues(component, given)
    except ConfigError as error:
        raise _keeping(error, check.fail(located, None, where, str(error))) from None
    if issues:
        raise ConfigErrors([check.at(located, issue.path, fallback, issue.line(where)) for issue in issues])


def _check_spec(check: _Checker, component: Any, spec: Any, entry: Any, where: str) -> None:
    """Let a model or task type check its own entry (optional ``check_spec`` classmethod)."""
    checker = getattr(component, "check_spec", None)
    if checker is None:
        return
    said = _spec_problems(checker, spec)
    if said is not None:
        messages = [str(check.fail(entry, None, where, message)) for message in said.messages]
        raise ConfigErrors(messages, said.tracebacks)


def _spec_problems(checker: Callable[[Any], Any], spec: Any) -> ConfigErrors | None:
    """What a type's ``check_spec`` says of ``spec`` (not yet located), or None when it
    is content. A bug in it (anything but our errors) is said too, so that the rest of
    the suite is still checked, with its traceback kept for ``--debug``."""
    try:
        checker(spec)
    except ConfigError as error:
        return ConfigErrors(problems_of(error), getattr(error, "tracebacks", ()))
    except NlpbenchError as error:
        return ConfigErrors([one_line(error)])
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:  # a path from the suite, looked at: the user's to fix, not a bug
            said = f"{error.filename}: {error.strerror}" if error.filename else one_line(error)
            return ConfigErrors([said], [traceback_text(error)])
        return _plugin_bug(error)
    except Exception as error:
        return _plugin_bug(error)
    return None


def _keeping(said: ConfigError, located: ConfigError) -> ConfigError:
    """``located`` (``said`` placed at its line) with the tracebacks of the plugin bugs
    behind ``said``, for ``--debug`` to print."""
    tracebacks = getattr(said, "tracebacks", ())
    return ConfigErrors(problems_of(located), tracebacks) if tracebacks else located


def _plugin_bug(error: Exception) -> ConfigErrors:
    """``check_spec`` raised ``error``: its plugin's bug, said in one line, its traceback kept."""
    return ConfigErrors([f"check_spec() raised {one_line(error)} (a bug in the plugin)"], [traceback_text(error)])
