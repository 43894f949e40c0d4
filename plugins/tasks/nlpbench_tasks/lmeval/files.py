"""Telling lm-evaluation-harness's files apart and naming the tasks one defines: a task
file, a group file (its ``task:`` list, resolved among the task files of its folder),
or a folder (every task file in it, as one group named after the folder).

A group's members are its leaf tasks (a subgroup's members count in the parent, as
lm-evaluation-harness aggregates a group over its leaves); any key of a group file
other than its own, and a member's own keys (``{task: name, num_fewshot: 0}``), are
overrides of the member's config.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from nlpbench import ConfigError, FileTask, TaskFileContents

from . import yamlfile
from .config import translate

#: What marks a YAML document as lm-evaluation-harness's (a task, a group, or a piece of one).
MARKS = ("task", "group", "include", "dataset_path", "output_type", "doc_to_text")
#: The keys of a group file that are the group's own; the rest override every member.
GROUP_KEYS = ("group", "group_alias", "task", "aggregate_metric_list", "metadata")
#: The task type that runs them.
TYPE = "lm-eval"


def is_lm_eval_document(document: Any) -> bool:
    return isinstance(document, Mapping) and any(key in document for key in MARKS) and "type" not in document


def _yaml_files(folder: Path) -> Iterator[Path]:
    yield from sorted(p for p in folder.rglob("*.yaml") if "__pycache__" not in p.parts)


def _index(folder: Path) -> dict[str, tuple[str, Path]]:
    """Every task, group and tag defined under ``folder``: name → (kind, file)."""
    found: dict[str, tuple[str, Path]] = {}
    for path in _yaml_files(folder):
        try:
            document = yamlfile.read(path)
        except ConfigError:
            continue
        if not isinstance(document, Mapping):
            continue
        if isinstance(document.get("group"), str):
            found[document["group"]] = ("group", path)
        elif isinstance(document.get("task"), str):
            found[document["task"]] = ("task", path)
            tags = document.get("tag") or []
            for tag in [tags] if isinstance(tags, str) else tags:
                found.setdefault(str(tag), ("tag", folder))
    return found


def _tagged(folder: Path, tag: str) -> list[Path]:
    hits = []
    for path in _yaml_files(folder):
        try:
            document = yamlfile.read(path)
        except ConfigError:
            continue
        tags = document.get("tag") if isinstance(document, Mapping) else None
        if tags == tag or (isinstance(tags, list) and tag in tags):
            hits.append(path)
    return sorted(hits, key=lambda p: str(yamlfile.read(p).get("task")))


def _task(path: Path, options: Mapping[str, Any], overrides: Mapping[str, Any]) -> FileTask:
    """One task file as a task of the ``lm-eval`` type (translated now, so every mistake,
    and a ``!function`` the suite does not trust, is found at ``nlpbench validate``)."""
    loaded = yamlfile.load(path)
    trusted = bool(options.get("trust_task_code", False))
    translated = translate(loaded.document, path, trusted=trusted, overrides=overrides)
    digest = loaded.digest()
    params: dict[str, Any] = {"file": str(path), "task": translated.name, "digest": digest, "trust_task_code": trusted}
    if overrides:
        params["overrides"] = dict(overrides)
    return FileTask(
        name=translated.name,
        type=TYPE,
        params=params,
        metrics=translated.metrics,
        description=translated.description,
        path=path,
        document=loaded.document,
    )


def _members(
    path: Path,
    document: Mapping[str, Any],
    options: Mapping[str, Any],
    inherited: Mapping[str, Any],
    seen: tuple[str, ...],
) -> list[FileTask]:
    """A group's leaf tasks, each with the overrides the group and its entry give."""
    index = _index(path.parent)
    overrides = {**inherited, **{k: v for k, v in document.items() if k not in GROUP_KEYS}}
    listed = document.get("task")
    entries = listed if isinstance(listed, list) else [listed]
    tasks: list[FileTask] = []
    for entry in entries:
        own: dict[str, Any] = {}
        if isinstance(entry, Mapping) and isinstance(entry.get("group"), str):  # an inline subgroup
            tasks += _members(path, entry, options, overrides, (*seen, entry["group"]))
            continue
        if isinstance(entry, Mapping):
            own = {k: v for k, v in entry.items() if k != "task"}
            entry = entry.get("task")
        if not isinstance(entry, str):
            raise ConfigError(f"{path}: task: each member is a task, tag or group name, not {entry!r}")
        kind, where = index.get(entry, ("", path))
        if not kind:
            raise ConfigError(f"{path}: task: no task, tag or group called '{entry}' in {path.parent}")
        if kind == "task":
            tasks.append(_task(where, options, {**overrides, **own}))
        elif kind == "tag":
            tasks += [_task(tagged, options, {**overrides, **own}) for tagged in _tagged(where, entry)]
        else:
            if entry in seen:
                raise ConfigError(f"{path}: task: group '{entry}' contains itself")
            inner = yamlfile.load(where).document
            tasks += _members(where, inner, options, {**overrides, **own}, (*seen, entry))
    return tasks


def read_lm_eval(path: Path, options: Mapping[str, Any]) -> TaskFileContents | None:
    """The tasks an lm-evaluation-harness file or folder defines; None when it is not one."""
    if path.is_dir():
        files = [p for p in _yaml_files(path) if is_lm_eval_document(_peek(p)) and "task" in (_peek(p) or {})]
        if not files:
            return None
        tasks = tuple(_task(p, options, {}) for p in files if "group" not in (_peek(p) or {}))
        where: dict[str, Path] = {}
        for task in tasks:
            if task.name in where:
                raise ConfigError(
                    f"{path}: two files define the task '{task.name}': {where[task.name]} and {task.path}"
                )
            where[task.name] = task.path or path
        return TaskFileContents(path.name, f"the lm-evaluation-harness tasks in {path}", path, tasks, True)
    document = _peek(path)
    if not is_lm_eval_document(document):
        return None
    if isinstance(document.get("group"), str):
        group = str(document["group"])
        members = _members(path, yamlfile.load(path).document, options, {}, (group,))
        names = [task.name for task in members]
        if len(set(names)) != len(names):
            raise ConfigError(f"{path}: group '{group}' reaches some task twice")
        alias = document.get("group_alias") or group
        return TaskFileContents(group, f"lm-evaluation-harness group {alias}", path, tuple(members), True)
    task = _task(path, options, {})
    return TaskFileContents(task.name, task.description, path, (task,), False)


def _peek(path: Path) -> Any:
    try:
        return yamlfile.read(path)
    except ConfigError:
        return None
