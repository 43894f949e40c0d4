"""Which modules of a package import which, read from their source with ``ast`` (nothing
is imported), and the circles among them: a test helper, so that a plugin's modules
depend on each other one way only (``model`` → ``finetune``, never back).

Every import counts, at the top of a module, inside a function (a lazy import) or under
``TYPE_CHECKING``: each is a dependency a reader has to follow.
"""

from __future__ import annotations

import ast
from importlib.util import find_spec
from pathlib import Path


def import_graph(package: str) -> dict[str, set[str]]:
    """``{module: the package's modules it imports}``, modules named from the package
    (``model``, ``sub.module``; ``""`` is the package's ``__init__``)."""
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"{package!r} is not an importable package")
    root = Path(next(iter(spec.submodule_search_locations)))
    files = {_module_name(path.relative_to(root)): path for path in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        base = module.split(".") if module else []
        if path.name != "__init__.py":
            base = base[:-1]  # a plain module's relative imports start from its package
        targets = {target for node in ast.walk(tree) for target in _imported(node, package, base, files)}
        graph[module] = targets - {module}
    return graph


def import_cycles(package: str) -> list[list[str]]:
    """Every circle of imports among the package's modules, each as the modules on it
    (sorted); none, when the dependencies go one way."""
    graph = import_graph(package)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(cycles)


def _module_name(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(node: ast.AST, package: str, base: list[str], modules: dict[str, Path]) -> list[str]:
    """The package's modules ``node`` imports (none when it is not an import of them)."""
    if isinstance(node, ast.Import):
        names = (_within(alias.name, package) for alias in node.names)
        return [name for name in names if name is not None]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        start = base[: len(base) - (node.level - 1)]
        target = ".".join([*start, *([node.module] if node.module else [])])
    else:
        absolute = _within(node.module or "", package)
        if absolute is None:
            return []
        target = absolute
    found = []
    for alias in node.names:  # `from . import model` imports a module; `from .x import name` the module x
        child = f"{target}.{alias.name}" if target else alias.name
        found.append(child if child in modules else target)
    return found


def _within(name: str, package: str) -> str | None:
    """``name`` (a dotted module) as a module of ``package``, or None when it is outside it."""
    if name == package:
        return ""
    if name.startswith(package + "."):
        return name[len(package) + 1 :]
    return None
