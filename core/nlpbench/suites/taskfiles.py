"""Task files, groups and the task library: benchmarks a suite names instead of writing out.

A suite's task entry may give ``task: NAME_OR_PATH`` instead of ``type:``: the name of a
task or group in the library (the task files plugins contribute with the
``register_task_files`` hook), or the path of a task file relative to the suite.

An **nlpbench task file** is a suite's task entry in a file of its own, with a
``description``::

    name: nli
    description: Natural language inference as three-way multiple choice.
    type: template
    data: {hub: nyu-mll/glue, config: mnli, split: validation_matched}
    params: {...}
    metrics: [acc, acc_norm]

A **group file** names members that share ``defaults`` (merged under each member; a
mapping merges key by key, anything else is replaced)::

    group: mmlu
    description: ...
    defaults: {type: template, data: {...}, params: {...}, metrics: [acc]}
    members:
      - {name: abstract-algebra, data: {config: abstract_algebra}}
      - hellaswag            # a library task, or the path of a task file

Any other file (lm-evaluation-harness's format, told apart by content) goes to the task
types that read files: a type with the classmethod ``read_task_file(path, options)``
that returns a :class:`~nlpbench.contracts.components.TaskFileContents`, or None for a file that
is not its.

The suite entry may override what the file says: ``name``, ``limit``, ``sample``,
``metrics``, ``models``, ``params`` (merged), ``data`` (merged; naming a source,
``path`` or ``hub``, replaces the file's source but keeps its columns), and for a
group ``members`` (a list of member names to run, or a mapping of member name to its
own overrides). Relative paths resolve against the file that wrote them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from nlpbench.contracts.components import FileTask, TaskFileContents
from nlpbench.contracts.errors import ConfigError, NlpbenchError, one_line
from nlpbench.contracts.sources import SOURCE_KEYS
from nlpbench.plugins.suggest import did_you_mean
from nlpbench.suites.paths import is_folder, unusable, user_path
from nlpbench.suites.yamlfile import LocatedDict, line_of, load_yaml

if TYPE_CHECKING:
    from nlpbench.plugins.host import PluginHost

#: The keys of an nlpbench task file, and of one member of a group.
TASK_FILE_KEYS = ("name", "description", "type", "data", "params", "metrics")
GROUP_FILE_KEYS = ("group", "description", "defaults", "members")
#: What a suite's ``task:`` entry may set beside ``task``.
ENTRY_KEYS = (
    "name",
    "task",
    "data",
    "limit",
    "sample",
    "metrics",
    "models",
    "params",
    "members",
    "trust_task_code",
    "strategy",
    "attributions",
)
#: The keys of ``data:`` that name files (resolved against the file that wrote them).
PATH_KEYS = ("path", "train", "data_files")
#: Naming one of these in a suite's ``data:`` replaces the file's source.
SOURCE_NAMES = ("path", "hub", "hf")


@dataclass(frozen=True)
class LibraryEntry:
    """One task or group of the library: what ``nlpbench list tasks`` shows."""

    name: str
    kind: str  # "task" or "group"
    path: Path
    plugin: str
    description: str
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskGroup:
    """A group of a suite: its members' task names (as results name them)."""

    name: str
    members: tuple[str, ...]
    description: str = ""
    source: str = ""


# ---------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------


class _Tagged:
    """A YAML value under a tag (``!function utils.process_docs``), kept, not constructed."""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag, self.value = tag, value


class _PeekLoader(yaml.SafeLoader):
    """Reads any YAML file, tags included, only to tell which format it is in."""


_PeekLoader.add_multi_constructor(
    "!",
    lambda loader, tag, node: _Tagged(
        tag, loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None
    ),
)


def peek(path: Path) -> Any:
    """The document in ``path``, its tags kept as placeholders; None when unreadable."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_PeekLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):  # nested too deeply: said when read
        return None


def is_nlpbench_file(document: Any) -> bool:
    """Whether a document is an nlpbench task file (``type:``) or group file (``members:``)."""
    if not isinstance(document, Mapping):
        return False
    return "type" in document or ("group" in document and "members" in document)


def _fail(path: Path, container: Any, key: str | int | None, where: str, message: str) -> ConfigError:
    line = line_of(container, key)
    location = f"{path}:{line}" if line else str(path)
    return ConfigError(f"{location}: {where}: {message}" if where else f"{location}: {message}")


def _check_keys(path: Path, mapping: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    for key in mapping:
        if key not in allowed:
            hint = did_you_mean(str(key), allowed) or f" (allowed: {', '.join(allowed)})"
            raise _fail(path, mapping, key, f"{where}.{key}" if where else str(key), f"unknown key{hint}")


def _string(path: Path, mapping: Mapping[str, Any], key: str, where: str, required: bool = False) -> str | None:
    value = mapping.get(key)
    if value is None:
        if required:
            raise _fail(path, mapping, None, f"{where}.{key}" if where else key, "is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(
            path, mapping, key, f"{where}.{key}" if where else key, f"must be a non-empty string, not {value!r}"
        )
    return value


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``: mappings merge key by key, anything else is replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def merge_data(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """A suite's ``data:`` over a task file's: naming a source (``path``, ``hub``) drops
    the file's source keys and keeps its columns and options."""
    if any(key in override for key in SOURCE_NAMES):
        base = {key: value for key, value in base.items() if key not in SOURCE_KEYS}
    return merge(base, override)


def absolute_paths(data: Mapping[str, Any], base_dir: Path) -> dict[str, Any]:
    """``data`` with its file keys (and a ``hub`` that is a local folder) made absolute
    against ``base_dir``, so a task written in one folder and run from another finds them."""
    out = dict(data)

    def resolve(value: Any) -> Any:
        if isinstance(value, str) and value.strip():
            return str(user_path(value, base_dir))
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    for key in PATH_KEYS:
        if key in out:
            out[key] = resolve(out[key])
    for key in ("hub", "hf"):
        value = out.get(key)
        if isinstance(value, str) and not Path(value).is_absolute() and is_folder(base_dir / value):
            out[key] = str(base_dir / value)
    return out


def _file_task(path: Path, entry: Mapping[str, Any], where: str, name: str, description: str) -> FileTask:
    """One task of an nlpbench file, its fields checked for shape."""
    task_type = _string(path, entry, "type", where, required=True)
    assert task_type is not None
    for key in ("data", "params"):
        if key in entry and not isinstance(entry[key], Mapping):
            raise _fail(path, entry, key, f"{where}.{key}" if where else key, "must be a mapping")
    metrics = entry.get("metrics") or []
    if isinstance(metrics, str):
        metrics = [metrics]
    if not isinstance(metrics, list) or not all(isinstance(m, (str, Mapping)) for m in metrics):
        raise _fail(
            path, entry, "metrics", f"{where}.metrics" if where else "metrics", "must be a list of metric names"
        )
    return FileTask(
        name=name,
        type=task_type,
        data=absolute_paths(entry.get("data") or {}, path.parent),
        params=dict(entry.get("params") or {}),
        metrics=tuple(metrics),
        description=description,
        path=path,
        document=entry,
    )


def read_nlpbench_file(path: Path, library: TaskLibrary | None = None) -> TaskFileContents:
    """An nlpbench task or group file, checked; ConfigError naming the file, line and key."""
    document = load_yaml(path)
    if not is_nlpbench_file(document):
        raise ConfigError(f"{path}: not an nlpbench task file: give 'type:' (a task) or 'group:' with 'members:'")
    if "group" not in document:
        _check_keys(path, document, TASK_FILE_KEYS, "")
        name = _string(path, document, "name", "", required=True)
        assert name is not None
        description = _string(path, document, "description", "") or ""
        task = _file_task(path, document, "", name, description)
        return TaskFileContents(name, description, path, (task,), group=False)
    _check_keys(path, document, GROUP_FILE_KEYS, "")
    group = _string(path, document, "group", "", required=True)
    assert group is not None
    description = _string(path, document, "description", "") or ""
    defaults = document.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        raise _fail(path, document, "defaults", "defaults", "must be a mapping")
    _check_keys(path, defaults, tuple(k for k in TASK_FILE_KEYS if k not in ("name", "description")), "defaults")
    members = document.get("members")
    if not isinstance(members, list) or not members:
        raise _fail(path, document, "members", "members", "must be a non-empty list")
    tasks: list[FileTask] = []
    for index, member in enumerate(members):
        where = f"members[{index}]"
        if isinstance(member, str):  # a library task, or another task file
            tasks += _referenced(path, member, library, where, members, index)
            continue
        if not isinstance(member, Mapping):
            raise _fail(path, members, index, where, "must be a mapping or the name of a task")
        _check_keys(path, member, TASK_FILE_KEYS, where)
        name = _string(path, member, "name", where, required=True)
        assert name is not None
        merged = {**merge(defaults, member), "data": merge_data(defaults.get("data") or {}, member.get("data") or {})}
        tasks.append(
            _file_task(
                path, _Located(merged, member), where, name, _string(path, member, "description", where) or description
            )
        )
    seen: set[str] = set()
    for task in tasks:
        if task.name in seen:
            raise ConfigError(f"{path}: group '{group}' has two members called '{task.name}'")
        seen.add(task.name)
    return TaskFileContents(group, description, path, tuple(tasks), group=True)


class _Located(LocatedDict):
    """A merged member that still answers ``line_of`` with the member's own lines."""

    def __init__(self, merged: Mapping[str, Any], member: Any) -> None:
        super().__init__(merged)
        self.line = getattr(member, "line", 0)
        self.key_lines = dict(getattr(member, "key_lines", {}))


def _referenced(
    path: Path, reference: str, library: TaskLibrary | None, where: str, members: Any, index: int
) -> list[FileTask]:
    """The single task a group member names: a library task, or a task file beside the group."""
    target = path.parent / reference
    if target.suffix in (".yaml", ".yml") and unusable(target) is None and target.is_file():
        contents = read_nlpbench_file(target, library)
    elif library is not None and reference in library:
        contents = library.read(reference)
    else:
        raise _fail(path, members, index, where, f"'{reference}' is neither a library task nor a task file here")
    if contents.group:
        raise _fail(path, members, index, where, f"'{reference}' is a group; a group's members are tasks")
    return list(contents.tasks)


# ---------------------------------------------------------------------------
# The library
# ---------------------------------------------------------------------------


#: Reads a task file of another format (the task types' ``read_task_file``): None if none can.
Reader = Callable[[Path, Mapping[str, Any]], "TaskFileContents | None"]


class TaskLibrary:
    """The task files plugins contributed, indexed by name when first needed. A file that
    cannot be read is left out and named in :attr:`problems` (one broken plugin file
    does not take the library down)."""

    def __init__(self, sources: Sequence[tuple[str, Path]], reader: Reader | None = None) -> None:
        self.sources = list(sources)
        self.reader = reader
        self.problems: list[str] = []
        self._index: dict[str, LibraryEntry] | None = None

    def _files(self) -> Iterator[tuple[str, Path]]:
        for plugin, path in self.sources:
            if path.is_dir():
                for found in sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")]):
                    yield plugin, found
            else:
                yield plugin, path

    @property
    def index(self) -> dict[str, LibraryEntry]:
        """Every library entry by name, read from the files without loading any data (an
        lm-evaluation-harness file by its ``task`` or ``group``); ConfigError for a name two
        files define (naming both plugins)."""
        if self._index is None:
            index: dict[str, LibraryEntry] = {}
            for plugin, path in self._files():
                entry = _library_entry(plugin, path, peek(path))
                if entry is None:
                    self.problems.append(f"task library: {path} (plugin '{plugin}') is not a task file; left out")
                    continue
                if entry.name in index:
                    raise ConfigError(
                        f"task library: '{entry.name}' is defined by plugin '{index[entry.name].plugin}' "
                        f"({index[entry.name].path}) and by plugin '{plugin}' ({path})"
                    )
                index[entry.name] = entry
            self._index = index
        return self._index

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self.index

    def read(self, name: str, options: Mapping[str, Any] | None = None) -> TaskFileContents:
        """The task or group called ``name``; ConfigError with a suggestion when there is none."""
        if name not in self.index:
            known = sorted(self.index)
            hint = did_you_mean(name, known) or (f"; the library has {', '.join(known)}" if known else "")
            raise ConfigError(f"no task or group called '{name}' in the task library{hint}")
        path = self.index[name].path
        if is_nlpbench_file(peek(path)):
            return read_nlpbench_file(path, self)
        contents = self.reader(path, dict(options or {})) if self.reader is not None else None
        if contents is None:
            raise ConfigError(f"task library: {path} is not a task file any installed task type reads")
        return contents


def _library_entry(plugin: str, path: Path, document: Any) -> LibraryEntry | None:
    """What the library lists for one file: an nlpbench task or group, or an
    lm-evaluation-harness task or group (by its ``task``/``group`` key); None for neither."""
    if not isinstance(document, Mapping):
        return None
    description = " ".join(str(document.get("description") or "").split())
    if is_nlpbench_file(document):
        is_group = "members" in document
        members = tuple(str(m.get("name")) if isinstance(m, Mapping) else str(m) for m in document.get("members") or [])
        name = str(document.get("group" if is_group else "name", ""))
        return LibraryEntry(
            name, "group" if is_group else "task", path, plugin, description, members if is_group else ()
        )
    if isinstance(document.get("group"), str):
        listed = document.get("task")
        members = tuple(
            str(m.get("task") if isinstance(m, Mapping) else m)
            for m in (listed if isinstance(listed, list) else [listed])
        )
        return LibraryEntry(
            document["group"], "group", path, plugin, description or "lm-evaluation-harness group", members
        )
    if isinstance(document.get("task"), str):
        return LibraryEntry(document["task"], "task", path, plugin, description or "lm-evaluation-harness task")
    return None


def library_of(host: PluginHost) -> TaskLibrary:
    """The host's task library (built once per host)."""
    library = getattr(host, "_task_library", None)
    if library is None:
        library = TaskLibrary(host.task_files, lambda path, options: _read_other(path, host, options))
        host._task_library = library  # type: ignore[attr-defined]
    return library


# ---------------------------------------------------------------------------
# Resolving a suite's ``task:`` entry
# ---------------------------------------------------------------------------


def read_task_reference(
    reference: str, base_dir: Path, host: PluginHost, options: Mapping[str, Any]
) -> TaskFileContents:
    """What ``task: reference`` names: a path (it has a ``/`` or ends in ``.yaml``)
    relative to ``base_dir``, an nlpbench file or one a task type's ``read_task_file``
    reads; else a library name, else a file or folder of that name beside the suite."""
    path = user_path(reference, base_dir)
    library = library_of(host)
    explicit = "/" in reference or path.suffix in (".yaml", ".yml")
    problem = unusable(path)  # a name too long for the file system, say
    if not explicit and (reference in library or problem is not None or not path.exists()):
        return library.read(reference, options)
    if problem is not None or not path.exists():
        raise ConfigError(f"{reference}: {problem or 'no such task file or folder'}")
    if path.is_file() and is_nlpbench_file(peek(path)):
        return read_nlpbench_file(path, library)
    contents = _read_other(path, host, options)
    if contents is not None:
        return contents
    readers = [r.name for r in host.tasks if callable(getattr(r.component, "read_task_file", None))]
    hint = (
        f"nor does the {' or '.join(readers)} task type read it"
        if readers
        else "lm-evaluation-harness files are read by the lm-eval task type (pip install nlpbench-tasks)"
    )
    raise ConfigError(
        f"{path}: not a task file nlpbench can read: it has neither 'type:' (an nlpbench task) nor 'group:' with "
        f"'members:'; {hint}"
    )


def _read_other(path: Path, host: PluginHost, options: Mapping[str, Any]) -> TaskFileContents | None:
    """``path`` read by the first task type whose ``read_task_file`` takes it."""
    for registered in host.tasks:
        reader = getattr(registered.component, "read_task_file", None)
        if not callable(reader):
            continue
        try:
            contents = reader(path, dict(options))
        except NlpbenchError:
            raise
        except Exception as error:
            raise ConfigError(f"{path}: task type '{registered.name}' could not read it: {one_line(error)}") from error
        if contents is not None:
            return contents
    return None


def member_selection(contents: TaskFileContents, value: Any) -> dict[str, Mapping[str, Any]]:
    """A suite's ``members:`` for a group: the members to run, each with its overrides
    (every member, with none, when ``value`` is None). ValueError names an unknown one."""
    names = [task.name for task in contents.tasks]
    if value is None:
        return {name: {} for name in names}
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        chosen: dict[str, Mapping[str, Any]] = {v: {} for v in value}
    elif isinstance(value, Mapping) and all(isinstance(v, Mapping) or v is None for v in value.values()):
        chosen = {str(k): (v or {}) for k, v in value.items()}
    else:
        raise ValueError("must be a list of member names, or a mapping of member name to its overrides")
    for name in chosen:
        if name not in names:
            raise ValueError(f"'{contents.name}' has no member '{name}'{did_you_mean(name, names)}")
    return chosen


def field_line(document: Any, message: str) -> int:
    """The line of the field an error message starts with (``params.input: ...``) in a
    task file's document, else the document's own line; 0 when unknown."""
    head = message.split(":", 1)[0].strip()
    container, line = document, line_of(document)
    for part in head.split("."):
        key = part.split("[", 1)[0]
        if not isinstance(container, Mapping) or key not in container:
            break
        line = line_of(container, key) or line
        container = container[key]
    return line
