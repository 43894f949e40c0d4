"""The report page's templates as Jinja2 compiles them, shipped with the package.

Jinja2 compiles the page's 15 templates in about 0.05 s each time a report is drawn:
a sixth of a cached rerun of the quick suite (0.6-0.9 s). ``templates/compiled.json``
keeps what Jinja2 compiles them to (Python source), each with the SHA-256 of its
template and the Jinja2 version that made it; :class:`PrecompiledLoader` uses an entry
only when both still match, and compiles the template itself otherwise, so a stale file
is slower, never wrong. A test keeps the file current; after editing a template:

    .venv/bin/python -m nlpbench.report.page.precompiled
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, MutableMapping
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

#: Where the compiled templates are kept, beside the templates.
COMPILED = "compiled.json"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compiled_templates(environment: jinja2.Environment) -> dict[str, Any]:
    """What ``templates/compiled.json`` should hold for ``environment``'s templates."""
    loader = environment.loader
    assert loader is not None
    templates = {}
    for name in loader.list_templates():
        if not name.endswith(".j2"):
            continue
        source, filename, _ = loader.get_source(environment, name)
        code = environment.compile(source, name, filename, raw=True)
        templates[name] = {"sha256": _sha256(source), "code": code}
    return {"jinja2": jinja2.__version__, "templates": templates}


def shipped() -> dict[str, Any]:
    """The compiled templates shipped with the package (empty when there are none)."""
    try:
        text = resources.files("nlpbench.report.page").joinpath("templates", COMPILED).read_text(encoding="utf-8")
        found = json.loads(text)
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


class PrecompiledLoader(jinja2.BaseLoader):
    """``fallback``'s templates, from their shipped compiled form when it is current."""

    def __init__(self, fallback: jinja2.BaseLoader, compiled: dict[str, Any]) -> None:
        self.fallback = fallback
        current = compiled.get("jinja2") == jinja2.__version__
        self.compiled: dict[str, Any] = compiled.get("templates", {}) if current else {}

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        return self.fallback.get_source(environment, template)

    def list_templates(self) -> list[str]:
        return self.fallback.list_templates()

    def load(
        self, environment: jinja2.Environment, name: str, globals: MutableMapping[str, Any] | None = None
    ) -> jinja2.Template:
        source, filename, uptodate = self.get_source(environment, name)
        entry = self.compiled.get(name)
        if not isinstance(entry, dict) or entry.get("sha256") != _sha256(source):
            return super().load(environment, name, globals)  # compiled here, as Jinja2 always does
        code = compile(str(entry["code"]), filename or name, "exec")
        return environment.template_class.from_code(environment, code, environment.make_globals(globals), uptodate)


def main() -> None:
    """Write ``templates/compiled.json`` for the templates as they are now."""
    from nlpbench.report.page.page import source_environment

    target = Path(__file__).with_name("templates") / COMPILED
    text = json.dumps(compiled_templates(source_environment()), indent=1, sort_keys=True) + "\n"
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
