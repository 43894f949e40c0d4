"""Reading an lm-evaluation-harness YAML file: ``include:`` merged in, ``!function``
tags kept as :class:`FunctionRef` (imported only later, and only when the suite trusts
the task's code), and the line of every key kept for errors.

``include`` resolves against the folder of the file that names it, recursively; the
included keys come first and the including file's own keys win (a shallow merge, as
lm-evaluation-harness does).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nlpbench import ConfigError


@dataclass(frozen=True)
class FunctionRef:
    """``!function module.name``: the task author's Python, in ``base_dir`` (the folder of
    the file the tag is written in). ``where`` is ``FILE:LINE`` for errors."""

    qualified: str
    base_dir: Path
    where: str

    @property
    def module_file(self) -> Path | None:
        """The file beside the YAML that holds the function's module, if there is one
        (``utils.process_docs`` is ``utils.py`` there; dots are folders)."""
        module, _, _ = self.qualified.rpartition(".")
        candidate = self.base_dir / (module.replace(".", "/") + ".py")
        return candidate if module and candidate.is_file() else None


class Located(dict[str, Any]):
    """A mapping that remembers each key's file and line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.where: dict[str, str] = {}


@dataclass
class Loaded:
    r"""A file with its includes merged: the document, and every file that went into it,
    the modules of its ``!function``\ s included (their digest keys the store, so editing
    any of them asks the models again)."""

    document: Located
    files: list[Path] = field(default_factory=list)

    def digest(self) -> str:
        hashed = hashlib.sha256()
        for path in sorted(set(self.files)):
            hashed.update(str(path).encode())
            hashed.update(path.read_bytes())
        return hashed.hexdigest()


def _loader(path: Path) -> type[yaml.SafeLoader]:
    class Loader(yaml.SafeLoader):
        pass

    def function(loader: yaml.SafeLoader, node: yaml.Node) -> FunctionRef:
        value = loader.construct_scalar(node)  # type: ignore[arg-type]
        return FunctionRef(str(value), path.parent, f"{path}:{node.start_mark.line + 1}")

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Located:
        loader.flatten_mapping(node)
        result = Located()
        for key_node, value_node in node.value:
            key = str(loader.construct_object(key_node, deep=True))
            result[key] = loader.construct_object(value_node, deep=True)
            result.where[key] = f"{path}:{key_node.start_mark.line + 1}"
        return result

    Loader.add_constructor("!function", function)
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    return Loader


def read(path: Path) -> Any:
    """One YAML file, its tags kept; ConfigError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    try:
        return yaml.load(text, Loader=_loader(path))
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"{path}{line}: {error.problem} (lm-evaluation-harness files may use only !function)"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{line}: invalid YAML: {getattr(error, 'problem', None) or error}") from None


def load(path: Path, _chain: tuple[Path, ...] = ()) -> Loaded:
    """``path`` with its ``include`` chain merged in (see the module docstring)."""
    path = path.resolve()
    if path in _chain:
        raise ConfigError(f"{path}: includes itself (through {' → '.join(p.name for p in _chain)})")
    document = read(path)
    if not isinstance(document, Mapping):
        raise ConfigError(f"{path}: not an lm-evaluation-harness task file (not a mapping)")
    located = document if isinstance(document, Located) else Located(document)
    files = [path]
    files += [ref.module_file for ref in located.values() if isinstance(ref, FunctionRef) and ref.module_file]
    includes = located.pop("include", None)
    if includes is None:
        return Loaded(located, files)
    merged = Located()
    for include in includes if isinstance(includes, list) else [includes]:
        if not isinstance(include, str):
            raise ConfigError(f"{located.where.get('include', path)}: include: must name a file, not {include!r}")
        target = Path(include) if Path(include).is_absolute() else path.parent / include
        if not target.is_file():
            raise ConfigError(f"{located.where.get('include', path)}: include: {include}: no such file")
        inner = load(target, (*_chain, path))
        inner.document.pop("task_list", None)
        merged.update(inner.document)
        merged.where.update(inner.document.where)
        files += inner.files
    where = {k: v for k, v in located.where.items() if k != "include"}
    merged.update(located)
    merged.where.update(where)
    return Loaded(merged, files)
