"""Finding a plugin to check: an installed one by name, or a folder or module on disk,
imported from where it lies without installing it (``nlpbench plugin check``)."""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlpbench.contracts.errors import ConfigError, one_line
from nlpbench.plugins.host import ENTRY_POINT_GROUP
from nlpbench.plugins.suggest import did_you_mean

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


@dataclass(frozen=True)
class PluginSource:
    """One plugin to check: its entry point, and where to import it from."""

    #: the entry-point name (what ``nlpbench plugins`` calls it)
    name: str
    #: the entry point's value, ``module`` or ``module:attribute``
    entry_point: str
    #: the folder put first on ``sys.path`` to import it; None: import it as installed
    root: Path | None = None
    #: its package folder (or module file), whose imports are checked
    source: Path | None = None

    @property
    def module(self) -> str:
        return self.entry_point.partition(":")[0].strip()


@dataclass
class Located:
    """What a PATH or name given to ``nlpbench plugin check`` holds."""

    what: str
    plugins: list[PluginSource] = field(default_factory=list)
    #: problems found before any import (a pyproject.toml without an entry point)
    problems: list[str] = field(default_factory=list)


def _plugin_name(module: str) -> str:
    """The name :class:`~nlpbench.plugins.host.PluginHost` gives a plugin module passed in-process."""
    return module.split(".")[0].removeprefix("nlpbench_").replace("_", "-")


def _normal(name: str) -> str:
    return name.lower().replace("_", "-")


def locate(target: str) -> Located:
    """The plugins ``target`` names: a plugin's folder (with its ``pyproject.toml``), a
    package folder, a module file, or the entry-point or distribution name of an installed
    plugin. A path on disk wins over a name. ConfigError when it is none of these."""
    path = Path(target)
    if path.exists():
        return _from_path(path)
    installed = _installed(target)
    if installed is not None:
        return installed
    if any(sep in target for sep in ("/", "\\")) or target.startswith(".") or target.endswith((".py", ".toml")):
        raise ConfigError(f"{target}: no such file or folder")
    names = sorted({ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)})
    raise ConfigError(
        f"no installed plugin '{target}'{did_you_mean(target, names)}, and no file or folder of that name "
        "(give a plugin's folder, its package folder or plugin module, or an installed plugin's name)"
    )


def _installed(name: str) -> Located | None:
    wanted = _normal(name)
    points = [
        ep
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
        if _normal(ep.name) == wanted or (ep.dist is not None and _normal(ep.dist.metadata["Name"]) == wanted)
    ]
    if not points:
        return None
    plugins = []
    for ep in sorted(points, key=lambda e: e.name):
        plugins.append(PluginSource(ep.name, ep.value, None, None))
    return Located(f"installed plugin '{name}'", plugins)


def _from_path(path: Path) -> Located:
    path = path.resolve()
    if path.is_file() and path.name == "pyproject.toml":
        path = path.parent
    if path.is_dir() and (path / "pyproject.toml").is_file():
        return _from_project(path)
    if path.is_dir() and (path / "__init__.py").is_file():
        module = _dotted(path)
        if (path / "plugin.py").is_file():
            module += ".plugin"
        return Located(str(path), [PluginSource(_plugin_name(module), module, _import_root(path), path)])
    if path.is_file() and path.suffix == ".py":
        module = _dotted(path.parent) + f".{path.stem}" if (path.parent / "__init__.py").is_file() else path.stem
        return Located(str(path), [PluginSource(_plugin_name(module), module, _import_root(path), path)])
    raise ConfigError(
        f"{path}: not a plugin: give a folder with a pyproject.toml, a package folder (with __init__.py) "
        "or a plugin module (.py)"
    )


def _dotted(package: Path) -> str:
    """The dotted name of a package folder: its name, under the packages that hold it."""
    parts = [package.name]
    while (package.parent / "__init__.py").is_file():
        package = package.parent
        parts.insert(0, package.name)
    return ".".join(parts)


def _import_root(path: Path) -> Path:
    """The folder to put on ``sys.path`` so that ``path`` (a package or module) imports."""
    folder = path if path.is_dir() else path.parent
    if path.is_file() and not (folder / "__init__.py").is_file():
        return folder
    while (folder.parent / "__init__.py").is_file():
        folder = folder.parent
    return folder.parent


def _from_project(folder: Path) -> Located:
    """The plugins a project's ``pyproject.toml`` declares in the entry-point group ``nlpbench``."""
    pyproject = folder / "pyproject.toml"
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return Located(str(folder), [], [f"{pyproject}: cannot be read: {one_line(error)}"])
    points = data.get("project", {}).get("entry-points", {}).get(ENTRY_POINT_GROUP, {})
    if not isinstance(points, dict) or not points:
        return Located(
            str(folder),
            [],
            [
                f"{pyproject}: declares no entry point in the group '{ENTRY_POINT_GROUP}' "
                f"([project.entry-points.{ENTRY_POINT_GROUP}]), so nlpbench never finds the plugin"
            ],
        )
    located = Located(str(folder))
    for name, value in sorted(points.items()):
        module = str(value).partition(":")[0].strip()
        top = module.split(".")[0]
        roots = [folder / "src", folder, *(folder / w for w in _find_where(data))]
        root = next((r for r in roots if (r / top).is_dir() or (r / f"{top}.py").is_file()), None)
        if root is None:
            located.problems.append(
                f"{pyproject}: entry point '{name}' names module {module}, but {folder} has no package '{top}'"
            )
            continue
        source = root / top if (root / top).is_dir() else root / f"{top}.py"
        located.plugins.append(PluginSource(str(name), str(value), root, source))
    return located


def _find_where(data: dict[str, Any]) -> list[str]:
    """setuptools' ``[tool.setuptools.packages.find] where``, where a project says it."""
    found = data.get("tool", {}).get("setuptools", {}).get("packages", {})
    where = found.get("find", {}).get("where", []) if isinstance(found, dict) else []
    return [str(w) for w in where] if isinstance(where, list) else []


@contextmanager
def imported(plugin: PluginSource) -> Iterator[Any]:
    """The plugin object of ``plugin``'s entry point, imported from its ``root`` (ahead of
    any installed copy); afterwards ``sys.path`` and ``sys.modules`` are as they were.
    Raises what the import raises."""
    top = plugin.module.split(".")[0]
    if plugin.root is None:
        yield _load(plugin)
        return
    mine = [name for name in sys.modules if name == top or name.startswith(top + ".")]
    saved = {name: sys.modules.pop(name) for name in mine}
    entry = str(plugin.root)
    sys.path.insert(0, entry)
    importlib.invalidate_caches()
    try:
        obj = _load(plugin)
        where = Path(getattr(sys.modules.get(plugin.module), "__file__", None) or plugin.root).resolve()
        if not where.is_relative_to(plugin.root.resolve()):
            raise ImportError(f"{plugin.module} was imported from {where}, not from {plugin.root}")
        yield obj
    finally:
        if entry in sys.path:
            sys.path.remove(entry)
        for name in [name for name in sys.modules if name == top or name.startswith(top + ".")]:
            del sys.modules[name]
        sys.modules.update(saved)


def _load(plugin: PluginSource) -> Any:
    module = importlib.import_module(plugin.module)
    _, _, attribute = plugin.entry_point.partition(":")
    obj: Any = module
    for part in filter(None, attribute.strip().split(".")):
        obj = getattr(obj, part)
    return obj


def source_of(plugin: Any) -> Path | None:
    """The package folder (or module file) a plugin module was imported from, whose
    imports are checked; None for a plugin that is an object, not a module."""
    name = getattr(plugin, "__name__", None)
    if not isinstance(name, str) or not isinstance(getattr(plugin, "__file__", None), str):
        return None
    top = sys.modules.get(name.split(".")[0])
    paths = list(getattr(top, "__path__", []) or [])
    if paths:
        return Path(paths[0])
    file = getattr(top, "__file__", None)
    return Path(file) if isinstance(file, str) else None
