"""Our own plugin loader.

pluggy's ``load_setuptools_entrypoints`` stops at the first plugin that fails to
import, so one broken plugin would break every command. Here each entry point of the
group ``nlpbench`` is loaded, registered and validated on its own; a plugin that fails
is recorded (and shown by ``nlpbench plugins``) while the others keep working.

Environment:

- ``NLPBENCH_STRICT_PLUGINS=1`` turns a failed plugin into an error (for CI).
- ``NLPBENCH_DISABLE_PLUGINS=a,b`` blocks plugins by name or distribution name.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from nlpbench.contracts import hookspecs
from nlpbench.contracts.errors import PluginError, one_line
from nlpbench.plugins.code_identity import plugin_code
from nlpbench.plugins.registry import Registered, Registry, check_name, parse_aliases
from nlpbench.running.failures import error_line, traceback_text

ENTRY_POINT_GROUP = "nlpbench"
CORE_PLUGIN = "nlpbench"

#: The core's own components, registered through the same hooks as everyone's.
BUILTIN_MODULES = ("nlpbench.plugins.builtin.reporters", "nlpbench.plugins.builtin.judges")


@dataclass
class PluginInfo:
    """One plugin as loaded: where it came from, whether it works and what it gave."""

    name: str
    distribution: str | None = None
    version: str | None = None
    module: str | None = None
    status: str = "ok"  # ok | failed | disabled
    error: str | None = None
    #: the full traceback of a failure that was an exception (``nlpbench --debug plugins``)
    traceback: str | None = None
    components: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "module": self.module,
            "status": self.status,
            "error": self.error,
            "traceback": self.traceback,
            **{kind: names for kind, names in self.components.items()},
        }


def _core_version() -> str:
    try:
        return importlib.metadata.version("nlpbench")
    except importlib.metadata.PackageNotFoundError:  # running from a source tree
        return "0.0.0"


def _identity(value: Any) -> Any:
    return value


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str) -> set[str]:
    return {item.strip() for item in os.environ.get(name, "").split(",") if item.strip()}


class PluginHost:
    """A pluggy manager plus the registries our ``register_*`` hooks fill.

    ``PluginHost()`` loads the built-ins and every installed plugin.
    ``PluginHost(entry_points=False, plugins=[...])`` holds only the built-ins and the
    given plugin objects, which is what ``nlpbench.testing`` uses.
    """

    def __init__(
        self,
        *,
        entry_points: bool = True,
        plugins: Sequence[Any] = (),
        builtins: bool = True,
        strict: bool | None = None,
        disabled: Iterable[str] | None = None,
    ) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.strict = _env_flag("NLPBENCH_STRICT_PLUGINS") if strict is None else strict
        self.disabled = _env_list("NLPBENCH_DISABLE_PLUGINS") if disabled is None else set(disabled)
        self.registries: dict[str, Registry] = {kind: Registry(kind) for kind in hookspecs.COMPONENT_HOOKS}
        self.plugins: list[PluginInfo] = []
        #: (plugin, path) of every task file or folder plugins contributed to the library
        self.task_files: list[tuple[str, Path]] = []
        self._objects: dict[str, Any] = {}
        self._code: dict[str, dict[str, Any]] = {}
        #: how this host was made, so another process (a Ray actor) can make the same one
        self.made_with: dict[str, Any] = {
            "entry_points": entry_points,
            "plugins": tuple(plugins),
            "builtins": builtins,
            "strict": self.strict,
            "disabled": tuple(sorted(self.disabled)),
        }
        if builtins:
            for module_name in BUILTIN_MODULES:
                info = PluginInfo(CORE_PLUGIN, "nlpbench", _core_version(), module_name)
                self._add(info, functools.partial(importlib.import_module, module_name))
        for index, plugin in enumerate(plugins):
            name = getattr(plugin, "NLPBENCH_PLUGIN_NAME", None) or getattr(plugin, "__name__", f"plugin-{index}")
            info = PluginInfo(str(name).split(".")[0].removeprefix("nlpbench_").replace("_", "-"), module=str(name))
            self._add(info, functools.partial(_identity, plugin))
        if entry_points:
            for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
                dist = ep.dist
                info = PluginInfo(
                    ep.name,
                    dist.metadata["Name"] if dist else None,
                    dist.version if dist else None,
                    ep.value,
                )
                self._add(info, ep.load)
        failed = [p.name for p in self.plugins if p.status == "failed"]
        for registry in self.registries.values():
            registry.failed_plugins = failed

    # -- loading ----------------------------------------------------------------

    def _add(self, info: PluginInfo, load: Callable[[], Any]) -> None:
        self.plugins.append(info)
        if info.name in self.disabled or (info.distribution or "") in self.disabled:
            info.status = "disabled"
            return
        if info.name in self._objects and info.name != CORE_PLUGIN:
            self._fail(info, f"another plugin is already called '{info.name}'")
            return
        try:
            obj = load()
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # an import error in someone else's code (or its sys.exit())
            self._fail(info, f"failed to import {info.module}: {error_line(error)}", error)
            return
        plugin_id = f"{info.name}:{info.module}"
        try:
            self.pm.register(obj, name=plugin_id)
            self.pm.check_pending()  # a misspelt hook would otherwise be ignored
        except Exception as error:
            if self.pm.is_registered(obj):
                self.pm.unregister(obj)
            self._fail(info, one_line(error), error)
            return
        try:
            staged = self._collect(info.name, obj)
            files = self._collect_task_files(obj)
            for item in staged:
                self.registries[item.kind].add(item)
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            for registry in self.registries.values():
                if info.name != CORE_PLUGIN:
                    registry.remove_plugin(info.name)
            self.pm.unregister(obj)
            self._fail(info, error_line(error), error)
            return
        for item in staged:
            info.components.setdefault(item.kind, []).append(item.name)
        if files:
            info.components["task_files"] = [path.name for path in files]
            self.task_files += [(info.name, path) for path in files]
        self._objects.setdefault(info.name, obj)

    def _collect(self, plugin_name: str, obj: Any) -> list[Registered]:
        """Call ``obj``'s register hooks, returning what they registered."""
        staged: list[Registered] = []
        for kind, hook_name in hookspecs.COMPONENT_HOOKS.items():
            for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
                if impl.plugin is not obj:
                    continue

                def register(
                    component: Any,
                    name: str | None = None,
                    aliases: Sequence[str] | str | None = (),
                    *,
                    _kind: str = kind,
                ) -> None:
                    component_name = name if name is not None else getattr(component, "name", None)
                    item = Registered(
                        kind=_kind,
                        name=check_name(_kind, component_name),
                        component=component,
                        plugin=plugin_name,
                        aliases=tuple(check_name(_kind, a) for a in parse_aliases(aliases)),
                    )
                    if any(s.kind == _kind and s.name == item.name for s in staged):
                        raise ValueError(f"registers {_kind[:-1]} '{item.name}' twice")
                    staged.append(item)

                impl.function(**{arg: register for arg in impl.argnames})
        return staged

    def _collect_task_files(self, obj: Any) -> list[Path]:
        """Call ``obj``'s ``register_task_files`` hook: the files and folders it contributes."""
        files: list[Path] = []

        def register(path: str | Path) -> None:
            found = Path(path)
            if not found.exists():
                raise ValueError(f"registers task files at {found}, which does not exist")
            files.append(found.resolve())

        for impl in self.pm.hook.register_task_files.get_hookimpls():
            if impl.plugin is obj:
                impl.function(**{arg: register for arg in impl.argnames})
        return files

    def _fail(self, info: PluginInfo, error: str, exception: BaseException | None = None) -> None:
        info.status = "failed"
        info.error = error
        info.traceback = traceback_text(exception) if exception is not None else None
        if self.strict:
            raise PluginError(f"plugin '{info.name}' failed to load: {error}")

    # -- queries ----------------------------------------------------------------

    @property
    def models(self) -> Registry:
        return self.registries["models"]

    @property
    def tasks(self) -> Registry:
        return self.registries["tasks"]

    @property
    def metrics(self) -> Registry:
        return self.registries["metrics"]

    @property
    def audits(self) -> Registry:
        return self.registries["audits"]

    @property
    def reporters(self) -> Registry:
        return self.registries["reporters"]

    def failed(self) -> list[PluginInfo]:
        return [p for p in self.plugins if p.status == "failed"]

    def plugin(self, name: str) -> PluginInfo | None:
        return next((p for p in self.plugins if p.name == name), None)

    def code_identity(self, name: str) -> dict[str, Any]:
        """What the store's keys take for the plugin ``name``'s code: its version, and for an
        editable install (or code no distribution owns) a hash of its source files (see
        :mod:`nlpbench.plugins.code_identity`); computed once per plugin and host."""
        if name not in self._code:
            info = self.plugin(name)
            distribution, version = (info.distribution, info.version) if info is not None else (None, None)
            self._code[name] = {"plugin": name, **plugin_code(distribution, version, self._objects.get(name))}
        return self._code[name]

    def versions(self) -> dict[str, str]:
        """Distribution → version of the core and every plugin that loaded."""
        versions = {"nlpbench": _core_version()}
        for info in self.plugins:
            if info.status == "ok" and info.distribution and info.version:
                versions[info.distribution] = info.version
        return dict(sorted(versions.items()))

    def register_commands(self, cli: Any) -> list[str]:
        """Let every plugin add CLI commands; returns one warning per plugin that raised."""
        warnings = []
        for impl in self.pm.hook.register_commands.get_hookimpls():
            try:
                impl.function(**{arg: cli for arg in impl.argnames})
            except KeyboardInterrupt:
                raise
            except BaseException as error:
                warnings.append(
                    f"plugin '{impl.plugin_name.split(':')[0]}' could not add its commands: {error_line(error)}"
                )
        return warnings

    def warn_failures(self, stream: Any = None) -> None:
        """Warn once on stderr about each plugin that failed to load."""
        stream = stream or sys.stderr
        for info in self.failed():
            print(
                f"nlpbench: warning: plugin '{info.name}' failed to load: {info.error} (see `nlpbench plugins`)",
                file=stream,
            )
