"""What a plugin's code is, as the store's keys see it.

A released plugin is its distribution's version: the same version, the same code. An
editable (development) install (PEP 610: ``direct_url.json`` says ``dir_info.editable``)
keeps its version while its files change under it, so its identity adds a SHA-256 of
its packages' files (sources and the data it ships, sorted by relative path): an edited
``classify`` is asked again instead of being answered with what the old code said. Code
that no installed distribution owns (a plugin module a test hands the host) is hashed
the same way, since nothing else says what it is.

Each package is hashed once per process; the core and every plugin of this repository
together take a few milliseconds.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

#: Folders and file endings under a package that are byproducts, not what it ships.
SKIPPED_FOLDERS = frozenset({"__pycache__"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")


def plugin_code(distribution: str | None, version: str | None, plugin: Any) -> dict[str, Any]:
    """The identity of a plugin's code: ``{"version": ...}``, plus ``"source"`` (a digest
    of its packages' files) for an editable install or code no distribution owns.

    ``distribution`` and ``version`` are the plugin's as its entry point gave them (None
    for a plugin object handed to the host); ``plugin`` is the loaded module or object.
    """
    module = _module_name(plugin)
    top = module.partition(".")[0] if module else None
    dist = _distribution(distribution or top)
    if dist is None:  # a module of its own (a test's plugin): its file is all there is
        source = _module_digest(module) if module else None
        return {"version": version, **({"source": source} if source else {})}
    if version is None:
        version = dist.version
    if not is_editable(dist):
        return {"version": version}
    packages = sorted({*top_level_packages(dist), *([top] if top else [])})
    return {"version": version, "source": packages_digest(tuple(packages))}


def is_editable(dist: importlib.metadata.Distribution) -> bool:
    """Whether ``dist`` was installed in editable mode (PEP 610 ``direct_url.json``)."""
    try:
        text = dist.read_text("direct_url.json")
        info = json.loads(text) if text else {}
    except (OSError, ValueError):
        return False
    dir_info = info.get("dir_info") if isinstance(info, dict) else None
    return isinstance(dir_info, dict) and dir_info.get("editable") is True


def top_level_packages(dist: importlib.metadata.Distribution) -> list[str]:
    """The import names ``dist`` installs, as its ``top_level.txt`` lists them (empty when it has none)."""
    try:
        text = dist.read_text("top_level.txt") or ""
    except OSError:
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]


@functools.cache
def packages_digest(packages: tuple[str, ...]) -> str:
    """A SHA-256 of every file of ``packages`` (each a top-level import name), by package
    and relative path; a package that cannot be found counts by its name alone."""
    digest = hashlib.sha256()
    for package in packages:
        digest.update(f"package {package}\0".encode())
        for relative, path in _package_files(package):
            digest.update(relative.encode("utf-8") + b"\0" + _file_sha256(path) + b"\0")
    return digest.hexdigest()


def _package_files(package: str) -> list[tuple[str, Path]]:
    """``(relative path, path)`` of every file the package ships, sorted; a single-file
    module is its one file."""
    roots = _package_roots(package)
    files: list[tuple[str, Path]] = []
    for root in roots:
        if root.is_file():
            files.append((root.name, root))
            continue
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = [s for s in subfolders if s not in SKIPPED_FOLDERS and not s.startswith(".")]
            for name in names:
                if name.startswith(".") or name.endswith(SKIPPED_SUFFIXES):
                    continue
                path = Path(folder, name)
                files.append((path.relative_to(root).as_posix(), path))
    return sorted(files)


def _package_roots(package: str) -> list[Path]:
    """Where ``package`` lives: its folders (several for a namespace package), or its file."""
    loaded = sys.modules.get(package)
    if loaded is not None:
        locations = list(getattr(loaded, "__path__", []) or [])
        if locations:
            return [Path(p) for p in locations]
        file = getattr(loaded, "__file__", None)
        return [Path(file)] if file else []
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return []
    if spec is None:
        return []
    if spec.submodule_search_locations:
        return [Path(p) for p in spec.submodule_search_locations]
    return [Path(spec.origin)] if spec.origin and os.path.isfile(spec.origin) else []


@functools.cache
def _module_digest(module: str) -> str | None:
    """A SHA-256 of one module's file (None when it has none, say a module built in memory)."""
    loaded = sys.modules.get(module)
    file = getattr(loaded, "__file__", None) if loaded is not None else None
    if not file or not os.path.isfile(file):
        return None
    return _file_sha256(Path(file)).hex()


def _file_sha256(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.digest()


def _module_name(plugin: Any) -> str | None:
    """The module a plugin object comes from: itself, or its class's."""
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    name = getattr(type(plugin), "__module__", None)
    return name if isinstance(name, str) and name != "builtins" else None


def _distribution(name: str | None) -> importlib.metadata.Distribution | None:
    """The installed distribution called ``name`` (normalised: ``nlpbench_x`` finds ``nlpbench-x``)."""
    if not name:
        return None
    try:
        return importlib.metadata.distribution(name)
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None
