"""The task's entry in a suite, checked before anything loads: where the conversations
are and how their messages are written (``data``), and how replies are asked for
(``params``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nlpbench import ConfigError, PromptTemplates, TaskData, TaskSpec, parse_options, prompting, task_data

from .conversations import ROLES, MessageKeys
from .params import DialogueParams
from .prompts import DEFAULT_PROMPTS, VARIABLES

#: The columns rows map (field → default column).
COLUMNS = {"messages": "messages"}
DATA_OPTIONS = ("id", "role", "content", "roles")
#: The fields an example fills itself, which ``data.keep`` may not overwrite.
RESERVED_FIELDS = ("conversation", "turn", "history_cut")


@dataclass(frozen=True)
class DataConfig:
    """``data:``, checked: where the conversations are (``rows.source`` None: the built-in
    sample), the id column, and how a message is written."""

    rows: TaskData
    id_column: str | None = None
    keys: MessageKeys = field(default_factory=MessageKeys)

    @property
    def builtin(self) -> bool:
        return self.rows.source is None

    def describe(self) -> dict[str, Any]:
        facts = {"data": "built-in sample"} if self.builtin else self.rows.describe()
        return {
            **facts,
            "messages": self.rows.columns["messages"],
            "role": self.keys.role,
            "content": self.keys.content,
            "roles": dict(self.keys.roles or {}),
        }


@dataclass(frozen=True)
class Params:
    """``params:``, checked."""

    templates: PromptTemplates
    stop: tuple[str, ...]
    max_new_tokens: int
    max_history_turns: int | None
    system: str | None


def data_config(spec: TaskSpec) -> DataConfig:
    """``spec.data`` checked and typed; ConfigError naming the key at fault."""
    rows = task_data(spec, COLUMNS, options=DATA_OPTIONS, reserved_fields=RESERVED_FIELDS)
    for key in ("train", "train_split"):
        if key in spec.data:
            raise ConfigError(f"data.{key}: the dialogue task shows no few-shot examples, so it takes no train split")
    options = rows.options
    for key in ("id", "role", "content"):
        value = options.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ConfigError(f"data.{key} must be a {'column' if key == 'id' else 'key'} name, not {value!r}")
    if options.get("id") is not None and rows.source is None:
        raise ConfigError("data.id needs data.path or data.hub: the built-in sample has its own ids")
    keys = MessageKeys(
        role=options.get("role") or "role",
        content=options.get("content") or "content",
        roles=_roles(options.get("roles")),
    )
    return DataConfig(rows, options.get("id"), keys)


def _roles(value: Any) -> Mapping[str, str] | None:
    """``data.roles``: a mapping of the dataset's role names to ours."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or not value:
        raise ConfigError(f"data.roles must map the data's role names to {', '.join(ROLES)}, not {value!r}")
    for theirs, ours in value.items():
        if not isinstance(theirs, str) or not theirs.strip():
            raise ConfigError(f"data.roles: a role name must be text, not {theirs!r}")
        if ours not in ROLES:
            raise ConfigError(f"data.roles.{theirs} must be one of {', '.join(ROLES)}, not {ours!r}")
    return dict(value)


def params_config(spec: TaskSpec) -> Params:
    """``spec.params`` checked and typed; ConfigError naming the key at fault."""
    params = parse_options(DialogueParams, spec.params, "params")
    prompts = prompting(params.model_dump(), variables=VARIABLES, default=DEFAULT_PROMPTS, has_train=False)
    return Params(prompts.templates, params.stop, params.max_new_tokens, params.max_history_turns, params.system)
