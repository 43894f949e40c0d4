"""Option schemas: what each component (model, task, metric, audit, reporter) accepts.

A component declares its options as a pydantic model in an ``options`` class
attribute, a subclass of :class:`Options`: every key with its type, range, default and
description (``Field(description=...)``). The core checks a suite against these
schemas before anything runs (``nlpbench validate`` reports every problem, one a
line), ``nlpbench list KIND --json`` prints them, and docs/reference is generated from
them, so the three cannot disagree.

For models and tasks the schema covers the entry's ``params``; for metrics, audits and
reporters, the options the suite gives them (their constructor's keyword arguments).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import ConfigError
from .suggest import did_you_mean

O = TypeVar("O", bound="Options")


class Options(BaseModel):
    """Base of every option schema: unknown keys are errors, values are immutable.

    Give each field a ``description`` (it is the documentation) and its bounds
    (``Field(ge=1)``): ``nlpbench validate`` reports a value out of range before any
    model loads.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


def options_schema_of(component: Any) -> type[Options] | None:
    """The component's option schema (its ``options`` attribute), or None when it declares none."""
    schema = getattr(component, "options", None)
    return schema if isinstance(schema, type) and issubclass(schema, BaseModel) else None


def option_problems(schema: type[BaseModel], given: Mapping[str, Any], where: str = "") -> list[str]:
    """Every problem of ``given`` against ``schema``, each one line that starts with the
    key's path (``where`` first, as ``params`` or ``metrics[1]``)."""
    if not isinstance(given, Mapping):
        return [f"{where or 'options'}: must be a mapping of option: value, not {type(given).__name__}"]
    try:
        schema.model_validate(dict(given))
    except ValidationError as error:
        return [_problem(schema, problem, where) for problem in error.errors()]
    return []


def parse_options(schema: type[O], given: Mapping[str, Any], where: str = "") -> O:
    """``given`` as an instance of ``schema``; a ConfigError listing every problem otherwise."""
    problems = option_problems(schema, given, where)
    if problems:
        raise ConfigErrors(problems)
    return schema.model_validate(dict(given))


def options_json_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """The schema as JSON Schema (what ``nlpbench list KIND --json`` prints)."""
    return schema.model_json_schema()


class ConfigErrors(ConfigError):
    """Several configuration problems at once: ``nlpbench validate`` prints each on its own line."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = [" ".join(str(m).split()) for m in messages]
        super().__init__("; ".join(self.messages))


def problems_of(error: ConfigError) -> list[str]:
    """The messages of a ConfigError: several for :class:`ConfigErrors`, else its one."""
    return list(error.messages) if isinstance(error, ConfigErrors) else [" ".join(str(error).split())]


def _problem(schema: type[BaseModel], problem: Mapping[str, Any], where: str) -> str:
    location = [str(part) for part in problem["loc"] if not str(part).startswith("function-")]
    path = ".".join(part for part in (where, *location) if part)
    if problem["type"] == "extra_forbidden":
        key = location[-1] if location else ""
        fields = _fields_at(schema, location[:-1])
        known = f"; known: {', '.join(fields)}" if fields else ""
        return f"{path}: unknown option{did_you_mean(key, fields)}{known}"
    message = str(problem["msg"]).removeprefix("Value error, ")
    value = problem.get("input")
    shown = "" if isinstance(value, Mapping) or problem["type"] == "missing" else f", not {value!r}"
    return f"{path}: {message}{shown}"


def _fields_at(schema: type[BaseModel], location: Sequence[str]) -> list[str]:
    """The keys allowed at ``location`` inside ``schema`` (for "did you mean")."""
    model: Any = schema
    for part in location:
        field = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        annotation = field.annotation if field is not None else None
        candidates = [a for a in getattr(annotation, "__args__", (annotation,)) if isinstance(a, type)]
        model = next((c for c in candidates if issubclass(c, BaseModel)), None)
        if model is None:
            return []
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []
