"""``doc_to_text``, ``doc_to_target`` and ``doc_to_choice`` as lm-evaluation-harness
resolves them, each a function of a row (its ``ConfigurableTask.doc_to_*``):

- a number is itself; a function (``!function``) is called with the row;
- text that is a column's name gives the column's value as it is;
- other text is a Jinja2 template (rendered as lm-evaluation-harness renders, with its
  ``regex_replace`` filter). A rendered input or target that is all digits becomes a
  number when the task has choices; a rendered target shaped ``[...]`` becomes a list;
  rendered choices are always a Python literal list;
- choices given as a list are taken as they are (not rendered), a mapping as its values.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

from nlpbench import ConfigError, TaskError

from ..templates import environment

Field = Callable[[Mapping[str, Any]], Any]


def _render(source: str, where: str) -> Callable[[Mapping[str, Any]], str]:
    import jinja2

    try:
        template = environment().from_string(source)
    except jinja2.TemplateSyntaxError as error:
        raise ConfigError(f"{where}: template error on its line {error.lineno}: {error.message}") from None

    def render(row: Mapping[str, Any]) -> str:
        try:
            return str(template.render(**row))
        except jinja2.UndefinedError as error:
            columns = ", ".join(sorted(map(str, row))) or "none"
            raise TaskError(f"{where}: {error.message}; the row has the columns {columns}") from None
        except jinja2.TemplateError as error:
            raise TaskError(f"{where}: {error}") from None

    return render


def text_field(value: Any, where: str, has_choices: bool) -> Field:
    """``doc_to_text``: a number, a column, a template or a function."""
    return _field(value, where, has_choices, lists=False)


def target_field(value: Any, where: str, has_choices: bool) -> Field:
    """``doc_to_target``: like the text, and a list, or a rendered ``[...]``, is a list."""
    return _field(value, where, has_choices, lists=True)


def _field(value: Any, where: str, has_choices: bool, *, lists: bool) -> Field:
    if callable(value):
        return value
    if (isinstance(value, int) or (lists and isinstance(value, list))) and not isinstance(value, bool):
        return lambda row: value
    if not isinstance(value, str):
        kinds = (
            "a template, a column, a number, a list or !function"
            if lists
            else "a template, a column, a number or !function"
        )
        raise ConfigError(f"{where}: must be {kinds}, not {value!r}")
    render = _render(value, where)

    def field(row: Mapping[str, Any]) -> Any:
        if value in row:
            return row[value]
        text = render(row)
        if has_choices and text.isdigit():
            return ast.literal_eval(text)
        if lists and len(text) >= 2 and text[0] == "[" and text[-1] == "]":
            try:
                return ast.literal_eval(text)
            except (ValueError, SyntaxError):
                return text
        return text

    return field


def choice_field(value: Any, where: str) -> Field:
    """``doc_to_choice``: a list as it is, a mapping's values, a column, a template
    rendering a Python list literal, or a function."""
    if callable(value):
        return value
    if isinstance(value, list):
        return lambda row: list(value)
    if isinstance(value, Mapping):
        return lambda row: list(value.values())
    if not isinstance(value, str):
        raise ConfigError(f"{where}: must be a list, a column, a template or !function, not {value!r}")
    render = _render(value, where)

    def field(row: Mapping[str, Any]) -> Any:
        if value in row:
            return row[value]
        text = render(row)
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError) as error:
            raise TaskError(f"{where}: renders {text[:60]!r}, not a list of choices ({error})") from None

    return field
