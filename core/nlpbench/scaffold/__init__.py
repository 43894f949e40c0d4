"""``nlpbench plugin new NAME``: write a new, installable plugin that already works.

The files come from ``template/``: real files whose names end in ``.tmpl`` (so that
linters, type checkers and pytest leave them alone) with ``{{placeholders}}``
replaced by plain string substitution, in their text and in their paths.
"""

from __future__ import annotations

import re
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

from nlpbench.contracts.errors import ConfigError

#: Lowercase kebab-case, starting with a letter: ``my-metric``.
PLUGIN_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

#: Names a plugin cannot take: the core's own, and the testing kit's.
RESERVED = ("nlpbench", "tiny")

TEMPLATE_SUFFIX = ".tmpl"


def check_plugin_name(name: str) -> None:
    """ConfigError, in one line, unless ``name`` can name a plugin."""
    if name.startswith("nlpbench-"):
        raise ConfigError(
            f"plugin name '{name}': leave out the 'nlpbench-' prefix (the distribution is called nlpbench-NAME)"
        )
    if not PLUGIN_NAME.match(name):
        raise ConfigError(
            f"plugin name '{name}' is not lowercase kebab-case: use letters, digits and single hyphens, "
            "starting with a letter (like 'my-metric')"
        )
    if name in RESERVED:
        raise ConfigError(f"plugin name '{name}' is reserved by nlpbench; choose another")


def placeholders(name: str) -> dict[str, str]:
    """What each ``{{placeholder}}`` of the template becomes for plugin ``name``."""
    return {
        "name": name,  # the entry-point name; distribution nlpbench-NAME
        "package": "nlpbench_" + name.replace("-", "_"),  # the import package
        "metric": f"{name}-exact-match",  # the example metric's id
    }


def render(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def _walk(folder: Traversable, prefix: PurePosixPath) -> list[tuple[PurePosixPath, Traversable]]:
    found: list[tuple[PurePosixPath, Traversable]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            found += _walk(entry, prefix / entry.name)
        elif entry.name.endswith(TEMPLATE_SUFFIX):
            found.append((prefix / entry.name, entry))
    return found


def template_files() -> list[tuple[PurePosixPath, Traversable]]:
    """Every template file, with its path relative to ``template/``."""
    return _walk(files(__name__).joinpath("template"), PurePosixPath())


def rendered(name: str) -> dict[PurePosixPath, str]:
    """The plugin's files (path relative to its folder → text), without writing them."""
    check_plugin_name(name)
    values = placeholders(name)
    out: dict[PurePosixPath, str] = {}
    for relative, entry in template_files():
        path = PurePosixPath(render(str(relative), values).removesuffix(TEMPLATE_SUFFIX))
        out[path] = render(entry.read_text(encoding="utf-8"), values)
    if not out:  # a broken install: better to say so than to write an empty folder
        raise ConfigError("the plugin template is missing from this nlpbench installation; reinstall nlpbench")
    return out


def scaffold(name: str, directory: Path) -> Path:
    """Write plugin ``name`` into ``directory/nlpbench-NAME/`` and return that folder.

    ConfigError (one line) when ``name`` is not lowercase kebab-case or the folder
    exists and is not empty.
    """
    contents = rendered(name)
    target = Path(directory) / f"nlpbench-{name}"
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ConfigError(f"{target} already exists and is not empty; choose another --dir or remove it")
    for relative, text in contents.items():
        path = target.joinpath(*relative.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    return target
