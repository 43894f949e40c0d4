"""Option schemas: what each component (model, task, metric, audit, reporter) accepts.

A component declares its options as a pydantic model in an ``options`` class
attribute, a subclass of :class:`Options`: every key with its type, range, default and
description (``Field(description=...)``). The core checks a suite against these
schemas before anything runs (``nlpbench validate`` reports every problem, one a
line), ``nlpbench list KIND --json`` prints them, and docs/reference is generated from
them, so the three cannot disagree.

For models and tasks the schema covers the entry's ``params``; for metrics, audits and
reporters, the options the suite gives them (their constructor's keyword arguments). A
model type that can be built untrained from ``config:`` may declare that key's schema
too, in ``config_options`` (:data:`CONFIG_OPTIONS`): listed and documented the same way,
and checked by the type's own ``check_spec``.

Every problem is one line that starts with the key's path: ``where`` (what the caller
says the options are, as ``tasks[1].metrics[0] (ece)`` or ``models[0].params``), then
the key inside them::

    tasks[1].metrics[0] (ece).bins: must be at least 1, not 0
    reporters[0] (html).fil: unknown option (did you mean 'file'?)
    models[0].params.dtype: must be 'auto', 'float32', 'float16' or 'bfloat16', not 'f32'
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from nlpbench.contracts.errors import ConfigError
from nlpbench.plugins.suggest import did_you_mean

OptionsT = TypeVar("OptionsT", bound="Options")

#: A value shown after ", not" is cut to this many characters.
_SHOWN = 80


class Options(BaseModel):
    """Base of every option schema: unknown keys are errors, values are immutable.

    Give each field a ``description`` (it is the documentation) and its bounds
    (``Field(ge=1)``): ``nlpbench validate`` reports a value out of range before any
    model loads. Numbers and flags are taken as YAML writes them: ``true`` is not a
    number and ``"10"`` (quoted) is not 10, as pydantic alone would allow.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _as_written(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is not None:
            _check_plain(field.annotation, value)
        return value


#: The class attribute of a model type that holds the schema of its entry's ``config:``
#: (the architecture of a model built untrained), beside ``options`` for ``params:``.
CONFIG_OPTIONS = "config_options"


def options_schema_of(component: Any, attribute: str = "options") -> type[BaseModel] | None:
    """The component's option schema (its ``options`` attribute, or ``attribute``: an
    :class:`Options`, or any pydantic model), or None when it declares none."""
    schema = getattr(component, attribute, None)
    return schema if isinstance(schema, type) and issubclass(schema, BaseModel) else None


@dataclass(frozen=True)
class OptionProblem:
    """One problem of a set of options: the key's path inside them and what is wrong."""

    path: tuple[str | int, ...]
    message: str

    def line(self, where: str = "") -> str:
        """``WHERE.PATH: MESSAGE``, the form every option problem is shown in."""
        return f"{join_path(where, self.path) or 'options'}: {self.message}"


def option_issues(schema: type[BaseModel], given: Any) -> list[OptionProblem]:
    """Every problem of ``given`` against ``schema``, with the path of each key at fault
    (so that a caller holding the YAML can name its line)."""
    if not isinstance(given, Mapping):
        return [OptionProblem((), f"must be a mapping of option: value, not {_kind(given)}")]
    try:
        schema.model_validate(dict(given))
    except ValidationError as error:
        return _problems(schema, error.errors(include_url=False))
    return []


def option_problems(schema: type[BaseModel], given: Mapping[str, Any], where: str = "") -> list[str]:
    """Every problem of ``given`` against ``schema``, each one line that starts with the
    key's path (``where`` first, as ``params`` or ``tasks[0].metrics[1] (ece)``)."""
    return [problem.line(where) for problem in option_issues(schema, given)]


def parse_options(schema: type[OptionsT], given: Mapping[str, Any], where: str = "") -> OptionsT:
    """``given`` as an instance of ``schema``; :class:`ConfigErrors` listing every problem otherwise."""
    problems = option_problems(schema, given, where)
    if problems:
        raise ConfigErrors(problems)
    return schema.model_validate(dict(given))


def options_json_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """The schema as JSON Schema (what ``nlpbench list KIND --json`` prints)."""
    return schema.model_json_schema()


class ConfigErrors(ConfigError):
    """Several configuration problems at once: ``nlpbench validate`` prints each on its own line.

    ``tracebacks`` holds the full text of each exception of plugin code behind some of
    them (a ``check_spec`` that raised: its bug, said as a problem), for
    ``nlpbench --debug`` to print."""

    def __init__(self, messages: Sequence[str], tracebacks: Sequence[str] = ()) -> None:
        self.messages = [" ".join(str(m).split()) for m in messages]
        self.tracebacks = tuple(tracebacks)
        super().__init__("; ".join(self.messages))


def problems_of(error: ConfigError) -> list[str]:
    """The messages of a ConfigError: several for :class:`ConfigErrors`, else its one."""
    return list(error.messages) if isinstance(error, ConfigErrors) else [" ".join(str(error).split())]


def join_path(where: str, path: Sequence[str | int]) -> str:
    """``where`` and a key path as one: ``params`` + ``("filters", 1, "name")`` →
    ``params.filters[1].name``."""
    text = where
    for part in path:
        text = f"{text}[{part}]" if isinstance(part, int) else (f"{text}.{part}" if text else str(part))
    return text


# -- what pydantic says, in our words ------------------------------------------------


def _problems(schema: type[BaseModel], errors: Sequence[Mapping[str, Any]]) -> list[OptionProblem]:
    """One problem per key: a union's branches merged ("must be a string or a list")."""
    found: dict[tuple[str | int, ...], tuple[list[str], str]] = {}
    hints: dict[tuple[str | int, ...], str] = {}
    from_union: set[tuple[str | int, ...]] = set()
    for error in errors:
        path, parent, value_type, branched = _walk(schema, tuple(error["loc"]))
        message, shown = _message(error, path, parent)
        messages, _ = found.setdefault(path, ([], shown))
        if message not in messages:
            messages.append(message)
        if not hints.get(path):
            hints[path] = _choice_hint(error, value_type)
        if branched:
            from_union.add(path)
    # a union's branch that went deeper says more than the one that failed at the top
    shallow = {p for p in from_union if any(q != p and q[: len(p)] == p for q in from_union)}
    problems = []
    for path, (messages, shown) in found.items():
        if path in shallow:
            continue
        first, *rest = messages
        merged = first + "".join(f" or {m.removeprefix('must be ')}" for m in rest)
        problems.append(OptionProblem(path, merged + shown + hints.get(path, "")))
    return problems


def _choice_hint(error: Mapping[str, Any], value_type: Any) -> str:
    """`` (did you mean 'mean'?)`` for a misspelt choice (``pooling: maen``), else empty."""
    given = error.get("input")
    if error["type"] not in ("literal_error", "enum") or not isinstance(given, str):
        return ""
    return did_you_mean(given, _choices(value_type))


def _choices(annotation: Any) -> list[str]:
    """The text values a Literal or Enum (or a union of them) allows."""
    found: list[str] = []
    for member in _members(annotation):
        if get_origin(member) is Literal:
            found += [v for v in get_args(member) if isinstance(v, str)]
        elif isinstance(member, type) and issubclass(member, enum.Enum):
            found += [m.value for m in member if isinstance(m.value, str)]
    return found


#: pydantic's error types, as we say them.
_SAID = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "set_type": "must be a list",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "missing": "is required",
}


def _message(error: Mapping[str, Any], path: tuple[str | int, ...], parent: Any) -> tuple[str, str]:
    """What is wrong, and the value shown after it (``, not 0``)."""
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else ""
        fields = _fields_of(parent)
        if not fields:
            return "unknown option: it takes none", ""
        return f"unknown option{did_you_mean(key, fields)}; known: {', '.join(fields)}", ""
    bounds = {
        "greater_than_equal": ("at least", "ge"),
        "less_than_equal": ("at most", "le"),
        "greater_than": ("more than", "gt"),
        "less_than": ("less than", "lt"),
    }
    lengths = {
        "string_too_short": ("must not be empty", "must be at least {} characters long", "min_length"),
        "too_short": ("must not be empty", "must list at least {}", "min_length"),
        "string_too_long": (None, "must be at most {} characters long", "max_length"),
        "too_long": (None, "must list at most {}", "max_length"),
    }
    if kind in lengths:
        empty, words, key = lengths[kind]
        limit = context.get(key)
        message = empty if empty is not None and limit == 1 else words.format(limit)
    elif kind in bounds:
        words, key = bounds[kind]
        bound = context.get(key)
        message = f"must be {words} {int(bound) if isinstance(bound, float) and bound.is_integer() else bound}"
    elif kind in _SAID:
        message = _SAID[kind]
    else:
        message = str(error["msg"])
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        if message.startswith("Input should be "):
            message = "must be " + message.removeprefix("Input should be ")
    value = error.get("input")
    if isinstance(value, Mapping) or kind in ("missing", "value_error", "assertion_error"):
        return message, ""  # a validator's own message says what it needs
    return message, f", not {_shown(value)}"


def _shown(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= _SHOWN else shown[: _SHOWN - 1] + "…"


def _walk(schema: type[BaseModel], loc: tuple[Any, ...]) -> tuple[tuple[str | int, ...], Any, Any, bool]:
    """pydantic's ``loc`` as the user's key path: without the tags it adds for a union's
    branches (``str``, ``tuple[str, ...]``) and validators (``function-after[...]``).

    Returns the path, the annotation holding its last key (for "did you mean" of a key),
    the annotation of the value there (for "did you mean" of a choice), and whether a
    union's branch was dropped on the way."""
    path: list[str | int] = []
    annotation: Any = schema
    parent: Any = schema
    branched = False
    for part in loc:
        if isinstance(part, str) and part.startswith("function-"):
            continue
        choices = _members(annotation)
        if isinstance(part, str):
            model = next((c for c in choices if _is_model(c) and part in c.model_fields), None)
            if model is not None:
                path.append(part)
                parent, annotation = model, model.model_fields[part].annotation
                continue
            if len(choices) > 1 and _is_branch_tag(part, choices):
                branched = True
                annotation = _branch(part, choices)
                continue
        path.append(part)
        parent, annotation = annotation, _item_type(choices, part)
    return tuple(path), parent, annotation, branched


def _members(annotation: Any) -> list[Any]:
    """The types a value may have: a union's members, without None, Annotated unwrapped."""
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _members(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [m for arg in get_args(annotation) for m in _members(arg) if m is not type(None)]
    return [annotation]


def _is_model(candidate: Any) -> bool:
    return isinstance(candidate, type) and issubclass(candidate, BaseModel)


def _type_name(candidate: Any) -> str:
    origin = get_origin(candidate)
    if origin is Literal:
        return "literal"
    named = origin if origin is not None else candidate
    return str(getattr(named, "__name__", named)).lower()


def _is_branch_tag(part: str, choices: Sequence[Any]) -> bool:
    """Whether ``part`` is pydantic's name for one of ``choices`` (``str``, ``dict[str,str]``)."""
    return any(part.lower().split("[", 1)[0] == _type_name(c) for c in choices)


def _branch(part: str, choices: Sequence[Any]) -> Any:
    return next(c for c in choices if part.lower().split("[", 1)[0] == _type_name(c))


def _item_type(choices: Sequence[Any], part: Any) -> Any:
    """The type of the item ``part`` of a list, tuple or mapping (Any when unknown)."""
    for candidate in choices:
        origin, args = get_origin(candidate), get_args(candidate)
        if origin in (list, tuple, set, frozenset) and isinstance(part, int) and args:
            return args[0]
        if origin in (dict, Mapping) and len(args) == 2:
            return args[1]
    return Any


def _fields_of(annotation: Any) -> list[str]:
    models = [c for c in _members(annotation) if _is_model(c)]
    return list(models[0].model_fields) if models else []


def _check_plain(annotation: Any, value: Any) -> None:
    """ValueError when ``value`` is a number or flag only by pydantic's coercion: ``true``
    for a number, ``"10"`` for a number, ``1`` or ``"yes"`` for a flag."""
    kinds: set[type] = set()
    for member in _members(annotation):
        if get_origin(member) is Literal:
            kinds.update(type(v) for v in get_args(member))
        elif isinstance(member, type):
            kinds.add(member)
        else:
            return  # Any, a TypeVar, …: nothing to say
    numbers = kinds & {int, float}
    if numbers and not kinds & {bool, str} and isinstance(value, (bool, str)):
        raise ValueError(f"must be {'a number' if float in numbers else 'a whole number'}, not {_shown(value)}")
    flag_only = bool in kinds and not kinds & {int, float, str}
    if flag_only and not isinstance(value, bool) and isinstance(value, (int, float, str)):
        raise ValueError(f"must be true or false, not {_shown(value)}")


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    return {str: "a string", bool: "a boolean", int: "an integer", float: "a number"}.get(
        type(value), type(value).__name__
    )
