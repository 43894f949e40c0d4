"""Which parts of nlpbench a plugin's source imports.

Plugins import from ``nlpbench`` (the package root: its ``__all__`` is the public API)
and, in their tests, ``nlpbench.testing``; anything deeper (``nlpbench.statistics.bootstrap``,
``from nlpbench import runner``) is an internal that may change in any release. Found
by reading the source with :mod:`ast`, so nothing is imported or run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import nlpbench

#: The modules a plugin may import.
PUBLIC_MODULES = ("nlpbench", "nlpbench.testing")


def _public(name: str) -> bool:
    return name in nlpbench.__all__ or name == "testing"


def _python_files(source: Path) -> Iterator[Path]:
    if source.is_file():
        yield source
        return
    for path in sorted(source.rglob("*.py")):
        if not any(part.startswith(".") or part == "__pycache__" for part in path.relative_to(source).parts):
            yield path


def _imports_in(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, the internal a statement or expression reaches) for every one in ``tree``."""
    aliases: set[str] = set()  # names bound to the package root by `import nlpbench [as x]`
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "nlpbench" or alias.name.startswith("nlpbench."):
                    if alias.name not in PUBLIC_MODULES:
                        yield node.lineno, alias.name
                    elif alias.name == "nlpbench" or alias.asname is None:  # both bind the root
                        aliases.add(alias.asname or "nlpbench")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("nlpbench.") and node.module not in PUBLIC_MODULES:
                yield node.lineno, node.module
            elif node.module == "nlpbench":
                for alias in node.names:
                    if alias.name != "*" and not _public(alias.name):
                        yield node.lineno, f"nlpbench.{alias.name}"
    for node in ast.walk(tree):  # `nlpbench.statistics.bootstrap.bootstrap` after a plain `import nlpbench`
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and not _public(node.attr)
        ):
            yield node.lineno, f"nlpbench.{node.attr}"


def internal_imports(source: Path) -> list[str]:
    """One sentence per import of an nlpbench internal in ``source`` (a package folder or
    a module file), naming the file and line; unreadable files say so."""
    problems = []
    base = source.parent
    for path in _python_files(source):
        where = path.relative_to(base).as_posix()
        try:
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except (SyntaxError, ValueError, OSError) as error:
            problems.append(f"{where}: cannot be read to check its imports: {type(error).__name__}: {error}")
            continue
        for line, name in sorted(set(_imports_in(tree))):
            problems.append(
                f"{where}:{line}: imports {name}, an nlpbench internal: import from `nlpbench` "
                "(its public API) or `nlpbench.testing` only"
            )
    return problems
