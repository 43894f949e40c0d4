"""Templates over a row of data: the input, the choices, the target and the id of each
example are Jinja2 over the row's columns.

Rules (lm-evaluation-harness's, so its task files read the same):

- a template that is exactly a column's name gives that column's value, as it is (a
  list of choices stays a list, a label stays a number);
- anything else is rendered (sandboxed, an unknown variable an error) to text; where a
  list is wanted (choices, several targets) a rendered Python literal such as
  ``['a', 'b']`` becomes that list;
- a number or a list given in the YAML is taken as it is (each item of a list a template).

Jinja2 is imported on first use: listing plugins never pays for it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from nlpbench import ConfigError, TaskError, did_you_mean

#: Jinja2's message for a variable the row lacks: ``'qestion' is undefined``.
_UNDEFINED = re.compile(r"^'([^']+)' is undefined$")


@cache
def environment() -> Any:
    """The one sandboxed Jinja2 environment every row template renders in: strict about
    unknown variables, trailing newlines kept, and lm-evaluation-harness's
    ``regex_replace`` filter."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    env.filters["regex_replace"] = lambda text, pattern, replacement: re.sub(pattern, replacement, str(text))
    return env


class RowTemplate:
    """One field's template: a column name, Jinja2 text, a number, or a list of these.
    ``where`` names the field for errors (``params.input``)."""

    def __init__(self, source: Any, where: str) -> None:
        import jinja2

        self.source = source
        self.where = where
        self._template: Any = None
        self._items: list[RowTemplate] | None = None
        if isinstance(source, (list, tuple)):
            self._items = [RowTemplate(item, f"{where}[{i}]") for i, item in enumerate(source)]
        elif isinstance(source, str):
            try:
                self._template = environment().from_string(source)
            except jinja2.TemplateSyntaxError as error:
                raise ConfigError(f"{where}: template error on its line {error.lineno}: {error.message}") from None
        elif not isinstance(source, (int, float)) or isinstance(source, bool):
            raise ConfigError(f"{where}: must be a template, a number or a list of them, not {source!r}")

    def value(self, row: Mapping[str, Any]) -> Any:
        """The field for ``row``: a column's value, rendered text, a number or a list."""
        import jinja2

        if self._items is not None:
            return [item.value(row) for item in self._items]
        if not isinstance(self.source, str):
            return self.source
        if self.source in row:
            return row[self.source]
        try:
            return self._template.render(row)
        except jinja2.UndefinedError as error:
            columns = ", ".join(sorted(map(str, row))) or "none"
            missing = _UNDEFINED.match(str(error.message))
            hint = did_you_mean(missing.group(1), map(str, row)) if missing else ""
            raise TaskError(f"{self.where}: {error.message}{hint}; the row has the columns {columns}") from None
        except jinja2.TemplateError as error:
            raise TaskError(f"{self.where}: {error}") from None

    def text(self, row: Mapping[str, Any]) -> str:
        """The field as text."""
        value = self.value(row)
        return value if isinstance(value, str) else str(value)

    def items(self, row: Mapping[str, Any]) -> list[Any]:
        """The field as a list: a list as it is, a rendered literal list parsed, else one item."""
        value = self.value(row)
        if isinstance(value, str):
            value = literal_list(value)
        return list(value) if isinstance(value, (list, tuple)) else [value]


def literal_list(text: str) -> Any:
    """``text`` as a list when it is a Python or JSON literal list (what ``{{ column }}``
    renders a list column as), else ``text`` itself."""
    stripped = text.strip()
    if stripped.startswith("[") and stripped.endswith("]"):
        try:
            parsed = ast.literal_eval(stripped)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return text
        if isinstance(parsed, (list, tuple)):
            return list(parsed)
    return text
